"""Reads that pages need and models cannot say alone: plain data, a fixed number of queries."""

from datetime import datetime

from questions.models import Blueprint

from . import mastery
from .models import Attempt


def dashboard(user, blueprint: Blueprint | None, *, now: datetime) -> dict:
    """History, what is in progress, mastery, weakest topics and readiness of one learner."""
    attempts = list(
        Attempt.objects.filter(user=user)
        .exclude(state=Attempt.State.DISCARDED)
        .select_related("blueprint", "topic")
    )
    in_progress = {a.mode: a for a in attempts if a.is_in_progress}
    finished = [a for a in attempts if not a.is_in_progress]
    mock = in_progress.get(Attempt.Mode.MOCK)
    domains = mastery.learner_mastery(user, blueprint, now=now) if blueprint else []
    return {
        "blueprint": blueprint,
        "in_progress": mock,
        "in_progress_answered": mock.items.exclude(selected=[]).count() if mock else 0,
        "in_progress_seconds_left": mock.seconds_left(now) if mock else 0,
        "practice_in_progress": in_progress.get(Attempt.Mode.PRACTICE),
        "mocks": [a for a in finished if a.is_mock],
        "counted_mocks": [a for a in finished if a.is_mock and not a.excluded],
        "practices": [a for a in finished if a.is_practice],
        "domains": domains,
        "weakest": mastery.weakest_topics(domains),
        "readiness": mastery.readiness(domains, blueprint) if blueprint else None,
    }


def item_state(selected: list, required: int) -> str:
    """answered, incomplete (fewer picks than asked) or unanswered."""
    if not selected:
        return "unanswered"
    return "answered" if len(selected) >= required else "incomplete"


def navigator(attempt: Attempt, current: int) -> list[dict]:
    """One row per question for the navigator, its class and spoken label worked out here."""
    rows = []
    items = attempt.items.values_list("position", "selected", "flagged", "required")
    for position, selected, flagged, required in items:
        state = item_state(selected, required)
        rows.append(
            {
                "number": str(position),  # a string: the template skips number localization
                "state": state,
                "css": f"nav-item {state}{' flagged' if flagged else ''}",
                "label": f"Question {position}, {state}{', flagged' if flagged else ''}",
                "current": position == current,
            }
        )
    return rows


def progress(rows: list[dict]) -> dict:
    """Counts the exam bar, the review screen and the submit confirmation show."""
    states = [row["state"] for row in rows]
    return {
        "answered_count": states.count("answered"),
        "incomplete_count": states.count("incomplete"),
        "unanswered_count": states.count("unanswered"),
    }


REVIEW_SCREEN_FILTERS = {
    "all": "All",
    "unanswered": "Unanswered",
    "incomplete": "Incomplete",
    "flagged": "Flagged",
}


def review_screen(attempt: Attempt, show: str = "all") -> dict:
    """The review screen before submitting: flagged and incomplete first, then unanswered,
    then the rest; the counts for the filters and the submit confirmation."""
    rows = []
    for row in attempt.items.values("position", "selected", "flagged", "required", "stem"):
        row["state"] = item_state(row["selected"], row["required"])
        rows.append(row)
    counts = {
        "all": len(rows),
        "unanswered": sum(r["state"] == "unanswered" for r in rows),
        "incomplete": sum(r["state"] == "incomplete" for r in rows),
        "flagged": sum(r["flagged"] for r in rows),
    }
    if show == "flagged":
        rows = [r for r in rows if r["flagged"]]
    elif show in ("unanswered", "incomplete"):
        rows = [r for r in rows if r["state"] == show]
    rows.sort(
        key=lambda r: (
            not (r["flagged"] or r["state"] == "incomplete"),
            r["state"] != "unanswered",
            r["position"],
        )
    )
    filters = [
        {"key": key, "label": label, "count": counts[key]}
        for key, label in REVIEW_SCREEN_FILTERS.items()
    ]
    return {"rows": rows, "counts": counts, "filters": filters, "show": show}


# Fewer answers than this say nothing of a learner's pace.
MIN_ANSWERS_FOR_PACE = 10


def pacing(attempt: Attempt) -> dict:
    """Time per domain against the exam's pace, the slowest questions and a verdict, from the
    time recorded on each question."""
    pace = attempt.blueprint.pace_seconds
    items = list(
        attempt.items.values(
            "position", "domain_code", "domain_name", "seconds_spent", "stem", "selected"
        )
    )
    spent = sum(i["seconds_spent"] for i in items)
    domains: dict[str, dict] = {}
    for item in items:
        row = domains.setdefault(
            item["domain_code"],
            {"code": item["domain_code"], "name": item["domain_name"], "seconds": 0, "count": 0},
        )
        row["seconds"] += item["seconds_spent"]
        row["count"] += 1
    for row in domains.values():
        row["per_question"] = row["seconds"] / row["count"]
    slowest = sorted(items, key=lambda i: (-i["seconds_spent"], i["position"]))[:5]
    answered = sum(bool(i["selected"]) for i in items)
    per_question = spent / answered if answered >= MIN_ANSWERS_FOR_PACE else 0
    return {
        "pace": pace,
        "spent": spent,
        "per_question": per_question,
        "domains": sorted(domains.values(), key=lambda r: r["code"]),
        "slowest": [i for i in slowest if i["seconds_spent"]],
        "verdict": pacing_verdict(per_question, pace, len(items), expired=attempt.is_expired),
    }


def pacing_verdict(per_question: float, pace: float, count: int, *, expired: bool) -> str:
    """One line on the learner's pace: seconds a question against the exam's."""
    if per_question == 0:
        return (
            f"Too few answers to judge your pace: answer at least {MIN_ANSWERS_FOR_PACE} "
            f"questions of a mock and this will compare you with the exam's pace."
        )
    minutes, target = per_question / 60, pace / 60
    needed = per_question * count / 60
    if expired:
        return (
            f"Time ran out: at {minutes:.1f} min a question all {count} need about "
            f"{needed:.0f} minutes. Practise answering at {target:.1f} min a question."
        )
    if per_question > pace * 1.1:
        return (
            f"Slower than the exam's pace: {minutes:.1f} min a question against {target:.1f}; "
            f"at this speed {count} questions take about {needed:.0f} minutes."
        )
    if per_question < pace * 0.6:
        return (
            f"Well ahead of the exam's pace: {minutes:.1f} min a question against "
            f"{target:.1f}, time enough to read each scenario twice."
        )
    return f"On the exam's pace: {minutes:.1f} min a question against {target:.1f}."


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
