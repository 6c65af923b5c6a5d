"""Exam day as on the real screen: the start page, safe endings, incomplete picks,
strike-through, resuming, time up and pacing."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from quiz import mastery, selectors, services
from quiz.models import Attempt
from tests.factories import one_topic_blueprint

HTMX = {"HX-Request": "true"}


@pytest.fixture
def now():
    """The real clock: these tests go through views, which read it."""
    return timezone.now()


@pytest.fixture
def mock(learner, mls, bank, now):
    return services.start_attempt(user=learner, blueprint=mls, now=now)


def item_at(attempt, position):
    return attempt.items.get(position=position)


def test_start_page_explains_before_the_clock_and_begin_starts_it(client_in, bank):
    response = client_in.get(reverse("quiz:start"))
    html = response.content.decode()
    assert response.status_code == 200 and not Attempt.objects.exists()
    assert "65 questions in 180 minutes" in html and "about 2.8 minutes a question" in html
    assert ">Begin exam</button>" in html and "Strike out" in html
    response = client_in.post(reverse("quiz:start"))
    attempt = Attempt.objects.get()
    assert response["Location"] == reverse("quiz:question", args=[attempt.pk, 1])


def test_start_with_a_mock_in_progress_resumes_where_the_learner_stopped(client_in, mock, now):
    services.answer_item(item=item_at(mock, 1), selected=[0], now=now, go_to=12)
    response = client_in.get(reverse("quiz:start"))
    assert response["Location"] == reverse("quiz:question", args=[mock.pk, 12])
    html = client_in.get("/").content.decode()
    assert reverse("quiz:question", args=[mock.pk, 12]) in html
    assert "answered 1 of 65" in html and "left" in html


def test_a_navigation_post_remembers_the_question_gone_to(client_in, mock):
    url = reverse("quiz:answer", args=[mock.pk, 4])
    client_in.post(url, {"position": 4, "choice": "0", "go": "next"})
    mock.refresh_from_db()
    assert mock.last_position == 5


def test_incomplete_multiple_response_is_saved_and_shown_as_incomplete(client_in, mock):
    item = mock.items.filter(kind="multiple").first()
    url = reverse("quiz:answer", args=[mock.pk, item.position])
    html = client_in.post(url, {"position": item.position, "choice": "0"}, headers=HTMX)
    html = html.content.decode()
    assert "Answer saved — incomplete: 1 of 2 selected." in html
    assert "1 of 2 selected · <strong>Incomplete</strong>" in html
    assert f"Question {item.position}, incomplete" in html
    assert "Answered 0 of 65 · 1 incomplete" in html
    item.refresh_from_db()
    assert item.selected == [0] and item.is_incomplete


def test_more_picks_than_asked_are_refused_and_the_earlier_selection_kept(client_in, mock, now):
    item = mock.items.filter(kind="multiple").first()
    services.answer_item(item=item, selected=[0, 1], now=now)
    url = reverse("quiz:answer", args=[mock.pk, item.position])
    data = {"position": item.position, "choice": ["0", "1", "2"], "go": "next"}
    htmx = client_in.post(url, data, headers=HTMX)
    assert htmx.status_code == 400 and b"Choose at most 2" in htmx.content
    plain = client_in.post(url, data)
    html = plain.content.decode()
    assert plain.status_code == 400
    assert "Choose at most 2; your earlier selection is kept." in html
    assert re.search(r'value="0" id="choice-0" checked', html)
    assert not re.search(r'value="2" id="choice-2" checked', html)
    item.refresh_from_db()
    assert item.selected == [0, 1]


def test_the_pick_count_is_said_once(client_in, mock):
    item = mock.items.filter(kind="multiple").first()
    html = client_in.get(reverse("quiz:question", args=[mock.pk, item.position])).content
    assert html.decode().count("Choose TWO.") == 1


def test_strike_out_is_saved_with_the_item_never_an_answer_and_shown_in_review(
    client_in, mock, now
):
    url = reverse("quiz:strike", args=[mock.pk, 2])
    response = client_in.post(url, {"strike": "1"}, headers=HTMX)
    html = response.content.decode()
    assert 'aria-pressed="true"' in html and ">Restore 2</button>" in html
    item = item_at(mock, 2)
    assert item.struck == [1] and item.selected == []
    page = client_in.get(reverse("quiz:question", args=[mock.pk, 2])).content.decode()
    assert "(struck out)" in page and ">Restore 2</button>" in page
    assert page.count('<div class="choice struck">') == 1
    assert page.count('<div class="choice">') == len(item.choices) - 1
    options = len(item.choices)  # the keys 1…n choose, Shift+1…n strike
    for number in range(1, options + 1):
        assert f'data-shortcut="{number}"' in page and f'data-strike="{number}"' in page
    assert client_in.post(url, {"restore": "1"})["Location"].endswith("/questions/2/")
    assert item_at(mock, 2).struck == []
    client_in.post(url, {"strike": "3"})
    assert client_in.post(url, {"strike": "1", "restore": "2"}).status_code == 400
    assert client_in.post(url, {"strike": "9"}).status_code == 400
    services.submit_attempt(attempt=mock, now=now)
    review = client_in.get(reverse("quiz:review", args=[mock.pk])).content.decode()
    assert "You struck this out" in review


def test_discarding_needs_a_confirmation_and_leaves_history_untouched(
    client_in, learner, mock, mls, now
):
    for position in range(1, 30):
        services.answer_item(item=item_at(mock, position), selected=[0], now=now)
    before = client_in.get("/").content.decode()
    url = reverse("quiz:discard", args=[mock.pk])
    ask = client_in.post(url)
    assert ask.status_code == 200 and "Discard this attempt?" in ask.content.decode()
    assert Attempt.objects.get().is_in_progress
    done = client_in.post(url, {"confirm": "1"}, follow=True)
    assert "The attempt was discarded" in done.content.decode()
    mock.refresh_from_db()
    assert mock.state == Attempt.State.DISCARDED
    assert all(d.estimate.answered == 0 for d in mastery.learner_mastery(learner, mls, now=now))
    after = client_in.get("/").content.decode()
    assert "Mock exam history" in after and "Resume exam" not in after
    assert "answered 29 of 65" in before
    assert client_in.get(reverse("quiz:results", args=[mock.pk])).status_code == 404


def test_a_finished_mock_can_be_set_aside_and_counted_again(client_in, learner, mock, mls, now):
    services.answer_item(item=item_at(mock, 1), selected=[0], now=now)
    services.submit_attempt(attempt=mock, now=now)
    answered = sum(d.estimate.answered for d in mastery.learner_mastery(learner, mls, now=now))
    assert answered == 65
    url = reverse("quiz:exclude", args=[mock.pk])
    client_in.post(url, {"excluded": "1"})
    assert sum(d.estimate.answered for d in mastery.learner_mastery(learner, mls, now=now)) == 0
    assert (
        "You set this mock aside"
        in client_in.get(reverse("quiz:results", args=[mock.pk])).content.decode()
    )
    client_in.post(url, {"excluded": "0"})
    assert sum(d.estimate.answered for d in mastery.learner_mastery(learner, mls, now=now)) == 65


def test_the_countdowns_submit_at_zero_stores_the_attempt_as_expired(client_in, mock):
    url = reverse("quiz:submit", args=[mock.pk])
    early_by_a_moment = mock.deadline - timedelta(milliseconds=2)
    with time_machine.travel(early_by_a_moment, tick=False):
        response = client_in.post(url, {"timed_out": "1"}, follow=True)
    mock.refresh_from_db()
    assert mock.is_expired and mock.finished_at == mock.deadline
    assert "Time is up." in response.content.decode()


def test_a_timed_out_flag_long_before_the_deadline_is_a_plain_submit(mock, now):
    services.submit_attempt(attempt=mock, now=now + timedelta(minutes=5), timed_out=True)
    mock.refresh_from_db()
    assert mock.state == Attempt.State.SUBMITTED


def test_time_per_domain_is_per_answered_question(mock, now):
    first = item_at(mock, 1)
    services.answer_item(item=first, selected=[0], now=now + timedelta(seconds=240))
    services.submit_attempt(attempt=mock, now=now + timedelta(seconds=250))
    rows = {row["code"]: row for row in selectors.pacing(mock)["domains"]}
    assert rows[first.domain_code]["per_question"] == 240
    assert [r["per_question"] for c, r in rows.items() if c != first.domain_code] == [None] * 3


def test_time_per_question_is_credited_from_actions_and_capped(mock, now):
    services.answer_item(item=item_at(mock, 1), selected=[0], now=now + timedelta(seconds=150))
    services.flag_item(item=item_at(mock, 1), flagged=True, now=now + timedelta(seconds=170))
    services.answer_item(item=item_at(mock, 2), selected=[1], now=now + timedelta(hours=2))
    assert item_at(mock, 1).seconds_spent == 170
    assert item_at(mock, 2).seconds_spent == services.MAX_SECONDS_PER_VIEW == 600


def test_results_speak_of_pace_from_recorded_times(client_in, mock, now):
    moment = now
    for position in range(1, 66):
        moment += timedelta(seconds=200 if position <= 13 else 140)
        services.answer_item(item=item_at(mock, position), selected=[0], now=moment)
    services.submit_attempt(attempt=mock, now=moment)
    pace = selectors.pacing(mock)
    assert pace["pace"] == pytest.approx(180 * 60 / 65)
    assert pace["spent"] == 13 * 200 + 52 * 140
    assert pace["verdict"] == "On the exam's pace: 2.5 min a question against 2.8."
    assert sum(row["seconds"] for row in pace["domains"]) == pace["spent"]
    slowest = pace["slowest"]
    assert len(slowest) == 5 and {item["seconds_spent"] for item in slowest} == {200}
    html = client_in.get(reverse("quiz:results", args=[mock.pk])).content.decode()
    assert "Your slowest questions" in html and "(3 min 20 s)" in html
    assert "On the exam&#x27;s pace: 2.5 min a question against 2.8." in html


@pytest.mark.parametrize(
    ("per_question", "expired", "start"),
    [
        (0, False, "Too few answers to judge your pace"),
        (166, False, "On the exam's pace: 2.8 min a question against 2.8."),
        (200, False, "Slower than the exam's pace: 3.3 min a question against 2.8; at this "
                     "speed 65 questions take about 217 minutes."),
        (60, False, "Well ahead of the exam's pace: 1.0 min a question against 2.8"),
        (200, True, "Time ran out: at 3.3 min a question all 65 need about 217 minutes."),
    ],
)  # fmt: skip
def test_the_pacing_verdict(per_question, expired, start):
    answered = 65 if per_question else 3
    pace = 180 * 60 / 65
    verdict = selectors.pacing_verdict(per_question, pace, 65, expired=expired, answered=answered)
    assert verdict.startswith(start)


def test_error_pages_are_in_the_sites_look(client_in, db):
    response = client_in.get("/no-such-page/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "Page not found" in html and 'class="site-header"' in html


def test_the_favicon_is_served(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith("favicon.svg")


def test_practice_submit_needs_no_confirmation(client_in, learner, now):
    blueprint = one_topic_blueprint(4)
    topic = blueprint.domains.get().topics.get()
    practice = services.start_practice(user=learner, topic=topic, now=now)
    response = client_in.post(reverse("quiz:submit", args=[practice.pk]))
    assert response.status_code == 302


def test_the_exams_status_is_shown_on_the_landing_and_start_pages(client_in, mls):
    mls.notice = "This exam was retired on 31 March 2026."
    mls.save()
    assert "This exam was retired on 31 March 2026." in Client().get("/").content.decode()
    start = client_in.get(reverse("quiz:start")).content.decode()
    assert "This exam was retired on 31 March 2026." in start


def test_answers_given_within_a_second_each_record_no_pace():
    verdict = selectors.pacing_verdict(0, 166, 65, expired=False, answered=65)
    assert verdict.startswith("No time was recorded")
