"""Spaced review: questions a learner missed or flagged come back just before they would be
forgotten, scheduled per learner and question with FSRS (the ``fsrs`` package).

A wrong answer is rated Again (back tomorrow), a flagged right one Hard, a right one Good (the
interval grows). Days, not minutes: learning steps are off, and so is fuzzing, so a schedule
is the same on every run.
"""

import hashlib
from datetime import datetime

from fsrs import Card, Rating, Scheduler

from .models import AttemptItem, ReviewCard

SCHEDULER = Scheduler(learning_steps=(), relearning_steps=(), enable_fuzzing=False)


def key_fingerprint(choices: list[dict]) -> str:
    """What the key says (the correct options' texts): a schedule outlives other edits."""
    key = "\n".join(sorted(choice["text"] for choice in choices if choice["correct"]))
    return hashlib.sha256(key.encode()).hexdigest()


def rating(item: AttemptItem) -> Rating:
    if not item.is_correct:
        return Rating.Again
    return Rating.Hard if item.flagged else Rating.Good


def record_answers(*, user, items: list[AttemptItem], now: datetime) -> None:
    """Schedule each graded item's question: questions already in the queue move on (or come
    back), missed or flagged ones join it. Three queries whatever the number of items."""
    graded = [i for i in items if i.is_correct is not None and i.question_id is not None]
    if not graded:
        return
    cards = {
        card.question_id: card
        for card in ReviewCard.objects.filter(
            user=user, question_id__in=[i.question_id for i in graded]
        )
    }
    created, updated = {}, []
    for item in graded:
        fingerprint = key_fingerprint(item.choices)
        card = cards.get(item.question_id) or created.get(item.question_id)
        if card is None:
            if item.is_correct and not item.flagged:
                continue  # known and sure of it: nothing to review
            card = ReviewCard(user=user, question_id=item.question_id)
            created[item.question_id] = card
        elif card.pk and card not in updated:
            updated.append(card)
        schedule = (
            Card.from_dict(card.card)
            if card.card and card.key_fingerprint == fingerprint
            else Card(card_id=item.question_id)
        )
        schedule, _ = SCHEDULER.review_card(schedule, rating(item), review_datetime=now)
        card.card, card.due = schedule.to_dict(), schedule.due
        card.key_fingerprint = fingerprint
        card.reviews += 1
    ReviewCard.objects.bulk_create(created.values())
    ReviewCard.objects.bulk_update(updated, ["card", "due", "key_fingerprint", "reviews"])


def due(user, *, now: datetime):
    """The learner's cards due by ``now``, the longest overdue first."""
    return ReviewCard.objects.filter(user=user, due__lte=now).order_by("due", "question_id")
