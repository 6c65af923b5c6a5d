import csv
import io
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import UserCreationForm
from django.contrib.auth.views import redirect_to_login
from django.core.management import call_command
from django.core.paginator import Paginator
from django.db import DatabaseError, connection
from django.db.models import Count
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import push_url

from questions.models import Blueprint, Report

from . import anki, cohorts, drawing, selectors, services, throttling
from .access import get_own_attempt, get_own_item, refuse_during_mock
from .forms import (
    AnkiForm,
    AnswerForm,
    DiscardForm,
    ExcludeForm,
    FlagForm,
    JoinCohortForm,
    PracticeStartForm,
    QuizForm,
    ReportForm,
    ReviewFilterForm,
    ReviewScreenForm,
    StrikeForm,
    SubmitForm,
)
from .models import Attempt, AttemptItem, Cohort

HISTORY_PAGE = 25


def learner_required(view):
    """login_required that keeps answers safe when the session has ended: htmx requests get a
    401 with a log-in link back to the page, plain posts log in and return to the page. An
    attempt deleted while its page was open (with its learner's account, say) is a 404."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.user.is_authenticated:
            try:
                return view(request, *args, **kwargs)
            except Attempt.DoesNotExist as gone:
                raise Http404(str(gone)) from gone
        back = request.get_full_path()
        if request.htmx and request.htmx.current_url_abs_path:
            back = request.htmx.current_url_abs_path
        elif request.method != "GET":
            referer = request.headers.get("Referer", "")
            safe = url_has_allowed_host_and_scheme(
                referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
            )
            back = referer if safe and referer else reverse("quiz:home")
        if request.htmx:
            return render(request, "quiz/_logged_out.html", {"back": back}, status=401)
        return redirect_to_login(back)

    return wrapper


def bad_request(form) -> HttpResponseBadRequest:
    messages_ = [error for errors in form.errors.values() for error in errors]
    return HttpResponseBadRequest(" ".join(messages_) or "That form was not valid.")


@require_GET
def home(request):
    """The landing page, or for a learner the dashboard: history, mastery, what to do next."""
    if not request.user.is_authenticated:
        return render(request, "quiz/landing.html", {"blueprint": Blueprint.objects.default()})
    now = timezone.now()
    services.open_mock(request.user, now=now)  # a mock whose time ran out is scored first
    context = selectors.dashboard(request.user, Blueprint.objects.default(), now=now)
    return render(request, "quiz/home.html", context)


@learner_required
@require_GET
def history(request):
    """Every finished mock, practice, quiz and review, newest first, a page at a time."""
    page = Paginator(selectors.history(request.user), HISTORY_PAGE).get_page(
        request.GET.get("page")
    )
    return render(request, "quiz/history.html", {"page": page})


@require_GET
def method(request):
    return render(request, "quiz/method.html")


@require_http_methods(["GET", "POST"])
def signup(request):
    if request.user.is_authenticated:
        return redirect("quiz:home")
    if request.method == "POST":
        wait = throttling.seconds_to_wait(request, "signup")
        if wait:
            return throttling.too_many(request, wait)
    form = UserCreationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        login(request, form.save(), backend="django.contrib.auth.backends.ModelBackend")
        return redirect("quiz:home")
    return render(
        request, "registration/signup.html", {"form": form}, status=400 if form.errors else 200
    )


@require_http_methods(["GET", "POST"])
def log_in(request):
    """Django's log-in, throttled per client address on top of django-axes' lockout."""
    if request.method == "POST":
        wait = throttling.seconds_to_wait(request, "login")
        if wait:
            return throttling.too_many(request, wait)
    return auth_views.LoginView.as_view()(request)


@learner_required
@require_http_methods(["GET", "POST"])
def start(request):
    """The start page (what the exam is, how the screen works); "Begin exam" starts the clock.
    A mock already in progress is resumed where the learner stopped."""
    blueprint = Blueprint.objects.default()
    if blueprint is None:
        raise Http404("No exam is set up yet.")
    now = timezone.now()
    current = services.open_mock(request.user, now=now)
    if current is not None:
        return redirect("quiz:question", pk=current.pk, position=current.last_position)
    if request.method == "GET":
        pace_minutes = f"{blueprint.pace_seconds / 60:.1f}"
        return render(
            request, "quiz/start.html", {"blueprint": blueprint, "pace_minutes": pace_minutes}
        )
    wait = throttling.seconds_to_wait(request, "start")
    if wait:
        return throttling.too_many(request, wait)
    try:
        attempt = services.start_attempt(user=request.user, blueprint=blueprint, now=now)
    except services.BankTooSmall as error:
        return render(request, "quiz/cannot_start.html", {"reason": str(error)}, status=409)
    return redirect("quiz:question", pk=attempt.pk, position=1)


def _exam_context(item, now, **extra) -> dict:
    attempt = item.attempt
    navigator = selectors.navigator(attempt, item.position)
    return {
        "attempt": attempt,
        "item": item,
        "choices": item.shown_choices(),
        "navigator": navigator,
        **selectors.progress(navigator),
        "seconds_left": attempt.seconds_left(now),
        "is_first": item.position == 1,
        "is_last": item.position == attempt.question_count,
        "answer_url": reverse("quiz:answer", args=[attempt.pk, item.position]),
        **extra,
    }


@learner_required
@require_GET
def question(request, pk: int, position: int):
    item = get_own_item(request.user, pk, position, instant_feedback=False)
    now = timezone.now()
    attempt = services.close_if_expired(item.attempt, now=now)
    if not attempt.is_in_progress:
        return redirect("quiz:results", pk=attempt.pk)
    if request.htmx:
        return _moved_to(request, item, now)
    return render(request, "quiz/question.html", _exam_context(item, now))


def _moved_to(request, item: AttemptItem, now) -> HttpResponse:
    """Question ``item`` in place of the one shown (Previous, Next, the navigator), its
    address pushed to the browser's history: the timer and the page around it stay."""
    response = render(request, "quiz/_moved.html", _exam_context(item, now))
    url = reverse("quiz:question", args=[item.attempt_id, item.position])
    return push_url(response, url)


def _closed_response(request, attempt: Attempt):
    if request.htmx:
        return render(request, "quiz/_closed.html", {"attempt": attempt}, status=409)
    return redirect("quiz:results", pk=attempt.pk)


@learner_required
@require_POST
def answer(request, pk: int, position: int):
    item = get_own_item(request.user, pk, position, instant_feedback=False)
    attempt = item.attempt
    form = AnswerForm(request.POST, item=item)
    if not form.is_valid():
        if request.htmx or set(form.errors) != {"choice"}:
            return bad_request(form)
        # A plain post with too many picks: the page again, the earlier selection kept.
        context = _exam_context(item, timezone.now(), error=form.errors["choice"][0])
        return render(request, "quiz/question.html", context, status=400)
    target = form.target(attempt)
    if target is None:
        return HttpResponseBadRequest("There is no such question in this exam.")
    now = timezone.now()
    go_to = None if target == "review" else target
    try:
        item = services.answer_item(
            item=item, selected=form.cleaned_data["choice"], now=now, go_to=go_to
        )
    except services.AttemptClosed as closed:
        return _closed_response(request, closed.attempt)
    except services.InvalidAnswer as error:
        return HttpResponseBadRequest(str(error))
    if request.htmx and request.htmx.trigger_name == "go" and target != "review":
        moved = get_own_item(request.user, attempt.pk, target, instant_feedback=False)
        return _moved_to(request, moved, now)
    if request.htmx:
        return render(request, "quiz/_saved.html", _exam_context(item, now))
    if target == "review":
        return redirect("quiz:finish", pk=attempt.pk)
    return redirect("quiz:question", pk=attempt.pk, position=target)


@learner_required
@require_POST
def flag(request, pk: int, position: int):
    item = get_own_item(request.user, pk, position, instant_feedback=False)
    form = FlagForm(request.POST)
    if not form.is_valid():
        return bad_request(form)
    now = timezone.now()
    try:
        item = services.flag_item(item=item, flagged=form.cleaned_data["flagged"], now=now)
    except services.AttemptClosed as closed:
        return _closed_response(request, closed.attempt)
    if request.htmx:
        return render(request, "quiz/_flagged.html", _exam_context(item, now))
    return redirect("quiz:question", pk=pk, position=position)


@learner_required
@require_POST
def strike(request, pk: int, position: int):
    """Strike an option out, or restore it; the choices come back for htmx."""
    item = get_own_item(request.user, pk, position, instant_feedback=False)
    form = StrikeForm(request.POST)
    if not form.is_valid():
        return bad_request(form)
    now = timezone.now()
    try:
        item = services.strike_option(
            item=item, option=form.cleaned_data["option"], struck=form.cleaned_data["struck"],
            now=now,
        )  # fmt: skip
    except services.AttemptClosed as closed:
        return _closed_response(request, closed.attempt)
    except services.InvalidAnswer as error:
        return HttpResponseBadRequest(str(error))
    if request.htmx:
        return render(request, "quiz/_exam_choices.html", _exam_context(item, now))
    return redirect("quiz:question", pk=pk, position=position)


@learner_required
@require_GET
def finish(request, pk: int):
    """The review screen before submitting: flagged and incomplete first, filters, and the
    way back to any question."""
    now = timezone.now()
    attempt = get_own_attempt(request.user, pk, instant_feedback=False, now=now)
    if not attempt.is_in_progress:
        return redirect("quiz:results", pk=attempt.pk)
    form = ReviewScreenForm(request.GET)
    if not form.is_valid():
        return bad_request(form)
    screen = selectors.review_screen(attempt, form.cleaned_data["show"] or "all")
    context = {"attempt": attempt, "seconds_left": attempt.seconds_left(now), **screen}
    return render(request, "quiz/finish.html", context)


@learner_required
@require_POST
def submit(request, pk: int):
    """Submit an attempt. A mock asks first: without ``confirm`` the confirmation page (with
    the unanswered, incomplete and flagged counts) answers instead."""
    now = timezone.now()
    attempt = get_own_attempt(request.user, pk)
    form = SubmitForm(request.POST)
    if not form.is_valid():
        return bad_request(form)
    confirmed = form.cleaned_data["confirm"] or form.cleaned_data["timed_out"]
    if not attempt.instant_feedback and attempt.is_in_progress and not confirmed:
        screen = selectors.review_screen(attempt)
        return render(request, "quiz/confirm_submit.html", {"attempt": attempt, **screen})
    services.submit_attempt(attempt=attempt, now=now, timed_out=form.cleaned_data["timed_out"])
    return redirect("quiz:results", pk=attempt.pk)


@learner_required
@require_POST
def discard(request, pk: int):
    """Discard a mock in progress (after a confirmation): no history, mastery or readiness
    ever counts it."""
    now = timezone.now()
    attempt = get_own_attempt(request.user, pk, mode=Attempt.Mode.MOCK, now=now)
    form = DiscardForm(request.POST)
    if not form.is_valid():
        return bad_request(form)
    if not attempt.is_in_progress:
        return redirect("quiz:results", pk=attempt.pk)
    if not form.cleaned_data["confirm"]:
        screen = selectors.review_screen(attempt)
        return render(request, "quiz/confirm_discard.html", {"attempt": attempt, **screen})
    services.discard_attempt(attempt=attempt, now=now)
    messages.success(request, "The attempt was discarded. Your history and mastery are as before.")
    return redirect("quiz:home")


@learner_required
@require_POST
def exclude(request, pk: int):
    """Set a finished mock aside from statistics ("I was interrupted"), or count it again."""
    attempt = get_own_attempt(request.user, pk, mode=Attempt.Mode.MOCK)
    form = ExcludeForm(request.POST)
    if not form.is_valid():
        return bad_request(form)
    try:
        services.set_excluded(attempt=attempt, excluded=form.cleaned_data["excluded"])
    except services.AttemptClosed:
        return HttpResponseBadRequest("Only a finished mock can be set aside.")
    return redirect("quiz:results", pk=attempt.pk)


def _resume(attempt: Attempt):
    """Where an attempt in progress continues: the first unanswered question of one with
    instant feedback, the review screen of an exam-style one."""
    if attempt.instant_feedback:
        position = selectors.first_unanswered(attempt)
        return redirect("quiz:practice", pk=attempt.pk, position=position)
    return redirect("quiz:finish", pk=attempt.pk)


@learner_required
@require_GET
def results(request, pk: int):
    attempt = get_own_attempt(request.user, pk, now=timezone.now())
    if attempt.is_in_progress:
        return _resume(attempt)
    if attempt.state == Attempt.State.DISCARDED:
        raise Http404("This attempt was discarded.")
    topics = selectors.results_by_topic(attempt)
    context = {"attempt": attempt, "topics": topics, "weakest": selectors.weakest_of(topics)}
    if attempt.is_mock:
        context["pacing"] = selectors.pacing(attempt)
    return render(request, "quiz/results.html", context)


@learner_required
@require_GET
@refuse_during_mock
def review(request, pk: int):
    """Every question of a finished attempt as it was shown, with the key and explanations."""
    attempt = get_own_attempt(request.user, pk, now=timezone.now())
    if attempt.is_in_progress:
        messages.info(request, "Answers and explanations open once the attempt is submitted.")
        return _resume(attempt)
    domains, topics = selectors.review_choices(attempt)
    form = ReviewFilterForm(request.GET, domains=domains, topics=topics)
    if not form.is_valid():
        return bad_request(form)
    filters = form.filters()
    items = selectors.attach_reports(request.user, selectors.reviewed_items(attempt, **filters))
    return render(
        request,
        "quiz/review.html",
        {
            "attempt": attempt,
            "items": items,
            "report_reasons": Report.Reason.choices,
            "filters": ReviewFilterForm.SHOW,
            "domains": domains,
            "topics": topics,
            **filters,
        },
    )


@learner_required
@require_POST
@refuse_during_mock
def practice_start(request):
    form = PracticeStartForm(request.POST, blueprint=Blueprint.objects.default())
    if not form.is_valid():
        return bad_request(form)
    wait = throttling.seconds_to_wait(request, "start")
    if wait:
        return throttling.too_many(request, wait)
    try:
        attempt = services.start_practice(
            user=request.user, topic=form.cleaned_data["topic"], now=timezone.now()
        )
    except services.BankTooSmall as error:
        return render(request, "quiz/cannot_start.html", {"reason": str(error)}, status=409)
    return redirect("quiz:practice", pk=attempt.pk, position=1)


@learner_required
@require_GET
@refuse_during_mock
def practice(request, pk: int, position: int):
    item = get_own_item(request.user, pk, position, instant_feedback=True)
    if not item.attempt.is_in_progress:
        return redirect("quiz:results", pk=pk)
    template = "quiz/_practice_item.html" if request.htmx else "quiz/practice.html"
    return render(request, template, _practice_context(item))


@learner_required
@require_POST
@refuse_during_mock
def practice_answer(request, pk: int, position: int):
    item = get_own_item(request.user, pk, position, instant_feedback=True)
    form = AnswerForm(request.POST, item=item)
    if not form.is_valid():
        return bad_request(form)
    try:
        item = services.answer_item(
            item=item, selected=form.cleaned_data["choice"], now=timezone.now()
        )
    except services.AttemptClosed as closed:
        return _closed_response(request, closed.attempt)
    except services.InvalidAnswer as error:
        return HttpResponseBadRequest(str(error))
    if request.htmx:
        return render(request, "quiz/_practice_item.html", _practice_context(item))
    return redirect("quiz:practice", pk=pk, position=position)


def _practice_context(item) -> dict:
    if item.is_correct is not None:
        selectors.attach_reports(item.attempt.user, [item])
    return {
        "report_reasons": Report.Reason.choices,
        "attempt": item.attempt,
        "item": item,
        "choices": item.shown_choices(),
        **selectors.practice_progress(item.attempt, item.position),
    }


@learner_required
@require_http_methods(["GET", "POST"])
@refuse_during_mock
def quiz_new(request):
    """Build a quiz (or start a preset from the dashboard): topics, length, timed or not,
    feedback after each question or at the end."""
    blueprint = Blueprint.objects.default()
    if blueprint is None:
        raise Http404("No exam is set up yet.")
    form = QuizForm(request.POST or None, blueprint=blueprint, user=request.user)
    if request.method == "GET" or not form.is_valid():
        status = 400 if form.errors else 200
        return render(request, "quiz/quiz_new.html", {"form": form}, status=status)
    wait = throttling.seconds_to_wait(request, "start")
    if wait:
        return throttling.too_many(request, wait)
    data = form.cleaned_data
    try:
        attempt = services.start_quiz(
            user=request.user, blueprint=blueprint, topic_ids=form.topic_ids(),
            size=data["length"], timed=data["timed"], instant_feedback=data["feedback"] == "now",
            source=data["source"], title=form.title(), within=data["from_attempt"],
            now=timezone.now(),
        )  # fmt: skip
    except services.BankTooSmall as error:
        return render(request, "quiz/cannot_start.html", {"reason": str(error)}, status=409)
    return _first_question(attempt)


def _first_question(attempt: Attempt):
    if attempt.instant_feedback:
        return redirect("quiz:practice", pk=attempt.pk, position=1)
    return redirect("quiz:question", pk=attempt.pk, position=1)


@learner_required
@require_POST
@refuse_during_mock
def review_start(request):
    """A spaced-review session of the questions due today."""
    blueprint = Blueprint.objects.default()
    if blueprint is None:
        raise Http404("No exam is set up yet.")
    wait = throttling.seconds_to_wait(request, "start")
    if wait:
        return throttling.too_many(request, wait)
    try:
        attempt = services.start_review(user=request.user, blueprint=blueprint, now=timezone.now())
    except services.BankTooSmall as error:
        return render(request, "quiz/cannot_start.html", {"reason": str(error)}, status=409)
    return _first_question(attempt)


@learner_required
@require_POST
@refuse_during_mock
def report(request, pk: int, position: int):
    """Report a problem with a question the learner has seen answered (review or feedback)."""
    item = get_object_or_404(
        AttemptItem.objects.select_related("attempt"),
        attempt__pk=pk,
        attempt__user=request.user,
        position=position,
    )
    if item.attempt.is_in_progress and not item.attempt.instant_feedback:
        raise Http404("Answers of this attempt are not open yet.")
    form = ReportForm(request.POST)
    if not form.is_valid():
        return bad_request(form)
    wait = throttling.seconds_to_wait(request, "report")
    if wait:
        return throttling.too_many(request, wait)
    try:
        services.report_problem(item=item, **form.cleaned_data)
        message = "Thank you: your report is with the instructors. Their reply will show here."
    except services.AlreadyReported as error:
        message = str(error)
    if request.htmx:
        return HttpResponse(message)
    messages.info(request, message)
    return redirect(request.headers.get("Referer") or reverse("quiz:review", args=[pk]))


@require_GET
def favicon(request):
    """Browsers ask for /favicon.ico whatever the page says; send them to the real icon."""
    return redirect(static("favicon.svg"), permanent=True)


@require_GET
def ping(request):
    """Liveness: the process answers, without touching the database."""
    return HttpResponse("pong", content_type="text/plain")


def bench_only(view):
    """Measurement views exist only while the bench runs them."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not settings.BENCH_FLOOR_VIEWS:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


@bench_only
@learner_required
@require_GET
def floor_login(request):
    """The floor of a signed-in page: the session and the user, nothing else."""
    return HttpResponse("ok", content_type="text/plain")


@bench_only
@learner_required
@require_GET
def floor_page(request):
    """The floor of a signed-in page with content: one query and the base template."""
    latest = Attempt.objects.filter(user=request.user).values_list("pk", flat=True).first()
    return render(request, "bench_floor.html", {"latest": latest})


@require_GET
def healthz(request):
    """200 when the database answers, 503 when it does not (for load balancers)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return HttpResponse("database unavailable", status=503, content_type="text/plain")
    return HttpResponse("ok", content_type="text/plain")


@learner_required
@require_POST
def cohort_join(request):
    """A learner joins a cohort with the code their instructor gave them."""
    form = JoinCohortForm(request.POST)
    if not form.is_valid():
        return bad_request(form)
    wait = throttling.seconds_to_wait(request, "join")
    if wait:
        return throttling.too_many(request, wait)
    try:
        cohort = services.join_cohort(
            user=request.user, code=form.cleaned_data["code"], now=timezone.now()
        )
    except services.CohortClosed as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"You joined {cohort.name}. Its instructors see your progress.")
    return redirect("quiz:home")


def instructor_required(view):
    """Staff only; anyone else gets the same 404 as for a page that does not exist."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not request.user.is_staff:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def _taught_cohort(request, pk: int) -> Cohort:
    cohorts = Cohort.objects.all()
    if not request.user.is_superuser:
        cohorts = cohorts.filter(instructors=request.user)
    return get_object_or_404(cohorts, pk=pk)


@instructor_required
@require_GET
def instructor_home(request):
    """Where an instructor starts: the bank, its analysis, learners' reports and cohorts."""
    cohorts = Cohort.objects.filter(instructors=request.user).annotate(size=Count("members"))
    return render(
        request,
        "quiz/instructor.html",
        {"cohorts": cohorts, "open_reports": Report.objects.open().count()},
    )


@instructor_required
@require_GET
def bank_report(request):
    """The bank's coverage and content figures (manage.py bank_report) as a page."""
    out = io.StringIO()
    call_command("bank_report", stdout=out)
    return render(request, "quiz/bank_report.html", {"report": out.getvalue()})


@instructor_required
@require_GET
def cohort(request, pk: int):
    cohort = _taught_cohort(request, pk)
    context = cohorts.overview(cohort, Blueprint.objects.default(), now=timezone.now())
    return render(request, "quiz/cohort.html", context)


@instructor_required
@require_GET
def cohort_csv(request, pk: int):
    """The cohort page's table as CSV: one row per member."""
    cohort = _taught_cohort(request, pk)
    data = cohorts.overview(cohort, Blueprint.objects.default(), now=timezone.now())
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="cohort-{cohort.pk}.csv"'
    writer = csv.writer(response)
    writer.writerow(
        ["learner", "mocks", "readiness", "low", "high"]
        + [f"domain {d.code} mastery %" for d in data["domains"]]
    )
    for row in data["learners"]:
        ready = row["readiness"]
        writer.writerow(
            [row["user"].username, row["mocks"]]
            + ([ready.score, ready.low, ready.high] if ready else ["", "", ""])
            + [d.estimate.percent if d.estimate.seen else "" for d in row["domains"]]
        )
    return response


@learner_required
@require_GET
@refuse_during_mock
def anki_deck(request):
    """An Anki deck of the learner's missed questions, or of one topic they have seen."""
    form = AnkiForm(request.GET, blueprint=Blueprint.objects.default())
    if not form.is_valid():
        return bad_request(form)
    topic = form.cleaned_data["topic"]
    items = AttemptItem.objects.filter(
        attempt__user=request.user, is_correct__isnull=False
    ).exclude(attempt__state=Attempt.State.DISCARDED)
    if topic:
        items, name = items.filter(topic=topic), f"mlsprep {topic.code} {topic.name}"
    else:
        missed = drawing.last_missed(request.user)
        items, name = items.filter(question__in=missed), "mlsprep: my missed questions"
    deck = anki.build_deck(user=request.user, items=items.order_by("answered_at"), name=name)
    response = HttpResponse(deck, content_type="application/octet-stream")
    response["Content-Disposition"] = 'attachment; filename="mlsprep.apkg"'
    return response
