import random
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from questions.models import Topic
from quiz import mastery, services
from quiz.models import Attempt, AttemptItem
from tests.factories import QuestionFactory, fill_bank, one_topic_blueprint


def finished_attempts(user, blueprint, count, *, now, right_in=("1.1",), wrong_in=("3.2",)):
    """Finished mocks made directly, two graded items each: cheap history for dashboards."""
    topics = {t.code: t for t in Topic.objects.filter(domain__blueprint=blueprint)}
    for n in range(count):
        when = now - timedelta(days=count - n)
        attempt = Attempt.objects.create(
            user=user,
            blueprint=blueprint,
            started_at=when,
            deadline=when + timedelta(hours=3),
            finished_at=when + timedelta(hours=1),
            state=Attempt.State.SUBMITTED,
            question_count=2,
            correct_count=1,
            scaled_score=550,
            passed=False,
            domain_scores=[{"code": "1", "name": "Data Engineering", "correct": 1, "total": 2}],
        )
        items = []
        for position, (code, correct) in enumerate(
            [(c, True) for c in right_in] + [(c, False) for c in wrong_in], start=1
        ):
            topic = topics[code]
            items.append(
                AttemptItem(
                    attempt=attempt,
                    position=position,
                    question_version=1,
                    external_id=f"x-{n}-{position}",
                    domain_code=topic.domain.code,
                    domain_name=topic.domain.name,
                    topic=topic,
                    kind="single",
                    stem="s",
                    explanation="e",
                    choices=[
                        {"text": "a", "correct": True, "why": "w"},
                        {"text": "b", "correct": False, "why": "w"},
                    ],
                    selected=[0] if correct else [1],
                    answered_at=when,
                    is_correct=correct,
                )
            )
        AttemptItem.objects.bulk_create(items)


@pytest.fixture
def client_in(client, learner):
    client.force_login(learner)
    return client


def test_new_learner_dashboard_invites_a_first_exam(client_in, mls):
    html = client_in.get("/").content.decode()
    assert "Start full mock exam" in html
    assert "Answer some questions and an estimate" in html
    assert "not yet seen" in html


def test_dashboard_shows_weakest_topics_with_evidence_and_practice_buttons(client_in, learner, mls):
    finished_attempts(learner, mls, 5, now=timezone.now())
    html = client_in.get("/").content.decode()
    assert "3.2 Select the appropriate model" in html
    assert "0 of 5 correct" in html and "5 of 5 correct" in html
    assert html.count(">Practise this topic</button>") == 2
    assert "<title" in html and "Scaled score over your 5 mock exams" in html
    assert "Readiness estimate" in html and "likely" in html


@pytest.mark.parametrize("count", [1, 50])
def test_dashboard_queries_do_not_grow_with_attempts(
    client_in, learner, mls, count, django_assert_max_num_queries
):
    finished_attempts(learner, mls, count, now=timezone.now())
    with django_assert_max_num_queries(8):
        assert client_in.get("/").status_code == 200


def test_weakest_topics_rank_lowest_estimate_first(learner, mls):
    finished_attempts(
        learner, mls, 3, now=timezone.now(), right_in=("1.1", "2.1"), wrong_in=("3.2", "4.4")
    )
    domains = mastery.learner_mastery(learner, mls, now=timezone.now())
    weakest = mastery.weakest_topics(domains)
    assert {t.code for t in weakest[:2]} == {"3.2", "4.4"}
    assert weakest[2].code in {"1.1", "2.1"}


def test_readiness_is_an_estimate_inside_the_scale(learner, mls):
    finished_attempts(learner, mls, 4, now=timezone.now())
    domains = mastery.learner_mastery(learner, mls, now=timezone.now())
    ready = mastery.readiness(domains, mls)
    assert mls.score_min <= ready.low <= ready.score <= ready.high <= mls.score_max


@pytest.fixture
def submitted(learner, mls, now):
    fill_bank(mls, {"1": 13, "2": 16, "3": 23, "4": 13})
    attempt = services.start_attempt(user=learner, blueprint=mls, now=now, rng=random.Random(3))
    for item in attempt.items.all()[:20]:
        services.answer_item(
            item=attempt.items.get(position=item.position),
            selected=sorted(item.correct_indexes),
            now=now,
        )
    for item in attempt.items.all()[20:30]:
        wrong = min(set(range(len(item.choices))) - item.correct_indexes)
        services.answer_item(
            item=attempt.items.get(position=item.position), selected=[wrong], now=now
        )
    services.flag_item(item=attempt.items.get(position=1), flagged=True, now=now)
    return services.submit_attempt(attempt=attempt, now=now + timedelta(minutes=30))


def test_review_shows_key_answer_and_every_explanation(client_in, submitted):
    html = client_in.get(reverse("quiz:review", args=[submitted.pk])).content.decode()
    assert "65 questions shown." in html
    assert html.count("Your answer") >= 30 and html.count("Correct answer") >= 65
    for item in submitted.items.all():
        assert item.explanation in html
        for choice in item.choices:
            assert choice["why"] in html


@pytest.mark.parametrize(("show", "count"), [("incorrect", 45), ("unanswered", 35), ("flagged", 1)])
def test_review_filters(client_in, submitted, show, count):
    html = client_in.get(
        reverse("quiz:review", args=[submitted.pk]), {"show": show}
    ).content.decode()
    assert f"{count} question{'s' if count != 1 else ''} shown." in html


def test_review_filters_by_domain_and_topic(client_in, submitted):
    url = reverse("quiz:review", args=[submitted.pk])
    assert "13 questions shown." in client_in.get(url, {"domain": "1"}).content.decode()
    topic_count = submitted.items.filter(topic__code="3.2").count()
    html = client_in.get(url, {"topic": "3.2"}).content.decode()
    assert f"{topic_count} question{'s' if topic_count != 1 else ''} shown." in html


def test_review_of_an_attempt_in_progress_is_refused(client_in, learner, mls, now):
    fill_bank(mls, {"1": 13, "2": 16, "3": 23, "4": 13})
    attempt = services.start_attempt(user=learner, blueprint=mls, now=timezone.now())
    response = client_in.get(reverse("quiz:review", args=[attempt.pk]))
    html = response.content.decode()
    assert response.status_code == 409
    assert "open again once you submit or discard your mock exam" in html
    for item in attempt.items.all():
        assert item.explanation not in html


def test_review_and_practice_of_another_learner_are_404(client, submitted, other_learner, learner):
    topic = submitted.items.first().topic
    practice = services.start_practice(user=learner, topic=topic, now=timezone.now())
    client.force_login(other_learner)
    assert client.get(reverse("quiz:review", args=[submitted.pk])).status_code == 404
    assert client.get(reverse("quiz:practice", args=[practice.pk, 1])).status_code == 404
    url = reverse("quiz:practice_answer", args=[practice.pk, 1])
    assert client.post(url, {"choice": "0"}).status_code == 404
    assert client.get(reverse("quiz:review", args=[practice.pk])).status_code == 404


def test_practice_prefers_missed_then_least_seen(learner, mls, now):
    topic = Topic.objects.get(code="2.2", domain__blueprint=mls)
    questions = [QuestionFactory(topic=topic) for _ in range(20)]
    first = services.start_practice(user=learner, topic=topic, now=now, rng=random.Random(1))
    assert first.question_count == 15 and first.deadline is None
    missed = first.items.get(position=1)
    services.answer_item(
        item=first.items.get(position=1),
        selected=[min(set(range(4)) - missed.correct_indexes)],
        now=now,
    )
    for position in range(2, 16):
        item = first.items.get(position=position)
        services.answer_item(
            item=first.items.get(position=position), selected=sorted(item.correct_indexes), now=now
        )
    second = services.start_practice(user=learner, topic=topic, now=now + timedelta(hours=1))
    drawn = list(second.items.values_list("question_id", flat=True))
    unseen = {q.pk for q in questions} - set(first.items.values_list("question_id", flat=True))
    assert drawn[0] == missed.question_id
    assert set(drawn[1:6]) == unseen


def test_practice_gives_immediate_feedback_and_counts_toward_mastery(client_in, learner, mls, now):
    topic = Topic.objects.get(code="2.2", domain__blueprint=mls)
    for _ in range(3):
        QuestionFactory(topic=topic)
    response = client_in.post(reverse("quiz:practice_start"), {"topic": topic.pk})
    attempt = Attempt.objects.get(user=learner, mode="practice")
    assert response["Location"] == reverse("quiz:practice", args=[attempt.pk, 1])
    item = attempt.items.get(position=1)
    response = client_in.post(
        reverse("quiz:practice_answer", args=[attempt.pk, 1]),
        {"position": 1, "choice": sorted(item.correct_indexes)},
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert "Correct." in html and "Correct answer" in html and item.explanation in html
    again = client_in.post(
        reverse("quiz:practice_answer", args=[attempt.pk, 1]), {"position": 1, "choice": "1"}
    )
    assert again.status_code == 400
    domains = mastery.learner_mastery(learner, mls, now=timezone.now())
    figure = next(t for d in domains for t in d.topics if t.code == "2.2")
    assert (figure.estimate.correct, figure.estimate.answered) == (1, 1)
    client_in.post(reverse("quiz:submit", args=[attempt.pk]))
    attempt.refresh_from_db()
    assert attempt.state == Attempt.State.SUBMITTED and attempt.scored_count == 1
    html = client_in.get("/").content.decode()
    assert "Practice history" in html and "1 of 1" in html


def test_practice_start_with_bad_topic_is_4xx(client_in, mls):
    for topic in ["abc", "99999", "²", "9" * 5000, ""]:
        response = client_in.post(reverse("quiz:practice_start"), {"topic": topic})
        assert response.status_code == 400
        assert b"Choose a topic." in response.content or b"required" in response.content


def test_seed_demo_creates_a_learner_with_history(mls, capsys):
    call_command("load_bank", verbosity=0)
    call_command("seed_demo")
    assert "Log in as demo / demo-pass-2026" in capsys.readouterr().out
    attempts = Attempt.objects.filter(user__username="demo")
    assert attempts.filter(mode="mock", state="submitted").count() == 4
    assert attempts.filter(mode="practice", state="submitted").count() == 2
    call_command("seed_demo", verbosity=0)
    assert Attempt.objects.filter(user__username="demo").count() == 6


@pytest.mark.parametrize("size", [10, 65])
def test_results_and_review_queries_do_not_grow_with_exam_length(
    client_in, learner, size, django_assert_max_num_queries
):
    blueprint = one_topic_blueprint(size)
    attempt = services.start_attempt(user=learner, blueprint=blueprint, now=timezone.now())
    services.submit_attempt(attempt=attempt, now=timezone.now())
    with django_assert_max_num_queries(4):
        assert client_in.get(reverse("quiz:results", args=[attempt.pk])).status_code == 200
    with django_assert_max_num_queries(6):
        assert client_in.get(reverse("quiz:review", args=[attempt.pk])).status_code == 200
