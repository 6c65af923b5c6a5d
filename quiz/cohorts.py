"""Reads for an instructor's cohort page: each member's readiness and mocks, a learners ×
domains mastery map, the cohort's weakest topics and most-missed questions. A fixed number of
queries, whatever the number of members."""

from collections import defaultdict
from datetime import datetime

from django.db.models import Count, Max, Q

from questions.models import Blueprint

from . import mastery
from .models import Attempt, AttemptItem, Cohort

MOST_MISSED = 10
MIN_ANSWERS_TO_RANK = 3


def graded_items(cohort: Cohort):
    return AttemptItem.objects.filter(
        attempt__user__cohorts=cohort, attempt__excluded=False, is_correct__isnull=False
    ).exclude(attempt__state=Attempt.State.DISCARDED)


def overview(cohort: Cohort, blueprint: Blueprint, *, now: datetime) -> dict:
    members = list(cohort.members.order_by("username"))
    evidence: dict[int, dict[int, list]] = defaultdict(lambda: defaultdict(list))
    rows = (
        graded_items(cohort)
        .annotate(day=mastery.evidence_day())
        .order_by()
        .values("attempt__user", "topic_id", "day")
        .annotate(answered=Count("id"), correct=Count("id", filter=Q(is_correct=True)))
    )
    for row in rows:
        evidence[row["attempt__user"]][row["topic_id"]].append(
            mastery.Evidence(row["day"], row["answered"], row["correct"])
        )
    mocks = {
        row["user"]: row
        for row in Attempt.objects.filter(
            user__in=members,
            mode=Attempt.Mode.MOCK,
            excluded=False,
            state__in=[Attempt.State.SUBMITTED, Attempt.State.EXPIRED],
        )
        .order_by()
        .values("user")
        .annotate(count=Count("id"), last=Max("finished_at"))
    }
    domains = list(blueprint.domains.prefetch_related("topics"))
    learners = []
    pooled: dict[int, list] = defaultdict(list)
    for member in members:
        per_topic = evidence.get(member.pk, {})
        for topic_id, found in per_topic.items():
            pooled[topic_id] += found
        by_domain = mastery.domain_mastery(per_topic, domains, today=now.date())
        learners.append(
            {
                "user": member,
                "domains": by_domain,
                "readiness": mastery.readiness(by_domain, blueprint, now=now),
                "mocks": mocks.get(member.pk, {}).get("count", 0),
                "last_mock": mocks.get(member.pk, {}).get("last"),
            }
        )
    cohort_domains = mastery.domain_mastery(pooled, domains, today=now.date())
    return {
        "cohort": cohort,
        "domains": domains,
        "learners": learners,
        "weakest": mastery.weakest_topics(cohort_domains, count=5),
        "missed": most_missed(cohort),
    }


def most_missed(cohort: Cohort) -> list[dict]:
    """The questions the cohort gets wrong most often (with enough answers to say so)."""
    rows = (
        graded_items(cohort)
        .filter(question__isnull=False)
        .order_by()
        .values("question", "external_id", "topic__code")
        .annotate(answered=Count("id"), wrong=Count("id", filter=Q(is_correct=False)))
        .filter(answered__gte=MIN_ANSWERS_TO_RANK)
    )
    ranked = sorted(rows, key=lambda r: (-r["wrong"] / r["answered"], -r["answered"]))
    return [{**row, "rate": row["wrong"] / row["answered"]} for row in ranked[:MOST_MISSED]]
