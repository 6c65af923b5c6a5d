"""Results and the answer review of finished attempts."""

import random
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from quiz import services
from tests.factories import fill_bank, one_topic_blueprint


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


@pytest.mark.parametrize(("show", "count"), [("incorrect", 10), ("unanswered", 35), ("flagged", 1)])
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


@pytest.mark.parametrize("size", [10, 65])
def test_results_and_review_queries_do_not_grow_with_exam_length(
    client_in, learner, size, django_assert_max_num_queries
):
    blueprint = one_topic_blueprint(size)
    attempt = services.start_attempt(user=learner, blueprint=blueprint, now=timezone.now())
    services.submit_attempt(attempt=attempt, now=timezone.now())
    with django_assert_max_num_queries(5):
        assert client_in.get(reverse("quiz:results", args=[attempt.pk])).status_code == 200
    with django_assert_max_num_queries(7):
        assert client_in.get(reverse("quiz:review", args=[attempt.pk])).status_code == 200
