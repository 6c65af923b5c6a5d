"""Exam workflows: starting, answering, flagging, submitting and expiring attempts.

Every function takes ``now``; only views read the clock.

Lock order: every transition of an attempt takes the attempt row's lock first
(``SELECT … FOR UPDATE`` on ``quiz_attempt``) and only then reads or writes its items. Items are
written by nobody who does not hold their attempt's lock, so they need no lock of their own,
and an answer arriving with the submit waits for it instead of deadlocking.
"""

import random
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from questions.models import Blueprint, Report, Topic

from . import scheduling
from .drawing import BankTooSmall, Source, draw_mock, draw_practice, draw_quiz, freeze_items
from .models import Attempt, AttemptItem, Cohort, Membership
from .prepared import PreparedRead, PreparedUpdate
from .scoring import score_attempt

__all__ = ["BankTooSmall"]

# Time credited to a question per action is capped, so an idle tab does not count hours.
MAX_SECONDS_PER_VIEW = 600
# The countdown's auto-submit may arrive a moment before the deadline by the server's clock.
TIMEOUT_TOLERANCE = timedelta(seconds=5)


class AttemptClosed(Exception):
    """The attempt no longer takes answers (submitted, or past its deadline and grace)."""

    def __init__(self, attempt: Attempt):
        super().__init__(f"Attempt {attempt.pk} is {attempt.state}.")
        self.attempt = attempt


class InvalidAnswer(ValueError):
    """The submitted choices do not fit the question (unknown index, too many picks)."""


class MockInProgress(Exception):
    """Refused while the learner has a mock exam open (its key must stay hidden)."""

    def __init__(self, mock: Attempt):
        super().__init__(f"Mock exam {mock.pk} is in progress.")
        self.mock = mock


_LOCKED_ATTEMPT = PreparedRead(
    lambda pk: (
        Attempt.objects.select_for_update(of=("self",))
        .select_related("blueprint")
        .filter(pk=pk)
        .order_by()
    ),
    "pk",
)


# The writes of every answer, flag and strike, compiled once per process like the lock: the
# item's change with the time credited to it, then the attempt's last action and navigator.
_ANSWER, _FLAG, _STRIKE = (
    PreparedUpdate(AttemptItem, set=fields, add=("seconds_spent",))
    for fields in (("selected", "answered_at"), ("flagged",), ("struck",))
)
_LAST_ACTION = PreparedUpdate(Attempt, set=("last_event_at", "last_position", "item_states"))


def _lock(attempt: Attempt) -> Attempt:
    """The attempt read again and locked until the transaction ends (a query compiled once per
    process: every answer takes this lock)."""
    locked = _LOCKED_ATTEMPT.first(pk=attempt.pk)
    if locked is None:
        raise Attempt.DoesNotExist(f"Attempt {attempt.pk} no longer exists.")
    return locked


def _expire_if_due(attempt: Attempt, now: datetime) -> bool:
    """With the attempt locked: score it as expired if its time and grace are over. True when
    the attempt no longer takes answers."""
    if attempt.is_in_progress and attempt.is_past_deadline(now):
        score_attempt(attempt, state=Attempt.State.EXPIRED, now=attempt.deadline)
    return not attempt.is_in_progress


def close_if_expired(attempt: Attempt, *, now: datetime) -> Attempt:
    """Score an in-progress attempt past its deadline and grace, from the answers saved in time."""
    if not attempt.is_in_progress or not attempt.is_past_deadline(now):
        return attempt
    with transaction.atomic():
        attempt = _lock(attempt)
        _expire_if_due(attempt, now)
    return attempt


def open_mock(user, *, now: datetime) -> Attempt | None:
    """The learner's mock exam that still takes answers, closing it first if time ran out."""
    mock = Attempt.objects.in_progress().filter(user=user, mode=Attempt.Mode.MOCK).first()
    if mock is None:
        return None
    mock = close_if_expired(mock, now=now)
    return mock if mock.is_in_progress else None


def _create(
    *,
    user,
    mode: str,
    blueprint: Blueprint,
    question_ids: list[int],
    now: datetime,
    rng: random.Random,
    deadline: datetime | None = None,
    **fields,
):
    with transaction.atomic():
        attempt = Attempt.objects.create(
            user=user,
            blueprint=blueprint,
            mode=mode,
            started_at=now,
            last_event_at=now,
            deadline=deadline,
            question_count=len(question_ids),
            item_states="u" * len(question_ids),
            **fields,
        )
        AttemptItem.objects.bulk_create(freeze_items(attempt, question_ids, rng))
    return attempt


def start_attempt(
    *, user, blueprint: Blueprint, now: datetime, rng: random.Random | None = None
) -> Attempt:
    """Start a full mock exam, or return the learner's mock already in progress.

    Raises BankTooSmall, starting nothing, when the published bank cannot fill a domain.
    """
    current = open_mock(user, now=now)
    if current is not None:
        return current
    rng = rng or random.Random()
    chosen = draw_mock(user=user, blueprint=blueprint, rng=rng)
    try:
        return _create(
            user=user,
            mode=Attempt.Mode.MOCK,
            blueprint=blueprint,
            question_ids=chosen,
            now=now,
            rng=rng,
            deadline=now + blueprint.duration,
        )
    except IntegrityError:
        # Another request started this learner's mock at the same moment: resume that one.
        return Attempt.objects.in_progress().get(user=user, mode=Attempt.Mode.MOCK)


def start_practice(
    *, user, topic: Topic, now: datetime, size: int = 15, rng: random.Random | None = None
) -> Attempt:
    """Start an untimed practice of up to ``size`` questions from one topic: questions the
    learner last got wrong first, then the least seen. An unfinished practice is finished.

    Raises MockInProgress while a mock exam is open: practice shows the key at once.
    """
    rng = rng or random.Random()
    return _start_study(
        user=user,
        mode=Attempt.Mode.PRACTICE,
        now=now,
        draw=lambda: draw_practice(user=user, topic=topic, size=size, rng=rng),
        rng=rng,
        blueprint=topic.domain.blueprint,
        topic=topic,
        instant_feedback=True,
    )


def _start_study(*, user, mode: str, now: datetime, draw, rng, **fields) -> Attempt:
    """Start a practice, quiz or review session: refused while a mock is open (their keys
    would show), an unfinished one of the same mode is finished first."""
    mock = open_mock(user, now=now)
    if mock is not None:
        raise MockInProgress(mock)
    current = Attempt.objects.in_progress().filter(user=user, mode=mode).first()
    if current is not None:
        submit_attempt(attempt=current, now=now)
    chosen = draw()
    try:
        return _create(user=user, mode=mode, question_ids=chosen, now=now, rng=rng, **fields)
    except IntegrityError:
        # The same start sent twice (a double click): both land on one attempt.
        return Attempt.objects.in_progress().get(user=user, mode=mode)


def start_quiz(
    *, user, blueprint: Blueprint, topic_ids: list[int], size: int, timed: bool,
    instant_feedback: bool, source: str = Source.ALL, title: str, now: datetime,
    within: Attempt | None = None, rng: random.Random | None = None,
) -> Attempt:  # fmt: skip
    """A quiz the learner builds: topics, length, timed at the exam's pace or not, feedback
    after each question or at the end; ``source`` narrows the questions (missed, flagged,
    unseen). Recorded apart from mocks: it counts toward mastery, never the mock history."""
    rng = rng or random.Random()
    deadline = None
    if timed:
        deadline = now + timedelta(seconds=round(size * blueprint.pace_seconds / 60) * 60)

    def draw():
        return draw_quiz(
            user=user, topic_ids=topic_ids, size=size, source=source, rng=rng, within=within
        )

    return _start_study(
        user=user, mode=Attempt.Mode.QUIZ, now=now, draw=draw, rng=rng, blueprint=blueprint,
        deadline=deadline, instant_feedback=instant_feedback, title=title,
    )  # fmt: skip


REVIEW_SESSION_SIZE = 20


def start_review(*, user, blueprint: Blueprint, now: datetime, rng=None) -> Attempt:
    """A session of the questions due for spaced review, the longest overdue first."""
    rng = rng or random.Random()

    def draw():
        due = scheduling.due(user, now=now).filter(question__status="published")
        chosen = list(due.values_list("question_id", flat=True)[:REVIEW_SESSION_SIZE])
        if not chosen:
            raise BankTooSmall("Nothing is due for review yet.")
        return chosen

    return _start_study(
        user=user, mode=Attempt.Mode.REVIEW, now=now, draw=draw, rng=rng, blueprint=blueprint,
        instant_feedback=True,
    )  # fmt: skip


@transaction.atomic
def submit_attempt(*, attempt: Attempt, now: datetime, timed_out: bool = False) -> Attempt:
    """Submit and score. Submitting again, or racing another submit, returns the same result.

    ``timed_out``: sent by the countdown at zero; within TIMEOUT_TOLERANCE of the deadline the
    attempt is stored as expired (time ran out), not as submitted.
    """
    attempt = _lock(attempt)
    if _expire_if_due(attempt, now):
        return attempt
    if timed_out and attempt.deadline and now >= attempt.deadline - TIMEOUT_TOLERANCE:
        return score_attempt(attempt, state=Attempt.State.EXPIRED, now=attempt.deadline)
    return score_attempt(attempt, state=Attempt.State.SUBMITTED, now=now)


@transaction.atomic
def discard_attempt(*, attempt: Attempt, now: datetime) -> Attempt:
    """End a mock in progress without scoring it: history, mastery and readiness never see it."""
    attempt = _lock(attempt)
    if attempt.is_in_progress:
        attempt.state = Attempt.State.DISCARDED
        attempt.finished_at = now
        attempt.save(update_fields=["state", "finished_at"])
    return attempt


def set_excluded(*, attempt: Attempt, excluded: bool) -> Attempt:
    """Set a scored mock aside from statistics ("I was interrupted"), or count it again."""
    if not attempt.is_scored:
        raise AttemptClosed(attempt)
    Attempt.objects.filter(pk=attempt.pk).update(excluded=excluded)
    attempt.excluded = excluded
    return attempt


def _change_item(item: AttemptItem, now: datetime, change, *, go_to: int | None = None):
    """Lock the item's attempt, then apply ``change`` to the item if the attempt still takes
    answers, crediting the time since the learner's last action to this question. An attempt
    found past its time is scored (and committed) before AttemptClosed."""
    with transaction.atomic():
        locked = _lock(item.attempt)
        closed = _expire_if_due(locked, now)
        if not closed:
            item.attempt = locked
            elapsed = (now - (locked.last_event_at or now)).total_seconds()
            seconds = max(0, min(MAX_SECONDS_PER_VIEW, int(elapsed)))
            item.seconds_spent += seconds
            change(item, seconds)
            locked.last_event_at, locked.last_position = now, go_to or item.position
            states, at = locked.item_states, item.position - 1
            locked.item_states = states[:at] + item.state_letter + states[at + 1 :]
            _LAST_ACTION.run(
                locked.pk,
                last_event_at=now,
                last_position=locked.last_position,
                item_states=locked.item_states,
            )
    if closed:
        raise AttemptClosed(locked)
    return item


def answer_item(
    *, item: AttemptItem, selected: list[int], now: datetime, go_to: int | None = None
) -> AttemptItem:
    """Save the learner's selection for one question, replacing any earlier one. ``go_to`` is
    the question the learner moves on to (where they resume).

    Raises AttemptClosed when the attempt is over (scoring it first if time ran out),
    InvalidAnswer when the selection does not fit the question.
    """
    chosen = sorted(set(selected))
    problem = item.selection_problem(chosen)
    if problem:
        raise InvalidAnswer(problem)

    def change(item: AttemptItem, seconds: int):
        item.selected = chosen
        item.answered_at = now if chosen else None
        if not item.attempt.instant_feedback:
            _ANSWER.run(
                item.pk, selected=chosen, answered_at=item.answered_at, seconds_spent=seconds
            )
            return
        # The key shows at once, so an answer is final, graded now and scheduled for review.
        if not chosen:
            raise InvalidAnswer("Choose an answer first.")
        item.is_correct = item.grade()
        item.graded_on = timezone.localdate(now)
        fields = {
            "selected": chosen, "answered_at": now, "is_correct": item.is_correct,
            "graded_on": item.graded_on,
        }  # fmt: skip
        row = AttemptItem.objects.filter(pk=item.pk, is_correct__isnull=True)
        if not row.update(**fields, seconds_spent=F("seconds_spent") + seconds):
            raise InvalidAnswer("This question was already answered.")
        scheduling.record_answers(user=item.attempt.user, items=[item], now=now)

    return _change_item(item, now, change, go_to=go_to)


def flag_item(*, item: AttemptItem, flagged: bool, now: datetime) -> AttemptItem:
    """Mark or unmark a question for review; refused once the attempt is over."""

    def change(item: AttemptItem, seconds: int):
        item.flagged = flagged
        _FLAG.run(item.pk, flagged=flagged, seconds_spent=seconds)

    return _change_item(item, now, change)


def strike_option(*, item: AttemptItem, option: int, struck: bool, now: datetime) -> AttemptItem:
    """Strike an option out (ruled out by the learner) or restore it; never an answer."""
    if not 0 <= option < len(item.choices):
        raise InvalidAnswer("No such choice.")

    def change(item: AttemptItem, seconds: int):
        marks = set(item.struck) | {option} if struck else set(item.struck) - {option}
        item.struck = sorted(marks)
        _STRIKE.run(item.pk, struck=item.struck, seconds_spent=seconds)

    return _change_item(item, now, change)


def close_expired_attempts(*, now: datetime) -> int:
    """Score every attempt whose deadline and grace have passed; return how many."""
    closed = 0
    for attempt in Attempt.objects.past_deadline(now).only("pk", "state", "deadline"):
        if close_if_expired(attempt, now=now).is_expired:
            closed += 1
    return closed


class AlreadyReported(Exception):
    """The learner has an open report on this question already."""


def report_problem(*, item: AttemptItem, reason: str, text: str) -> Report:
    """A learner reports a problem with the question behind ``item`` (one open report per
    learner and question)."""
    if item.question_id is None:
        raise AlreadyReported("This question is no longer in the bank.")
    try:
        with transaction.atomic():
            return Report.objects.create(
                question_id=item.question_id,
                user=item.attempt.user,
                question_version=item.question_version,
                reason=reason,
                text=text,
            )
    except IntegrityError as error:
        raise AlreadyReported("You have already reported this question.") from error


class CohortClosed(Exception):
    """No open cohort has that code."""


def join_cohort(*, user, code: str, now: datetime) -> Cohort:
    """Join the cohort with this code (joining twice is a no-op)."""
    cohort = Cohort.objects.filter(join_code=code.strip().upper()).first()
    if cohort is None or not cohort.is_open(now.date()):
        raise CohortClosed("No open cohort has that code. Check it with your instructor.")
    Membership.objects.get_or_create(cohort=cohort, user=user, defaults={"joined_at": now})
    return cohort
