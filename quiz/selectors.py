"""Reads that pages need and models cannot say alone: plain data, a fixed number of queries."""

from datetime import datetime

from questions.models import Blueprint

from . import mastery
from .models import Attempt


def dashboard(user, blueprint: Blueprint | None, *, now: datetime) -> dict:
    """History, what is in progress, mastery, weakest topics and readiness of one learner."""
    attempts = list(Attempt.objects.filter(user=user).select_related("blueprint", "topic"))
    in_progress = {a.mode: a for a in attempts if a.is_in_progress}
    finished = [a for a in attempts if not a.is_in_progress]
    domains = mastery.learner_mastery(user, blueprint, now=now) if blueprint else []
    return {
        "blueprint": blueprint,
        "in_progress": in_progress.get(Attempt.Mode.MOCK),
        "practice_in_progress": in_progress.get(Attempt.Mode.PRACTICE),
        "mocks": [a for a in finished if a.is_mock],
        "practices": [a for a in finished if a.is_practice],
        "domains": domains,
        "weakest": mastery.weakest_topics(domains),
        "readiness": mastery.readiness(domains, blueprint) if blueprint else None,
    }


def navigator(attempt: Attempt, current: int) -> list[dict]:
    """One row per question for the navigator, its class and spoken label worked out here."""
    rows = []
    for position, selected, flagged in attempt.items.values_list("position", "selected", "flagged"):
        state = "answered" if selected else "unanswered"
        rows.append(
            {
                "number": str(position),  # a string: the template skips number localization
                "answered": bool(selected),
                "css": f"nav-item {state}{' flagged' if flagged else ''}",
                "label": f"Question {position}, {state}{', flagged' if flagged else ''}",
                "current": position == current,
            }
        )
    return rows


def finish_rows(attempt: Attempt) -> list[dict]:
    """The review screen's rows: unanswered first, then flagged, then by number."""
    rows = list(attempt.items.values("position", "selected", "flagged", "stem"))
    rows.sort(key=lambda r: (bool(r["selected"]), not r["flagged"], r["position"]))
    return rows


def review_choices(attempt: Attempt) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """The domains and topics an attempt's questions come from, as (code, label) pairs."""
    domains = [(row["code"], f"{row['code']}. {row['name']}") for row in attempt.domain_scores]
    topics = sorted(set(attempt.items.values_list("topic__code", "topic__name")))
    return domains, [(code, f"{code} {name}") for code, name in topics]


def reviewed_items(attempt: Attempt, *, show: str, domain: str, topic: str):
    """The attempt's frozen items that pass the review filters, in order."""
    items = attempt.items.select_related("topic")
    if show == "incorrect":
        items = items.filter(is_correct=False)
    elif show == "flagged":
        items = items.filter(flagged=True)
    elif show == "unanswered":
        items = items.filter(selected=[])
    if domain:
        items = items.filter(domain_code=domain)
    if topic:
        items = items.filter(topic__code=topic)
    return items
