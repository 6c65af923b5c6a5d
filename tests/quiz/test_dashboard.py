"""The learner dashboard: history, weakest topics, readiness, what to do next."""

from datetime import UTC, datetime

import pytest
from django.utils import timezone

from quiz import mastery
from quiz.templatetags.charts import trend_chart
from tests.factories import UserFactory, finished_attempts


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
    with django_assert_max_num_queries(10):
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


def test_score_trend_spaces_mocks_by_date_and_labels_the_days(mls, learner):
    finished_attempts(learner, mls, 3, now=timezone.now())
    first, second, third = learner.attempts.order_by("started_at")
    for attempt, day in zip((first, second, third), (1, 2, 11), strict=True):
        attempt.started_at = datetime(2026, 11, day, 9, tzinfo=UTC)
    chart = trend_chart([third, first, second], mls)
    xs = [point["x"] for point in chart["points"]]
    assert xs[0] == chart["left"] and xs[2] == chart["right"]
    assert (xs[1] - xs[0]) == pytest.approx((xs[2] - xs[0]) / 10, abs=0.1)
    assert [d["label"] for d in chart["dates"]] == ["1 Nov", "6 Nov", "11 Nov"]
    assert chart["period"] == "1 Nov to 11 Nov"
    one = trend_chart([first], mls)
    assert [d["label"] for d in one["dates"]] == ["1 Nov"] and one["period"] == ""


def test_dashboard_lists_the_latest_and_the_history_page_has_them_all(client_in, learner, mls):
    finished_attempts(learner, mls, 30, now=timezone.now())
    html = client_in.get("/").content.decode()
    assert html.count("Review answers of") == 10
    assert "All 30 mock exams" in html and "Your latest 20 of 30 mock exams." in html
    assert "Scaled score over your 20 mock exams" in html
    first = client_in.get("/history/").content.decode()
    assert first.count('class="review-link">Mock exam<') == 25 and "Page 1 of 2" in first
    second = client_in.get("/history/?page=2").content.decode()
    assert second.count('class="review-link">Mock exam<') == 5 and 'rel="prev"' in second
    assert client_in.get("/history/?page=junk").status_code == 200


def test_history_shows_only_the_learners_own_finished_attempts(client_in, learner, mls):
    finished_attempts(learner, mls, 2, now=timezone.now())
    finished_attempts(UserFactory(username="other"), mls, 3, now=timezone.now())
    html = client_in.get("/history/").content.decode()
    assert html.count('class="review-link">Mock exam<') == 2
