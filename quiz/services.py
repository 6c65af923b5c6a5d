"""Exam workflows: starting, answering, flagging, submitting, expiring and scoring attempts.

Every function takes ``now``; only views read the clock. Transitions lock the attempt row.
"""

import random
from collections import Counter, defaultdict
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Count
from django.db.models.functions import Coalesce

from questions.models import Blueprint, Domain, Question, Topic

from .models import Attempt, AttemptItem

# Unseen questions drawn at random per domain before picking; a multiple of the domain's quota.
SAMPLE_FACTOR = 4
# Past this many seen questions, excluding them in SQL costs more than weighing every question.
MAX_EXCLUDED_IDS = 5000


class BankTooSmall(Exception):
    """The published bank cannot fill the blueprint; nothing was started."""


class AttemptClosed(Exception):
    """The attempt no longer takes answers (submitted, or past its deadline and grace)."""

    def __init__(self, attempt: Attempt):
        super().__init__(f"Attempt {attempt.pk} is {attempt.state}.")
        self.attempt = attempt


class InvalidAnswer(ValueError):
    """The submitted choices do not fit the question (unknown index, too many for single)."""


def domain_quotas(domains: list[Domain], total: int) -> dict[int, int]:
    """Split ``total`` questions over domains by weight, by the largest remainder method."""
    weight_sum = sum(d.weight for d in domains) or 1
    exact = {d.pk: total * d.weight / weight_sum for d in domains}
    quotas = {pk: int(share) for pk, share in exact.items()}
    by_remainder = sorted(domains, key=lambda d: (-(exact[d.pk] - quotas[d.pk]), d.code))
    for domain in by_remainder[: total - sum(quotas.values())]:
        quotas[domain.pk] += 1
    return quotas


def pick_questions(
    candidates: list[tuple[int, int]], quota: int, seen: Counter, rng: random.Random
) -> list[int]:
    """Pick ``quota`` question ids from (id, topic_id) pairs: least-seen first, and within
    each level of "seen", round-robin over topics so the exam spreads over them."""
    by_topic: dict[int, list[int]] = defaultdict(list)
    for question_id, topic_id in candidates:
        by_topic[topic_id].append(question_id)
    topic_order = list(by_topic)
    rng.shuffle(topic_order)
    keyed = []
    for topic_rank, topic_id in enumerate(topic_order):
        ids = by_topic[topic_id]
        rng.shuffle(ids)
        turn = Counter()
        for question_id in sorted(ids, key=seen.__getitem__):
            level = seen[question_id]
            keyed.append((level, turn[level], topic_rank, question_id))
            turn[level] += 1
    keyed.sort()
    return [question_id for *_, question_id in keyed[:quota]]


def freeze_item(attempt: Attempt, position: int, question: Question, rng: random.Random):
    choices = question.choice_list()
    rng.shuffle(choices)
    return AttemptItem(
        attempt=attempt,
        position=position,
        question=question,
        question_version=question.version,
        external_id=question.external_id,
        domain_code=question.topic.domain.code,
        domain_name=question.topic.domain.name,
        topic=question.topic,
        kind=question.kind,
        stem=question.stem,
        explanation=question.explanation,
        references=question.reference_list(),
        choices=choices,
    )


def start_attempt(
    *, user, blueprint: Blueprint, now: datetime, rng: random.Random | None = None
) -> Attempt:
    """Start a full mock exam, or return the learner's mock already in progress.

    Raises BankTooSmall, starting nothing, when the published bank cannot fill a domain.
    """
    current = Attempt.objects.in_progress().filter(user=user, mode=Attempt.Mode.MOCK).first()
    if current is not None:
        current = close_if_expired(current, now=now)
        if current.is_in_progress:
            return current
    rng = rng or random.Random()
    domains = list(blueprint.domains.prefetch_related("topics"))
    quotas = domain_quotas(domains, blueprint.question_count)
    seen = Counter(
        dict(
            AttemptItem.objects.filter(attempt__user=user, question__isnull=False)
            .order_by()
            .values_list("question")
            .annotate(n=Count("id"))
            .values_list("question", "n")
        )
    )
    published = Question.objects.published()
    chosen: list[int] = []
    shortages = []
    for domain in domains:
        topic_ids = [topic.pk for topic in domain.topics.all()]
        in_domain = published.filter(topic_id__in=topic_ids).values_list("id", "topic_id")
        # A large bank: a random sample of unseen questions is enough to spread over topics.
        sample_size = quotas[domain.pk] * SAMPLE_FACTOR
        candidates = []
        if len(seen) <= MAX_EXCLUDED_IDS:
            candidates = list(in_domain.exclude(id__in=list(seen)).order_by("?")[:sample_size])
        if len(candidates) < sample_size:
            # A small bank, or a learner who has seen most of it: weigh every question.
            candidates = list(in_domain.order_by("id"))
        if len(candidates) < quotas[domain.pk]:
            shortages.append(
                f"Domain {domain.code} ({domain.name}) has {len(candidates)} published "
                f"questions; the exam needs {quotas[domain.pk]}."
            )
            continue
        chosen += pick_questions(candidates, quotas[domain.pk], seen, rng)
    if shortages:
        raise BankTooSmall(" ".join(shortages))
    rng.shuffle(chosen)
    questions = Question.objects.select_related("topic__domain").prefetch_related(
        "choices", "references"
    )
    by_id = questions.in_bulk(chosen)
    try:
        with transaction.atomic():
            attempt = Attempt.objects.create(
                user=user,
                blueprint=blueprint,
                mode=Attempt.Mode.MOCK,
                started_at=now,
                deadline=now + timedelta(minutes=blueprint.minutes),
                question_count=len(chosen),
            )
            AttemptItem.objects.bulk_create(
                freeze_item(attempt, position, by_id[qid], rng)
                for position, qid in enumerate(chosen, start=1)
            )
    except IntegrityError:
        # Another request started this learner's mock at the same moment: resume that one.
        return Attempt.objects.in_progress().get(user=user, mode=Attempt.Mode.MOCK)
    return attempt


def start_practice(
    *, user, topic: Topic, now: datetime, size: int = 15, rng: random.Random | None = None
) -> Attempt:
    """Start an untimed practice of up to ``size`` questions from one topic: questions the
    learner last got wrong first, then the least seen. An unfinished practice is finished."""
    current = Attempt.objects.in_progress().filter(user=user, mode=Attempt.Mode.PRACTICE).first()
    if current is not None:
        submit_attempt(attempt=current, now=now)
    rng = rng or random.Random()
    candidates = list(Question.objects.published().in_topic(topic).values_list("id", flat=True))
    if not candidates:
        raise BankTooSmall(f"Topic {topic.code} has no published questions yet.")
    history = (
        AttemptItem.objects.filter(
            attempt__user=user, question__topic=topic, is_correct__isnull=False
        )
        .annotate(when=Coalesce("answered_at", "attempt__finished_at"))
        .order_by("when")
        .values_list("question_id", "is_correct")
    )
    seen: Counter = Counter()
    last_correct: dict[int, bool] = {}
    for question_id, is_correct in history:
        seen[question_id] += 1
        last_correct[question_id] = is_correct
    rng.shuffle(candidates)
    candidates.sort(key=lambda qid: (last_correct.get(qid, True), seen[qid]))
    chosen = candidates[:size]
    by_id = (
        Question.objects.select_related("topic__domain")
        .prefetch_related("choices", "references")
        .in_bulk(chosen)
    )
    with transaction.atomic():
        attempt = Attempt.objects.create(
            user=user,
            blueprint=topic.domain.blueprint,
            mode=Attempt.Mode.PRACTICE,
            topic=topic,
            started_at=now,
            question_count=len(chosen),
        )
        AttemptItem.objects.bulk_create(
            freeze_item(attempt, position, by_id[qid], rng)
            for position, qid in enumerate(chosen, start=1)
        )
    return attempt


def _locked(attempt: Attempt) -> Attempt:
    return Attempt.objects.select_for_update().get(pk=attempt.pk)


def tally(items: list[AttemptItem], domains: list[Domain]) -> tuple[int, list[dict]]:
    """Grade each item (setting ``is_correct``); return the correct count and per-domain rows."""
    per_domain = {
        d.code: {"code": d.code, "name": d.name, "correct": 0, "total": 0} for d in domains
    }
    for item in items:
        item.is_correct = item.grade()
        row = per_domain.setdefault(
            item.domain_code,
            {"code": item.domain_code, "name": item.domain_name, "correct": 0, "total": 0},
        )
        row["total"] += 1
        row["correct"] += item.is_correct
    correct = sum(item.is_correct for item in items)
    return correct, [row for row in per_domain.values() if row["total"]]


def _score(attempt: Attempt, *, state: str, now: datetime) -> Attempt:
    """Grade every item and store the totals; the attempt row must be locked."""
    items = list(attempt.items.all())
    if attempt.mode == Attempt.Mode.PRACTICE:
        # Practice counts only what was answered; skipped questions say nothing of mastery.
        items = [item for item in items if item.is_answered]
    correct, domain_scores = tally(items, list(attempt.blueprint.domains.all()))
    AttemptItem.objects.bulk_update(items, ["is_correct"])
    blueprint = attempt.blueprint
    attempt.state = state
    attempt.finished_at = now
    attempt.correct_count = correct
    attempt.domain_scores = domain_scores
    attempt.scaled_score = scaled_score(correct, len(items), blueprint)
    attempt.passed = attempt.scaled_score >= blueprint.pass_mark
    attempt.save()
    return attempt


def scaled_score(correct: int, total: int, blueprint: Blueprint) -> int:
    """An estimate: AWS does not publish its mapping, so scale the fraction linearly."""
    if total == 0:
        return blueprint.score_min
    span = blueprint.score_max - blueprint.score_min
    return blueprint.score_min + round(span * correct / total)


def close_if_expired(attempt: Attempt, *, now: datetime) -> Attempt:
    """Score an in-progress attempt past its deadline and grace, from the answers saved in time."""
    if not attempt.is_in_progress or not attempt.is_past_deadline(now):
        return attempt
    with transaction.atomic():
        attempt = _locked(attempt)
        if attempt.is_in_progress:
            return _score(attempt, state=Attempt.State.EXPIRED, now=attempt.deadline)
        return attempt


@transaction.atomic
def submit_attempt(*, attempt: Attempt, now: datetime) -> Attempt:
    """Submit and score. Submitting again, or racing another submit, returns the same result."""
    attempt = _locked(attempt)
    if not attempt.is_in_progress:
        return attempt
    if attempt.is_past_deadline(now):
        return _score(attempt, state=Attempt.State.EXPIRED, now=attempt.deadline)
    return _score(attempt, state=Attempt.State.SUBMITTED, now=now)


def _open_item(attempt: Attempt, position: int, now: datetime) -> AttemptItem:
    """Lock one item and its attempt (one query), if the attempt still takes answers."""
    item = (
        AttemptItem.objects.select_for_update()
        .select_related("attempt")
        .get(attempt_id=attempt.pk, position=position)
    )
    if not item.attempt.is_in_progress or item.attempt.is_past_deadline(now):
        raise AttemptClosed(item.attempt)
    return item


def answer_item(*, attempt: Attempt, position: int, selected: list[int], now: datetime):
    """Save the learner's selection for one question, replacing any earlier one.

    Raises AttemptClosed when the attempt is over (scoring it first if time ran out),
    InvalidAnswer when the selection does not fit the question.
    """
    attempt = close_if_expired(attempt, now=now)
    with transaction.atomic():
        item = _open_item(attempt, position, now)
        chosen = sorted(set(selected))
        if any(i < 0 or i >= len(item.choices) for i in chosen):
            raise InvalidAnswer("No such choice.")
        if item.kind == Question.Kind.SINGLE and len(chosen) > 1:
            raise InvalidAnswer("This question takes one answer.")
        item.selected = chosen
        item.answered_at = now if chosen else None
        if item.attempt.mode == Attempt.Mode.PRACTICE:
            # Practice shows the key at once, so an answer is final and graded now.
            if item.is_correct is not None:
                raise InvalidAnswer("This question was already answered.")
            if not chosen:
                raise InvalidAnswer("Choose an answer first.")
            item.is_correct = item.grade()
        item.save(update_fields=["selected", "answered_at", "is_correct"])
    return item


def flag_item(*, attempt: Attempt, position: int, flagged: bool, now: datetime) -> AttemptItem:
    """Mark or unmark a question for review; refused once the attempt is over."""
    attempt = close_if_expired(attempt, now=now)
    with transaction.atomic():
        item = _open_item(attempt, position, now)
        item.flagged = flagged
        item.save(update_fields=["flagged"])
    return item


def close_expired_attempts(*, now: datetime) -> int:
    """Score every attempt whose deadline and grace have passed; return how many."""
    closed = 0
    for attempt in Attempt.objects.past_deadline(now).only("pk", "state", "deadline"):
        if close_if_expired(attempt, now=now).state == Attempt.State.EXPIRED:
            closed += 1
    return closed
