"""Study modes: the quiz builder and its presets, spaced review with FSRS, results that send
the learner somewhere, and practice without dead ends."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from questions.models import Blueprint, Question, Topic
from quiz import mastery, scheduling, services
from quiz.models import Attempt, ReviewCard
from tests.factories import QuestionFactory

HTMX = {"HX-Request": "true"}


@pytest.fixture
def now():
    return timezone.now()


def wrong_pick(item) -> list[int]:
    return [next(i for i in range(len(item.choices)) if i not in item.correct_indexes)]


def start(client_in, **data):
    fields = {"length": 10, "feedback": "end", "source": "all", **data}
    return client_in.post(reverse("quiz:quiz_new"), fields)


def test_a_timed_quiz_of_one_domain_draws_only_there_at_the_exams_pace(client_in, bank):
    response = start(client_in, domains="3", timed="on")
    quiz = Attempt.objects.get(mode=Attempt.Mode.QUIZ)
    assert response["Location"] == reverse("quiz:question", args=[quiz.pk, 1])
    assert quiz.question_count == 10 and not quiz.instant_feedback
    assert set(quiz.items.values_list("domain_code", flat=True)) == {"3"}
    assert quiz.deadline - quiz.started_at == timedelta(minutes=28)  # 10 × 180/65, rounded
    assert quiz.title == "Quiz of 10: Modeling"
    html = client_in.get(response["Location"]).content.decode()
    assert 'role="timer"' in html


def test_an_untimed_quiz_with_feedback_now_shows_the_key_after_each_answer(client_in, bank):
    response = start(client_in, topics=["2.2", "2.3"], feedback="now")
    quiz = Attempt.objects.get(mode=Attempt.Mode.QUIZ)
    assert quiz.deadline is None and quiz.instant_feedback
    assert set(quiz.items.values_list("topic__code", flat=True)) <= {"2.2", "2.3"}
    assert response["Location"] == reverse("quiz:practice", args=[quiz.pk, 1])
    page = client_in.get(response["Location"]).content.decode()
    assert 'role="timer"' not in page and "Question 1 of 10 · 0 answered" in page
    item = quiz.items.get(position=1)
    url = reverse("quiz:practice_answer", args=[quiz.pk, 1])
    html = client_in.post(url, {"position": 1, "choice": "0"}, headers=HTMX).content.decode()
    assert "Correct answer" in html and item.choices[0]["why"] in html


def test_quizzes_count_toward_mastery_never_toward_the_mock_history(client_in, learner, bank, now):
    start(client_in, domains="1", feedback="now")
    quiz = Attempt.objects.get(mode=Attempt.Mode.QUIZ)
    for position in (1, 2):
        services.answer_item(item=quiz.items.get(position=position), selected=[0], now=now)
    services.submit_attempt(attempt=quiz, now=now)
    answered = sum(
        d.estimate.answered for d in mastery.learner_mastery(learner, quiz.blueprint, now=now)
    )
    assert answered == 2
    html = client_in.get("/").content.decode()
    assert "Mock exam history" in html and "Scaled score over" not in html
    assert "Quiz of 10: Data Engineering" in html


def test_a_quiz_at_the_end_goes_through_the_review_screen_and_asks_before_submitting(
    client_in, bank
):
    start(client_in, domains="4")
    quiz = Attempt.objects.get(mode=Attempt.Mode.QUIZ)
    finish = client_in.get(reverse("quiz:finish", args=[quiz.pk])).content.decode()
    assert "Submit quiz" in finish and "Discard attempt" not in finish
    ask = client_in.post(reverse("quiz:submit", args=[quiz.pk]))
    assert "Submit the quiz?" in ask.content.decode()
    client_in.post(reverse("quiz:submit", args=[quiz.pk]), {"confirm": "1"})
    quiz.refresh_from_db()
    assert quiz.state == Attempt.State.SUBMITTED and quiz.scored_count == 0


@pytest.mark.parametrize(
    ("preset", "title"),
    [
        ({"timed": "on", "length": 20}, "Quick 20 (timed)"),
        ({"source": "missed"}, "Retake my missed"),
        ({"source": "flagged"}, "Retake my flagged"),
        ({"source": "unseen"}, "Only unseen"),
    ],
)
def test_presets_draw_what_they_say(client_in, learner, bank, now, preset, title):
    topic = Topic.objects.get(code="3.2", domain__blueprint__is_default=True)
    practice = services.start_practice(user=learner, topic=topic, now=now)
    missed, right = practice.items.get(position=1), practice.items.get(position=3)
    services.answer_item(item=missed, selected=wrong_pick(missed), now=now)
    services.flag_item(item=practice.items.get(position=2), flagged=True, now=now)
    services.answer_item(item=right, selected=sorted(right.correct_indexes), now=now)
    services.submit_attempt(attempt=practice, now=now)
    start(client_in, **preset)
    quiz = Attempt.objects.get(mode=Attempt.Mode.QUIZ)
    assert quiz.title == title
    questions = set(quiz.items.values_list("question", flat=True))
    shown = set(practice.items.values_list("question", flat=True))
    if preset.get("source") == "missed":
        assert questions == {missed.question_id}
    elif preset.get("source") == "flagged":
        assert questions == {practice.items.get(position=2).question_id}
    elif preset.get("source") == "unseen":
        assert not questions & shown
    else:
        assert quiz.question_count == 20 and quiz.deadline is not None


def test_retake_my_missed_from_a_result_draws_that_attempts_missed(client_in, learner, bank, now):
    mock = services.start_attempt(user=learner, blueprint=Blueprint.objects.default(), now=now)
    for position in range(1, 66):
        item = mock.items.get(position=position)
        picks = (
            sorted(item.correct_indexes)
            if position > 5
            else [i for i in range(len(item.choices)) if i not in item.correct_indexes][:1]
        )
        services.answer_item(item=item, selected=picks, now=now)
    services.submit_attempt(attempt=mock, now=now)
    wrong = set(mock.items.filter(position__lte=5).values_list("question", flat=True))
    # A later miss elsewhere is not one of this result's.
    practice = services.start_practice(
        user=learner, topic=mock.items.get(position=6).topic, now=now
    )
    later = next(item for item in practice.items.all() if item.question_id not in wrong)
    miss = next(i for i in range(len(later.choices)) if i not in later.correct_indexes)
    services.answer_item(item=later, selected=[miss], now=now)
    services.submit_attempt(attempt=practice, now=now)
    results = client_in.get(reverse("quiz:results", args=[mock.pk])).content.decode()
    assert "Retake my missed" in results and "Practise my weakest topic" in results
    start(client_in, source="missed", from_attempt=mock.pk, length=65, feedback="now")
    quiz = Attempt.objects.get(mode=Attempt.Mode.QUIZ)
    assert set(quiz.items.values_list("question", flat=True)) == wrong


def test_a_quiz_from_someone_elses_attempt_is_refused(client_in, other_learner, bank, now):
    theirs = services.start_practice(
        user=other_learner,
        topic=Topic.objects.get(code="1.1", domain__blueprint__is_default=True),
        now=now,
    )
    services.submit_attempt(attempt=theirs, now=now)
    response = start(client_in, source="missed", from_attempt=theirs.pk)
    assert (
        response.status_code == 400
        and "No such finished attempt of yours." in response.content.decode()
    )


@pytest.mark.parametrize(
    "data",
    [{"length": "4"}, {"length": "66"}, {"domains": "9"}, {"topics": "9.9"}, {"source": "any"},
     {"feedback": "soon"}, {"length": "²"}],
)  # fmt: skip
def test_a_tampered_quiz_form_is_a_400_and_starts_nothing(client_in, bank, data):
    assert start(client_in, **data).status_code == 400
    assert not Attempt.objects.exists()


def test_a_quiz_cannot_start_while_a_mock_is_open(client_in, learner, mls, bank, now):
    services.start_attempt(user=learner, blueprint=mls, now=now)
    assert start(client_in, domains="1").status_code == 409
    assert not Attempt.objects.filter(mode=Attempt.Mode.QUIZ).exists()


def test_a_missed_question_comes_back_for_review_on_its_day(client_in, learner, bank, now):
    topic = Topic.objects.get(code="1.1", domain__blueprint__is_default=True)
    practice = services.start_practice(user=learner, topic=topic, now=now)
    item, right = practice.items.get(position=1), practice.items.get(position=2)
    services.answer_item(item=item, selected=wrong_pick(item), now=now)
    services.answer_item(item=right, selected=sorted(right.correct_indexes), now=now)
    services.submit_attempt(attempt=practice, now=now)
    card = ReviewCard.objects.get(user=learner)
    assert card.question_id == item.question_id and card.due == now + timedelta(days=1)
    assert scheduling.due(learner, now=now).count() == 0
    tomorrow = now + timedelta(days=1)
    assert list(scheduling.due(learner, now=tomorrow).values_list("question", flat=True)) == [
        item.question_id
    ]
    session = services.start_review(user=learner, blueprint=topic.domain.blueprint, now=tomorrow)
    assert list(session.items.values_list("question", flat=True)) == [item.question_id]
    again = session.items.get(position=1)
    services.answer_item(item=again, selected=sorted(again.correct_indexes), now=tomorrow)
    card.refresh_from_db()
    assert card.due == tomorrow + timedelta(days=2) and card.reviews == 2  # Good: further out


def test_a_mock_schedules_its_misses_from_the_time_it_was_submitted(learner, bank, mls):
    """The schedule counts from ``now`` as the caller passes it, not from the clock: a mock
    submitted 40 days ago brings its misses back 39 days ago."""
    then = timezone.now() - timedelta(days=40)
    mock = services.start_attempt(user=learner, blueprint=mls, now=then)
    item = mock.items.get(position=1)
    services.answer_item(item=item, selected=wrong_pick(item), now=then)
    services.submit_attempt(attempt=mock, now=then)
    card = ReviewCard.objects.get(user=learner, question=item.question)
    assert card.due == then + timedelta(days=1)


def test_a_flagged_right_answer_joins_the_queue_and_a_sure_one_does_not(learner, bank, now):
    topic = Topic.objects.get(code="1.2", domain__blueprint__is_default=True)
    practice = services.start_practice(user=learner, topic=topic, now=now)
    flagged, sure = practice.items.get(position=1), practice.items.get(position=2)
    services.flag_item(item=flagged, flagged=True, now=now)
    services.answer_item(
        item=practice.items.get(position=1), selected=sorted(flagged.correct_indexes), now=now
    )
    services.answer_item(item=sure, selected=sorted(sure.correct_indexes), now=now)
    assert list(ReviewCard.objects.values_list("question", flat=True)) == [flagged.question_id]


def test_a_changed_key_starts_the_schedule_again_other_edits_keep_it(learner, bank, now):
    topic = Topic.objects.get(code="1.3", domain__blueprint__is_default=True)
    question = Question.objects.filter(topic=topic, kind="single").first()
    first = services.start_quiz(
        user=learner, blueprint=topic.domain.blueprint, topic_ids=[topic.pk], size=14,
        timed=False, instant_feedback=True, title="t", now=now,
    )  # fmt: skip
    item = first.items.get(question=question)
    wrong = next(i for i in range(4) if i not in item.correct_indexes)
    services.answer_item(item=item, selected=[wrong], now=now)
    card = ReviewCard.objects.get(question=question)
    later = now + timedelta(days=1)
    question.stem += " (reworded)"
    question.save()
    fingerprint = card.key_fingerprint
    assert scheduling.key_fingerprint(question.choice_list()) == fingerprint
    question.choices.filter(is_correct=True).update(text="A different key altogether")
    assert scheduling.key_fingerprint(question.choice_list()) != fingerprint
    review = services.start_review(user=learner, blueprint=topic.domain.blueprint, now=later)
    fresh = review.items.get(question=question)
    services.answer_item(item=fresh, selected=sorted(fresh.correct_indexes), now=later)
    card.refresh_from_db()
    assert card.key_fingerprint != fingerprint
    assert card.due == later + timedelta(days=2)  # a new card rated Good, not the old schedule


def test_the_dashboard_says_how_many_are_due_and_offers_review(client_in, learner, bank, now):
    topic = Topic.objects.get(code="2.1", domain__blueprint__is_default=True)
    practice = services.start_practice(user=learner, topic=topic, now=now - timedelta(days=2))
    for item in practice.items.filter(position__in=[1, 2]):
        services.answer_item(item=item, selected=wrong_pick(item), now=now - timedelta(days=2))
    html = client_in.get("/").content.decode()
    assert "Due for review: 2" in html and ">Review now</button>" in html
    response = client_in.post(reverse("quiz:review_start"))
    session = Attempt.objects.get(mode=Attempt.Mode.REVIEW)
    assert response["Location"] == reverse("quiz:practice", args=[session.pk, 1])


def test_results_show_topics_with_wrong_and_unanswered_apart(client_in, learner, bank, now):
    start(client_in, domains="1", feedback="end")
    quiz = Attempt.objects.get(mode=Attempt.Mode.QUIZ)
    first = quiz.items.get(position=1)
    services.answer_item(item=first, selected=wrong_pick(first), now=now)
    services.submit_attempt(attempt=quiz, now=now)
    html = client_in.get(reverse("quiz:results", args=[quiz.pk])).content.decode()
    code = first.topic.code
    cells = r"</th><td>(\d+) / (\d+)</td><td>(\d+)</td><td>(\d+)</td>"
    row = re.search(rf"<th scope=\"row\">{re.escape(code)} [^<]*{cells}", html)
    assert row and row.group(3) == "1"
    assert int(row.group(1)) + int(row.group(3)) + int(row.group(4)) == int(row.group(2))


def test_practice_says_so_when_check_answer_has_nothing_chosen(client_in, learner, bank, now):
    topic = Topic.objects.get(code="3.2", domain__blueprint__is_default=True)
    practice = services.start_practice(user=learner, topic=topic, now=now)
    url = reverse("quiz:practice_answer", args=[practice.pk, 1])
    response = client_in.post(url, {"position": 1}, headers=HTMX)
    assert response.status_code == 400 and b"Choose an answer first." in response.content
    page = client_in.get(reverse("quiz:practice", args=[practice.pk, 1])).content.decode()
    assert 'data-error-target="#practice-status"' in page
    assert ">Skip</a>" in page and ">Finish topic practice</button>" in page


def test_practice_resumes_at_the_first_unanswered_question(client_in, learner, bank, now):
    topic = Topic.objects.get(code="3.2", domain__blueprint__is_default=True)
    practice = services.start_practice(user=learner, topic=topic, now=now)
    for position in (1, 2):
        services.answer_item(item=practice.items.get(position=position), selected=[0], now=now)
    html = client_in.get("/").content.decode()
    assert reverse("quiz:practice", args=[practice.pk, 3]) in html


def test_review_topics_follow_the_chosen_domain(client_in, learner, bank, now, mls):
    mock = services.start_attempt(user=learner, blueprint=mls, now=now)
    services.submit_attempt(attempt=mock, now=now)
    url = reverse("quiz:review", args=[mock.pk])
    html = client_in.get(url, {"domain": "1"}).content.decode()
    options = re.findall(r'<option value="(\d\.\d)"', html)
    assert options and all(code.startswith("1.") for code in options)
    both = client_in.get(url, {"domain": "1", "topic": "3.2"}).content.decode()
    assert "13 questions shown." in both  # the topic of another domain is dropped


def test_no_study_mode_starts_while_a_mock_is_open(client_in, learner, mls, bank, now):
    services.start_attempt(user=learner, blueprint=mls, now=now)
    assert client_in.post(reverse("quiz:review_start")).status_code == 409
    QuestionFactory()
    with pytest.raises(services.MockInProgress):
        services.start_review(user=learner, blueprint=mls, now=now)
