"""The only way a view reaches an attempt or one of its items: through its owner."""

from functools import wraps

from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from . import services
from .models import Attempt, AttemptItem
from .prepared import PreparedRead


def own_attempts(
    user, *, mode: str | None = None, instant_feedback: bool | None = None, for_update=False
) -> QuerySet:
    attempts = Attempt.objects.filter(user=user).select_related("blueprint", "topic")
    if mode is not None:
        attempts = attempts.filter(mode=mode)
    if instant_feedback is not None:
        attempts = attempts.filter(instant_feedback=instant_feedback)
    if for_update:
        attempts = attempts.select_for_update(of=("self",))
    return attempts


def get_own_attempt(
    user, pk: int, *, mode=None, instant_feedback=None, for_update=False, now=None
) -> Attempt:
    """The learner's attempt ``pk`` (of ``mode``), closed first if ``now`` is past its time;
    anyone else's, or one that does not exist, is a 404 alike."""
    attempts = own_attempts(
        user, mode=mode, instant_feedback=instant_feedback, for_update=for_update
    )
    attempt = get_object_or_404(attempts, pk=pk)
    if now is not None:
        attempt = services.close_if_expired(attempt, now=now)
    return attempt


def _own_item_read(instant_feedback: bool) -> PreparedRead:
    return PreparedRead(
        # The topic names a topic's quiz; the blueprint is read with the attempt's lock, where
        # scoring needs it. No order: one row (a third of the database's time went to sorting
        # it and joining the blueprint).
        lambda user, pk, position: (
            AttemptItem.objects.select_related("attempt__topic")
            .filter(
                attempt__user=user,
                attempt__instant_feedback=instant_feedback,
                attempt__pk=pk,
                position=position,
            )
            .order_by()
        ),
        "user",
        "pk",
        "position",
    )


_OWN_ITEM = {feedback: _own_item_read(feedback) for feedback in (False, True)}


def get_own_item(user, pk: int, position: int, *, instant_feedback: bool) -> AttemptItem:
    """Question ``position`` of the learner's attempt ``pk``, with its attempt, in one query
    compiled once per process: from an exam-style attempt (no key until the end) or one with
    instant feedback. Anyone else's, or one that does not exist, is a 404 alike."""
    item = _OWN_ITEM[instant_feedback].first(user=user.pk, pk=pk, position=position)
    if item is None:
        raise Http404("No such question.")
    return item


def refuse_during_mock(view):
    """For views that show answer keys or explanations: while the learner has a mock exam open,
    answer with a page that sends them back to it (409), so no key of that mock can leak."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        mock = services.open_mock(request.user, now=timezone.now())
        if mock is not None:
            if "pk" in kwargs:
                get_own_attempt(request.user, kwargs["pk"])  # anyone else's stays a 404
            return render(request, "quiz/mock_in_progress.html", {"mock": mock}, status=409)
        return view(request, *args, **kwargs)

    return wrapper
