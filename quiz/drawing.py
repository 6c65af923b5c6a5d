"""Which questions an attempt shows: quotas per domain, least-seen first, spread over topics,
and the frozen copy of each question as the learner will see it."""

import random
from collections import Counter, defaultdict

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


def times_seen(user) -> Counter:
    """How many times the learner has been shown each question, in one query."""
    return Counter(
        dict(
            AttemptItem.objects.filter(attempt__user=user, question__isnull=False)
            .order_by()
            .values_list("question")
            .annotate(n=Count("id"))
            .values_list("question", "n")
        )
    )


def draw_mock(*, user, blueprint: Blueprint, rng: random.Random) -> list[int]:
    """Question ids for a full mock, shuffled. Raises BankTooSmall naming each short domain."""
    domains = list(blueprint.domains.prefetch_related("topics"))
    quotas = domain_quotas(domains, blueprint.question_count)
    seen = times_seen(user)
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
    return chosen


def draw_practice(*, user, topic: Topic, size: int, rng: random.Random) -> list[int]:
    """Up to ``size`` question ids of one topic: those the learner last got wrong first, then
    the least seen."""
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
    return candidates[:size]


def freeze_items(attempt: Attempt, question_ids: list[int], rng: random.Random):
    """One AttemptItem per question, in order, with its choices shuffled (not yet saved)."""
    by_id = (
        Question.objects.select_related("topic__domain")
        .prefetch_related("choices", "references")
        .in_bulk(question_ids)
    )
    items = []
    for position, question_id in enumerate(question_ids, start=1):
        question = by_id[question_id]
        choices = question.choice_list()
        rng.shuffle(choices)
        items.append(
            AttemptItem(
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
                required=sum(choice["correct"] for choice in choices),
            )
        )
    return items


class Source:
    """Which questions a custom quiz draws from, before least-seen-first picking."""

    ALL = "all"
    MISSED = "missed"
    FLAGGED = "flagged"
    UNSEEN = "unseen"
    CHOICES = [
        (ALL, "Any question"),
        (MISSED, "Questions I last got wrong"),
        (FLAGGED, "Questions I flagged"),
        (UNSEEN, "Questions I have not seen"),
    ]


def last_missed(user, *, within=None) -> set[int]:
    """Questions whose latest graded answer by the learner was wrong (in ``within``, an
    attempt, when given)."""
    items = AttemptItem.objects.filter(
        attempt__user=user, is_correct__isnull=False, question__isnull=False
    )
    if within is not None:
        return set(
            items.filter(attempt=within, is_correct=False).values_list("question", flat=True)
        )
    latest: dict[int, bool] = {}
    rows = items.annotate(when=Coalesce("answered_at", "attempt__finished_at")).order_by("when")
    for question_id, is_correct in rows.values_list("question_id", "is_correct"):
        latest[question_id] = is_correct
    return {qid for qid, correct in latest.items() if not correct}


def draw_quiz(
    *, user, topic_ids: list[int], size: int, source: str, rng: random.Random, within=None
) -> list[int]:
    """Up to ``size`` question ids from the topics: least seen first, spread over topics."""
    candidates = list(
        Question.objects.published().filter(topic_id__in=topic_ids).values_list("id", "topic_id")
    )
    seen = times_seen(user)
    if source == Source.MISSED:
        missed = last_missed(user, within=within)
        candidates = [c for c in candidates if c[0] in missed]
    elif source == Source.FLAGGED:
        flagged = set(
            AttemptItem.objects.filter(attempt__user=user, flagged=True).values_list(
                "question", flat=True
            )
        )
        candidates = [c for c in candidates if c[0] in flagged]
    elif source == Source.UNSEEN:
        candidates = [c for c in candidates if c[0] not in seen]
    if not candidates:
        raise BankTooSmall("No published question matches that choice yet.")
    chosen = pick_questions(candidates, size, seen, rng)
    rng.shuffle(chosen)
    return chosen
