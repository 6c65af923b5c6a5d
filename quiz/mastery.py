"""Mastery: how well a learner knows each domain and topic, from every graded answer.

Each answer weighs 0.5 ** (age in days / HALF_LIFE_DAYS), so recent answers count more.
The estimate is the mean of a Beta(PRIOR + weighted correct, PRIOR + weighted wrong)
posterior: with few answers it stays near 50 %, and it never leaves [0, 1]. The range is
the mean ± 1.645 standard deviations of that posterior (about a 90 % interval), clipped.
docs/mastery.md explains the choice.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from math import sqrt

from django.db.models import Count, Q
from django.db.models.functions import Coalesce, TruncDate

from questions.models import Blueprint

from .models import AttemptItem

HALF_LIFE_DAYS = 30
PRIOR = 1.0
Z90 = 1.645


@dataclass(frozen=True)
class Evidence:
    """Answers to one topic on one day: how many, and how many were right."""

    day: date
    answered: int
    correct: int


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


def evidence_by_topic(user) -> dict[int, list[Evidence]]:
    """Every graded answer of the learner, grouped by topic and day, in one query."""
    rows = (
        AttemptItem.objects.filter(
            attempt__user=user, attempt__excluded=False, is_correct__isnull=False
        )
        .annotate(day=TruncDate(Coalesce("answered_at", "attempt__finished_at")))
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


@dataclass
class DomainMastery:
    code: str
    name: str
    weight: int
    estimate: Estimate
    topics: list[TopicMastery]


@dataclass
class Readiness:
    score: int
    low: int
    high: int


def learner_mastery(user, blueprint: Blueprint, *, now: datetime) -> list[DomainMastery]:
    """Per-domain and per-topic estimates for the blueprint's topics (two queries)."""
    today = now.date()
    evidence = evidence_by_topic(user)
    domains = []
    for domain in blueprint.domains.prefetch_related("topics"):
        topics = [
            TopicMastery(
                code=topic.code,
                name=topic.name,
                domain_code=domain.code,
                topic_id=topic.pk,
                estimate=estimate(evidence.get(topic.pk, []), today=today),
            )
            for topic in domain.topics.all()
        ]
        pooled = [e for topic in domain.topics.all() for e in evidence.get(topic.pk, [])]
        domains.append(
            DomainMastery(
                code=domain.code,
                name=domain.name,
                weight=domain.weight,
                estimate=estimate(pooled, today=today),
                topics=topics,
            )
        )
    return domains


def weakest_topics(domains: list[DomainMastery], count: int = 3) -> list[TopicMastery]:
    """Seen topics with the lowest estimate; among equals, the better-evidenced first."""
    seen = [t for d in domains for t in d.topics if t.estimate.seen]
    return sorted(seen, key=lambda t: (t.estimate.mean, -t.estimate.answered))[:count]


def readiness(domains: list[DomainMastery], blueprint: Blueprint) -> Readiness | None:
    """Expected scaled score on a full mock: domain estimates weighted by the blueprint.

    An unseen domain counts at the prior (50 %) with the prior's wide spread.
    """
    if not any(d.estimate.seen for d in domains):
        return None
    total_weight = sum(d.weight for d in domains) or 1
    mean = variance = 0.0
    for domain in domains:
        share = domain.weight / total_weight
        if domain.estimate.seen:
            mean += share * domain.estimate.mean
            variance += share**2 * domain.estimate.variance
        else:
            mean += share * 0.5
            variance += share**2 * (1 / 12)
    spread = Z90 * sqrt(variance)
    span = blueprint.score_max - blueprint.score_min

    def scaled(fraction: float) -> int:
        return blueprint.score_min + round(span * min(1.0, max(0.0, fraction)))

    return Readiness(score=scaled(mean), low=scaled(mean - spread), high=scaled(mean + spread))
