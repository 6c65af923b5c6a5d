"""Mastery: how well a learner knows each domain and topic, from every graded answer.

Each answer weighs 0.5 ** (age in days / HALF_LIFE_DAYS), so recent answers count more.
The estimate is the mean of a Beta(PRIOR + weighted correct, PRIOR + weighted wrong)
posterior: with few answers it stays near 50 %, and it never leaves [0, 1]. The range is
the mean ± 1.645 standard deviations of that posterior (about a 90 % interval), clipped.
Readiness, the next mock's score, is worked out by quiz/readiness.py from the same answers.
docs/mastery.md explains the choices.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from math import sqrt

from django.db.models import Count, Q
from django.db.models.functions import Coalesce, TruncDate

from questions.models import Blueprint

from .models import Attempt, AttemptItem
from .readiness import DomainEvidence, Evidence, Exam, Prediction, predict

HALF_LIFE_DAYS = 30
PRIOR = 1.0
Z90 = 1.645


@dataclass(frozen=True)
class Estimate:
    answered: int
    correct: int
    mean: float | None
    low: float | None
    high: float | None
    variance: float = 0.0

    @property
    def seen(self) -> bool:
        return self.answered > 0

    @property
    def percent(self) -> int | None:
        return None if self.mean is None else round(100 * self.mean)


def weight(day: date, today: date) -> float:
    return 0.5 ** (max(0, (today - day).days) / HALF_LIFE_DAYS)


def estimate(evidence: list[Evidence], *, today: date) -> Estimate:
    """The recency-weighted Beta estimate of the chance of answering correctly."""
    answered = sum(e.answered for e in evidence)
    correct = sum(e.correct for e in evidence)
    if answered == 0:
        return Estimate(answered=0, correct=0, mean=None, low=None, high=None)
    right = sum(weight(e.day, today) * e.correct for e in evidence)
    wrong = sum(weight(e.day, today) * (e.answered - e.correct) for e in evidence)
    a, b = PRIOR + right, PRIOR + wrong
    mean = a / (a + b)
    variance = a * b / ((a + b) ** 2 * (a + b + 1))
    spread = Z90 * sqrt(variance)
    return Estimate(
        answered=answered,
        correct=correct,
        mean=mean,
        low=max(0.0, mean - spread),
        high=min(1.0, mean + spread),
        variance=variance,
    )


def evidence_day():
    """The day an answer counts on: stored when graded; worked out for older rows."""
    return Coalesce("graded_on", TruncDate(Coalesce("answered_at", "attempt__finished_at")))


def evidence_by_topic(user) -> dict[int, list[Evidence]]:
    """Every graded answer of the learner, grouped by topic and day, in one query."""
    rows = (
        AttemptItem.objects.filter(
            attempt__user=user, attempt__excluded=False, is_correct__isnull=False
        )
        .exclude(attempt__state=Attempt.State.DISCARDED)
        .annotate(day=evidence_day())
        .order_by()
        .values("topic_id", "day")
        .annotate(answered=Count("id"), correct=Count("id", filter=Q(is_correct=True)))
    )
    grouped: dict[int, list[Evidence]] = defaultdict(list)
    for row in rows:
        grouped[row["topic_id"]].append(Evidence(row["day"], row["answered"], row["correct"]))
    return grouped


@dataclass
class TopicMastery:
    code: str
    name: str
    domain_code: str
    topic_id: int
    estimate: Estimate
    evidence: tuple[Evidence, ...] = ()


@dataclass
class DomainMastery:
    code: str
    name: str
    weight: int
    estimate: Estimate
    topics: list[TopicMastery]


def learner_mastery(user, blueprint: Blueprint, *, now: datetime) -> list[DomainMastery]:
    """Per-domain and per-topic estimates for the blueprint's topics (two queries)."""
    domains = blueprint.domains.prefetch_related("topics")
    return domain_mastery(evidence_by_topic(user), domains, today=now.date())


def domain_mastery(
    evidence: dict[int, list[Evidence]], domains, *, today: date
) -> list[DomainMastery]:
    """Estimates per domain and topic from evidence grouped by topic id (no query when the
    domains' topics are prefetched): one learner's, or a cohort's pooled."""
    found = []
    for domain in domains:
        topics = [
            TopicMastery(
                code=topic.code,
                name=topic.name,
                domain_code=domain.code,
                topic_id=topic.pk,
                estimate=estimate(evidence.get(topic.pk, []), today=today),
                evidence=tuple(evidence.get(topic.pk, [])),
            )
            for topic in domain.topics.all()
        ]
        pooled = [e for topic in domain.topics.all() for e in evidence.get(topic.pk, [])]
        found.append(
            DomainMastery(
                code=domain.code,
                name=domain.name,
                weight=domain.weight,
                estimate=estimate(pooled, today=today),
                topics=topics,
            )
        )
    return found


def weakest_topics(domains: list[DomainMastery], count: int = 3) -> list[TopicMastery]:
    """Seen topics with the lowest estimate; among equals, the better-evidenced first."""
    seen = [t for d in domains for t in d.topics if t.estimate.seen]
    return sorted(seen, key=lambda t: (t.estimate.mean, -t.estimate.answered))[:count]


def readiness(
    domains: list[DomainMastery], blueprint: Blueprint, *, now: datetime | None = None
) -> Prediction | None:
    """The learner's next full mock: scaled score and a range that should hold it 9 times in
    10 (quiz/readiness.py), from the answers behind ``domains`` as of ``now`` (by default,
    the day of the latest answer). None before the first answer."""
    evidence = [
        DomainEvidence(
            weight=domain.weight, topics=tuple(topic.evidence for topic in domain.topics)
        )
        for domain in domains
    ]
    days = [e.day for domain in evidence for topic in domain.topics for e in topic]
    if not days:
        return None
    exam = Exam(
        question_count=blueprint.question_count,
        score_min=blueprint.score_min,
        score_max=blueprint.score_max,
    )
    return predict(evidence, exam, today=now.date() if now else max(days))
