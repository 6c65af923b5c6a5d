"""Grading items and turning a count of right answers into the exam's scaled score."""

from datetime import datetime

from django.utils import timezone

from questions.models import Blueprint, Domain

from . import scheduling
from .models import Attempt, AttemptItem


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


def scaled_score(correct: int, total: int, blueprint: Blueprint) -> int:
    """An estimate: AWS does not publish its mapping, so scale the fraction linearly."""
    if total == 0:
        return blueprint.score_min
    span = blueprint.score_max - blueprint.score_min
    return blueprint.score_min + round(span * correct / total)


def score_attempt(attempt: Attempt, *, state: str, now: datetime) -> Attempt:
    """Grade every item and store the totals; the caller holds the attempt row's lock."""
    items = list(attempt.items.all())
    if not attempt.is_mock:
        # Only a mock counts every question; elsewhere a skipped one says nothing of mastery.
        items = [item for item in items if item.is_answered]
    correct, domain_scores = tally(items, list(attempt.blueprint.domains.all()))
    for item in items:
        item.graded_on = timezone.localdate(item.answered_at or now)
    AttemptItem.objects.bulk_update(items, ["is_correct", "graded_on"])
    if not attempt.instant_feedback:
        # Answers given with instant feedback were scheduled as they came.
        scheduling.record_answers(user=attempt.user, items=items, now=now)
    blueprint = attempt.blueprint
    attempt.state = state
    attempt.finished_at = now
    attempt.correct_count = correct
    attempt.domain_scores = domain_scores
    attempt.scaled_score = scaled_score(correct, len(items), blueprint)
    attempt.passed = attempt.scaled_score >= blueprint.pass_mark
    attempt.save()
    return attempt
