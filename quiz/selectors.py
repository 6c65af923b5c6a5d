"""Reads that pages need and models cannot say alone: plain data, a fixed number of queries."""

from datetime import datetime

from django.db.models import Min

from questions.models import Blueprint, Report

from . import mastery, scheduling
from .models import STATE_BY_LETTER, Attempt, AttemptItem, item_state

# The dashboard lists the latest few; the history page has them all.
RECENT_ROWS = 10
TREND_POINTS = 20


def dashboard(user, blueprint: Blueprint | None, *, now: datetime) -> dict:
    """History, what is in progress, mastery, weakest topics and readiness of one learner."""
    attempts = list(
        Attempt.objects.filter(user=user)
        .exclude(state=Attempt.State.DISCARDED)
        .select_related("blueprint", "topic")
    )
    in_progress = {a.mode: a for a in attempts if a.is_in_progress}
    finished = [a for a in attempts if not a.is_in_progress]
    mock = in_progress.pop(Attempt.Mode.MOCK, None)
    studying = list(in_progress.values())
    resume_at = dict(
        AttemptItem.objects.filter(attempt__in=studying, selected=[])
        .order_by()
        .values_list("attempt")
        .annotate(first=Min("position"))
        .values_list("attempt", "first")
    )
    for attempt in studying:
        attempt.resume_at = (
            resume_at.get(attempt.pk, attempt.question_count)
            if attempt.instant_feedback
            else attempt.last_position
        )
    domains = mastery.learner_mastery(user, blueprint, now=now) if blueprint else []
    mocks = [a for a in finished if a.is_mock]  # newest first
    practices = [a for a in finished if not a.is_mock]
    counted = [a for a in mocks if not a.excluded]
    return {
        "blueprint": blueprint,
        "in_progress": mock,
        "in_progress_answered": mock.items.exclude(selected=[]).count() if mock else 0,
        "in_progress_seconds_left": mock.seconds_left(now) if mock else 0,
        "studying": studying,
        "due_count": scheduling.due(user, now=now).count(),
        "mocks": mocks[:RECENT_ROWS],
        "counted_mocks": counted[:TREND_POINTS],
        "practices": practices[:RECENT_ROWS],
        "counts": {"mocks": len(mocks), "counted": len(counted), "practices": len(practices)},
        "domains": domains,
        "weakest": mastery.weakest_topics(domains),
        "readiness": mastery.readiness(domains, blueprint, now=now) if blueprint else None,
    }


def history(user):
    """Every finished attempt of the learner, newest first."""
    return (
        Attempt.objects.filter(user=user)
        .exclude(state__in=[Attempt.State.IN_PROGRESS, Attempt.State.DISCARDED])
        .select_related("topic")
    )


def navigator(attempt: Attempt, current: int) -> list[dict]:
    """One row per question for the navigator, its class and spoken label worked out here,
    from the attempt's ``item_states`` (no query)."""
    rows = []
    for position, letter in enumerate(attempt.item_states, start=1):
        state, flagged = STATE_BY_LETTER[letter.lower()], letter.isupper()
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
            {"code": item["domain_code"], "name": item["domain_name"], "seconds": 0, "answered": 0},
        )
        row["seconds"] += item["seconds_spent"]
        row["answered"] += bool(item["selected"])
    for row in domains.values():
        # Per answered question, like the verdict: skipped ones would dilute it.
        row["per_question"] = row["seconds"] / row["answered"] if row["answered"] else None
    slowest = sorted(items, key=lambda i: (-i["seconds_spent"], i["position"]))[:5]
    answered = sum(bool(i["selected"]) for i in items)
    per_question = spent / answered if answered else 0
    return {
        "pace": pace,
        "spent": spent,
        "per_question": per_question,
        "domains": sorted(domains.values(), key=lambda r: r["code"]),
        "slowest": [i for i in slowest if i["seconds_spent"]],
        "verdict": pacing_verdict(
            per_question, pace, len(items), expired=attempt.is_expired, answered=answered
        ),
    }


def pacing_verdict(
    per_question: float, pace: float, count: int, *, expired: bool, answered: int = 0
) -> str:
    """One line on the learner's pace: seconds a question against the exam's."""
    if answered < MIN_ANSWERS_FOR_PACE:
        return (
            f"Too few answers to judge your pace: answer at least {MIN_ANSWERS_FOR_PACE} "
            f"questions of a mock and this will compare you with the exam's pace."
        )
    if per_question == 0:
        return "No time was recorded on these questions, so there is no pace to judge."
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


def review_choices(attempt: Attempt) -> tuple[list[tuple[str, str]], list[tuple[str, str, str]]]:
    """The domains an attempt's questions come from, as (code, label), and its topics as
    (code, label, domain code)."""
    domains = [(row["code"], f"{row['code']}. {row['name']}") for row in attempt.domain_scores]
    topics = sorted(set(attempt.items.values_list("topic__code", "topic__name", "domain_code")))
    return domains, [(code, f"{code} {name}", domain) for code, name, domain in topics]


def reviewed_items(attempt: Attempt, *, show: str, domain: str, topic: str):
    """The attempt's frozen items that pass the review filters, in order."""
    items = attempt.items.select_related("topic")
    if show == "incorrect":
        items = items.filter(is_correct=False).exclude(selected=[])
    elif show == "flagged":
        items = items.filter(flagged=True)
    elif show == "unanswered":
        items = items.filter(selected=[])
    if domain:
        items = items.filter(domain_code=domain)
    if topic:
        items = items.filter(topic__code=topic)
    return items


def first_unanswered(attempt: Attempt) -> int:
    """Where a practice, quiz or review resumes: its first unanswered question (or the last)."""
    positions = attempt.items.filter(selected=[]).order_by("position")
    return positions.values_list("position", flat=True).first() or attempt.question_count


def practice_progress(attempt: Attempt, position: int) -> dict:
    """For a question with instant feedback: how many are answered, and where Skip goes."""
    answered = set(attempt.items.exclude(selected=[]).values_list("position", flat=True))
    later = [p for p in range(position + 1, attempt.question_count + 1) if p not in answered]
    return {"answered_count": len(answered), "skip_to": later[0] if later else None}


def results_by_topic(attempt: Attempt) -> list[dict]:
    """Per topic of an attempt: right, wrong (answered) and unanswered, weakest first."""
    rows: dict[str, dict] = {}
    items = attempt.items.values_list("topic__code", "topic__name", "topic_id", "selected",
                                      "is_correct")  # fmt: skip
    for code, name, topic_id, selected, is_correct in items:
        row = rows.setdefault(
            code,
            {"code": code, "name": name, "topic_id": topic_id, "correct": 0, "wrong": 0,
             "unanswered": 0},
        )  # fmt: skip
        if not selected:
            row["unanswered"] += 1
        elif is_correct:
            row["correct"] += 1
        else:
            row["wrong"] += 1
    for row in rows.values():
        row["total"] = row["correct"] + row["wrong"] + row["unanswered"]
    return sorted(rows.values(), key=lambda r: (r["correct"] / r["total"], r["code"]))


def weakest_of(topics: list[dict]) -> dict | None:
    """The topic of an attempt to practise next: the lowest share right, if any was missed."""
    missed = [t for t in topics if t["correct"] < t["total"]]
    return missed[0] if missed else None


def attach_reports(user, items) -> list:
    """Each item with ``report``: the learner's latest report on its question, or None."""
    items = list(items)
    latest = {}
    reports = Report.objects.filter(user=user, question__in={i.question_id for i in items})
    for report in reports.order_by("created_at"):
        latest[report.question_id] = report
    for item in items:
        item.report = latest.get(item.question_id)
    return items
