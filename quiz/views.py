from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import UserCreationForm
from django.db import DatabaseError, connection
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from questions.models import Blueprint, Topic

from . import mastery, services
from .models import Attempt, AttemptItem

MAX_CHOICE_VALUES = 6


@require_GET
def home(request):
    """The landing page, or for a learner the dashboard: history, mastery, what to do next."""
    if not request.user.is_authenticated:
        return render(request, "quiz/landing.html")
    blueprint = Blueprint.objects.filter(is_default=True).first()
    attempts = list(Attempt.objects.filter(user=request.user).select_related("blueprint", "topic"))
    finished = [a for a in attempts if not a.is_in_progress]
    domains = (
        mastery.learner_mastery(request.user, blueprint, now=timezone.now()) if blueprint else []
    )
    return render(
        request,
        "quiz/home.html",
        {
            "blueprint": blueprint,
            "in_progress": next(
                (a for a in attempts if a.is_in_progress and a.mode == Attempt.Mode.MOCK), None
            ),
            "practice_in_progress": next(
                (a for a in attempts if a.is_in_progress and a.mode == Attempt.Mode.PRACTICE), None
            ),
            "mocks": [a for a in finished if a.mode == Attempt.Mode.MOCK],
            "practices": [a for a in finished if a.mode == Attempt.Mode.PRACTICE],
            "domains": domains,
            "weakest": mastery.weakest_topics(domains),
            "readiness": mastery.readiness(domains, blueprint) if blueprint else None,
        },
    )


@require_GET
def method(request):
    return render(request, "quiz/method.html")


@require_http_methods(["GET", "POST"])
def signup(request):
    if request.user.is_authenticated:
        return redirect("quiz:home")
    form = UserCreationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        login(request, form.save(), backend="django.contrib.auth.backends.ModelBackend")
        return redirect("quiz:home")
    return render(
        request, "registration/signup.html", {"form": form}, status=400 if form.errors else 200
    )


@login_required
@require_POST
def start(request):
    blueprint = get_object_or_404(Blueprint, is_default=True)
    try:
        attempt = services.start_attempt(user=request.user, blueprint=blueprint, now=timezone.now())
    except services.BankTooSmall as error:
        return render(request, "quiz/cannot_start.html", {"reason": str(error)}, status=409)
    return redirect("quiz:question", pk=attempt.pk, position=1)


def _own_attempt(request, pk: int, **filters) -> Attempt:
    """The learner's own attempt, closed first if its time ran out; anyone else's is a 404."""
    attempt = get_object_or_404(
        Attempt.objects.select_related("blueprint", "topic"), pk=pk, user=request.user, **filters
    )
    return services.close_if_expired(attempt, now=timezone.now())


def _navigator(attempt: Attempt, current: int) -> list[dict]:
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


def _exam_context(attempt: Attempt, item, now) -> dict:
    navigator = _navigator(attempt, item.position)
    return {
        "attempt": attempt,
        "item": item,
        "choices": item.shown_choices(),
        "navigator": navigator,
        "answered_count": sum(row["answered"] for row in navigator),
        "seconds_left": attempt.seconds_left(now),
        "is_first": item.position == 1,
        "is_last": item.position == attempt.question_count,
    }


@login_required
@require_GET
def question(request, pk: int, position: int):
    # The item and its attempt in one query: this page is the one learners load most.
    item = get_object_or_404(
        AttemptItem.objects.select_related("attempt__blueprint"),
        attempt__pk=pk,
        attempt__user=request.user,
        attempt__mode=Attempt.Mode.MOCK,
        position=position,
    )
    now = timezone.now()
    attempt = services.close_if_expired(item.attempt, now=now)
    if not attempt.is_in_progress:
        return redirect("quiz:results", pk=attempt.pk)
    context = _exam_context(attempt, item, now)
    template = "quiz/_question.html" if request.htmx else "quiz/question.html"
    return render(request, template, context)


FORM_TYPES = {"application/x-www-form-urlencoded", "multipart/form-data"}


def _parse_selection(request) -> list[int] | None:
    """The chosen option indexes, or None for anything that is not a plain, small form."""
    if request.content_type not in FORM_TYPES:
        return None
    values = request.POST.getlist("choice")
    if len(values) > MAX_CHOICE_VALUES:
        return None
    try:
        return [int(value) for value in values]
    except ValueError:
        return None


def _next_url(attempt: Attempt, position: int, go: str) -> str | None:
    """Where a plain form post goes next: previous, next, review screen, or a question number."""
    targets = {"prev": position - 1, "next": position + 1, "": position, "stay": position}
    if go == "review":
        return reverse("quiz:finish", args=[attempt.pk])
    target = targets.get(go)
    if target is None and go.isdigit():
        target = int(go)
    if target is None or not 1 <= target <= attempt.question_count:
        return None
    return reverse("quiz:question", args=[attempt.pk, target])


def _attempt_for_post(request, pk: int, position: int, mode: str) -> Attempt:
    """The learner's own attempt of this mode holding that question position, or a 404."""
    attempt = get_object_or_404(Attempt, pk=pk, user=request.user, mode=mode)
    if not 1 <= position <= attempt.question_count:
        raise Http404
    return attempt


def _closed_response(request, attempt: Attempt):
    if request.htmx:
        return render(request, "quiz/_closed.html", {"attempt": attempt}, status=409)
    return redirect("quiz:results", pk=attempt.pk)


@login_required
@require_POST
def answer(request, pk: int, position: int):
    attempt = _attempt_for_post(request, pk, position, Attempt.Mode.MOCK)
    selected = _parse_selection(request)
    next_url = _next_url(attempt, position, request.POST.get("go", ""))
    if selected is None or next_url is None:
        return HttpResponseBadRequest("That answer form was not valid.")
    now = timezone.now()
    try:
        item = services.answer_item(attempt=attempt, position=position, selected=selected, now=now)
    except services.AttemptClosed as closed:
        return _closed_response(request, closed.attempt)
    except services.InvalidAnswer as error:
        return HttpResponseBadRequest(str(error))
    if request.htmx:
        return render(request, "quiz/_saved.html", _exam_context(attempt, item, now))
    return redirect(next_url)


@login_required
@require_POST
def flag(request, pk: int, position: int):
    attempt = _attempt_for_post(request, pk, position, Attempt.Mode.MOCK)
    flagged = request.POST.get("flagged")
    if flagged not in {"0", "1"}:
        return HttpResponseBadRequest("flagged must be 0 or 1.")
    now = timezone.now()
    try:
        item = services.flag_item(
            attempt=attempt, position=position, flagged=flagged == "1", now=now
        )
    except services.AttemptClosed as closed:
        return _closed_response(request, closed.attempt)
    if request.htmx:
        return render(request, "quiz/_flagged.html", _exam_context(attempt, item, now))
    return redirect("quiz:question", pk=attempt.pk, position=position)


@login_required
@require_GET
def finish(request, pk: int):
    """The review screen before submitting: unanswered and flagged questions first."""
    attempt = _own_attempt(request, pk, mode=Attempt.Mode.MOCK)
    if not attempt.is_in_progress:
        return redirect("quiz:results", pk=attempt.pk)
    rows = list(attempt.items.values("position", "selected", "flagged", "stem"))
    rows.sort(key=lambda r: (bool(r["selected"]), not r["flagged"], r["position"]))
    return render(
        request,
        "quiz/finish.html",
        {
            "attempt": attempt,
            "rows": rows,
            "unanswered": sum(1 for r in rows if not r["selected"]),
            "flagged": sum(1 for r in rows if r["flagged"]),
            "seconds_left": attempt.seconds_left(timezone.now()),
        },
    )


@login_required
@require_POST
def submit(request, pk: int):
    attempt = get_object_or_404(Attempt, pk=pk, user=request.user)
    services.submit_attempt(attempt=attempt, now=timezone.now())
    return redirect("quiz:results", pk=attempt.pk)


@login_required
@require_GET
def results(request, pk: int):
    attempt = _own_attempt(request, pk)
    if attempt.is_in_progress and attempt.mode == Attempt.Mode.PRACTICE:
        return redirect("quiz:practice", pk=attempt.pk, position=1)
    if attempt.is_in_progress:
        return redirect("quiz:finish", pk=attempt.pk)
    return render(request, "quiz/results.html", {"attempt": attempt})


REVIEW_FILTERS = {
    "all": "All",
    "incorrect": "Incorrect",
    "flagged": "Flagged",
    "unanswered": "Unanswered",
}


@login_required
@require_GET
def review(request, pk: int):
    """Every question of a finished attempt as it was shown, with the key and explanations."""
    attempt = _own_attempt(request, pk)
    if attempt.is_in_progress:
        messages.info(request, "Answers and explanations open once the attempt is submitted.")
        if attempt.mode == Attempt.Mode.PRACTICE:
            return redirect("quiz:practice", pk=attempt.pk, position=1)
        return redirect("quiz:finish", pk=attempt.pk)
    show = request.GET.get("show", "all")
    if show not in REVIEW_FILTERS:
        show = "all"
    items = attempt.items.select_related("topic")
    if show == "incorrect":
        items = items.filter(is_correct=False)
    elif show == "flagged":
        items = items.filter(flagged=True)
    elif show == "unanswered":
        items = items.filter(selected=[])
    domain, topic = request.GET.get("domain", ""), request.GET.get("topic", "")
    if domain:
        items = items.filter(domain_code=domain)
    if topic:
        items = items.filter(topic__code=topic)
    topics = sorted(set(attempt.items.values_list("topic__code", "topic__name")))
    return render(
        request,
        "quiz/review.html",
        {
            "attempt": attempt,
            "items": items,
            "show": show,
            "filters": REVIEW_FILTERS,
            "domain": domain,
            "topic": topic,
            "domains": attempt.domain_scores,
            "topics": topics,
        },
    )


@login_required
@require_POST
def practice_start(request):
    topic_id = request.POST.get("topic", "")
    if not topic_id.isdigit():
        return HttpResponseBadRequest("Choose a topic to practise.")
    topic = get_object_or_404(Topic, pk=int(topic_id))
    try:
        attempt = services.start_practice(user=request.user, topic=topic, now=timezone.now())
    except services.BankTooSmall as error:
        return render(request, "quiz/cannot_start.html", {"reason": str(error)}, status=409)
    return redirect("quiz:practice", pk=attempt.pk, position=1)


@login_required
@require_GET
def practice(request, pk: int, position: int):
    attempt = _own_attempt(request, pk, mode=Attempt.Mode.PRACTICE)
    item = get_object_or_404(attempt.items, position=position)
    context = {"attempt": attempt, "item": item, "choices": item.shown_choices()}
    template = "quiz/_practice_item.html" if request.htmx else "quiz/practice.html"
    return render(request, template, context)


@login_required
@require_POST
def practice_answer(request, pk: int, position: int):
    attempt = _attempt_for_post(request, pk, position, Attempt.Mode.PRACTICE)
    selected = _parse_selection(request)
    if selected is None:
        return HttpResponseBadRequest("That answer form was not valid.")
    try:
        item = services.answer_item(
            attempt=attempt, position=position, selected=selected, now=timezone.now()
        )
    except services.AttemptClosed as closed:
        return _closed_response(request, closed.attempt)
    except services.InvalidAnswer as error:
        return HttpResponseBadRequest(str(error))
    if request.htmx:
        context = {"attempt": attempt, "item": item, "choices": item.shown_choices()}
        return render(request, "quiz/_practice_item.html", context)
    return redirect("quiz:practice", pk=attempt.pk, position=position)


@require_GET
def ping(request):
    """Liveness: the process answers, without touching the database."""
    return HttpResponse("pong", content_type="text/plain")


@require_GET
def healthz(request):
    """200 when the database answers, 503 when it does not (for load balancers)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return HttpResponse("database unavailable", status=503, content_type="text/plain")
    return HttpResponse("ok", content_type="text/plain")
