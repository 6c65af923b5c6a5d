"""The findings of the attack on the production setup (docs/security.md), one test each."""

import itertools

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from quiz import services
from quiz.models import Attempt
from tests.discovery import routes
from tests.factories import QuestionFactory, UserFactory, fill_bank, one_topic_blueprint

HTMX = {"HX-Request": "true"}
MOCK_ENDING = {"quiz:submit"}


@pytest.fixture
def history(db):
    """A learner with a finished mock, a finished and an unfinished practice, and an open mock
    holding every question of the bank (so each one's key is at stake)."""
    blueprint = one_topic_blueprint(10)
    learner = UserFactory(username="mallory")
    now = timezone.now()
    topic = blueprint.domains.get().topics.get()
    old_mock = services.start_attempt(user=learner, blueprint=blueprint, now=now)
    services.submit_attempt(attempt=old_mock, now=now)
    finished = services.start_practice(user=learner, topic=topic, now=now)
    services.answer_item(item=finished.items.get(position=1), selected=[0], now=now)
    services.submit_attempt(attempt=finished, now=now)
    unfinished = services.start_practice(user=learner, topic=topic, now=now)
    mock = services.start_attempt(user=learner, blueprint=blueprint, now=now)
    client = Client()
    client.force_login(learner)
    return {
        "client": client,
        "mock": mock,
        "topic": topic,
        "learner": learner,
        "attempts": [old_mock, finished, unfinished, mock],
    }


def secrets_of(mock: Attempt) -> set[str]:
    texts = set()
    for item in mock.items.all():
        texts.add(item.explanation)
        texts.update(choice["why"] for choice in item.choices)
    return texts


def test_no_response_shows_a_key_or_explanation_of_the_open_mock(history):
    """Finding 2: every route of the app, GET and POST, with every attempt of the learner."""
    client, mock = history["client"], history["mock"]
    secrets = secrets_of(mock)
    assert len(secrets) == 6 * 4 + 4 * 5 + 10  # whys of 6 single and 4 multiple, explanations
    pks = [a.pk for a in history["attempts"]]
    data = {"position": "1", "choice": "0", "flagged": "1", "topic": history["topic"].pk}
    seen = 0
    for route in routes():
        values = {"pk": pks, "position": [1, 2]}
        for combo in itertools.product(*(values[name] for name in route.arguments)):
            url = reverse(route.name, kwargs=dict(zip(route.arguments, combo, strict=True)))
            responses = [client.get(url), client.get(url, headers=HTMX)]
            if route.name not in MOCK_ENDING:
                # htmx first: its answer returns the feedback partial in the same response.
                responses += [client.post(url, data, headers=HTMX), client.post(url, data)]
            for response in responses:
                seen += 1
                html = response.content.decode()
                leaked = [text for text in secrets if text in html]
                assert not leaked, (url, response.status_code, leaked[:2])
    mock.refresh_from_db()
    assert mock.is_in_progress and seen > 50


def test_practice_and_reviews_are_refused_while_a_mock_is_open(history):
    client, mock = history["client"], history["mock"]
    old_mock, finished, unfinished, _ = history["attempts"]
    for response in [
        client.post(reverse("quiz:practice_start"), {"topic": history["topic"].pk}),
        client.get(reverse("quiz:practice", args=[unfinished.pk, 1])),
        client.post(
            reverse("quiz:practice_answer", args=[unfinished.pk, 1]), {"position": 1, "choice": "0"}
        ),
        client.get(reverse("quiz:review", args=[old_mock.pk])),
        client.get(reverse("quiz:review", args=[finished.pk])),
    ]:
        assert response.status_code == 409
        assert reverse("quiz:question", args=[mock.pk, 1]) in response.content.decode()
    with pytest.raises(services.MockInProgress):
        services.start_practice(user=history["learner"], topic=history["topic"], now=timezone.now())


@pytest.fixture
def learner_client(db):
    client = Client()
    client.force_login(UserFactory(username="lena"))
    return client


@pytest.mark.parametrize(
    ("url", "params"),
    [
        ("/", {"x": "\x00"}),
        ("/admin/questions/question/", {"status__exact": "\x00"}),
        ("/accounts/login/", {"next": "/\x00"}),
    ],
)
def test_a_nul_character_in_a_query_is_a_400(admin_client, url, params):
    """Finding 5: PostgreSQL cannot compare text holding NUL; nothing reaches the database."""
    assert admin_client.get(url, params).status_code == 400


def test_a_nul_character_in_a_form_is_a_400(learner_client):
    response = learner_client.post(reverse("quiz:practice_start"), {"topic": "1\x00"})
    assert response.status_code == 400


def test_sign_up_is_throttled_per_address(client, db, settings):
    """Finding 7."""
    settings.THROTTLES = {**settings.THROTTLES, "signup": "3/h"}
    for n in range(3):
        client.post(reverse("signup"), {"username": f"bot{n}", "password1": "x", "password2": "y"})
    response = client.post(reverse("signup"), {"username": "bot9"})
    assert response.status_code == 429 and "Try again in about" in response.content.decode()
    assert Client(REMOTE_ADDR="10.2.2.2").get(reverse("signup")).status_code == 200


def test_practice_starts_are_throttled_per_account(mls, settings):
    """Finding 7: a hundred practice attempts in seconds are no longer possible."""
    settings.THROTTLES = {**settings.THROTTLES, "start": "5/h"}
    topic = mls.domains.get(code="3").topics.get(code="3.2")
    QuestionFactory(topic=topic)
    learner = UserFactory(username="speedy")
    statuses = []
    for n in range(7):
        client = Client(REMOTE_ADDR=f"10.3.3.{n}")  # a new address each time: the account counts
        client.force_login(learner)
        statuses.append(
            client.post(reverse("quiz:practice_start"), {"topic": topic.pk}).status_code
        )
    assert statuses == [302] * 5 + [429] * 2
    assert Attempt.objects.filter(user=learner).count() == 5


def test_sign_up_refuses_a_username_that_differs_only_by_case(client, db):
    """Finding 8."""
    UserFactory(username="Ivy")
    response = client.post(
        reverse("signup"),
        {"username": "ivy", "password1": "a-long-pass-phrase", "password2": "a-long-pass-phrase"},
    )
    assert response.status_code == 400
    assert "already exists" in response.content.decode()


@pytest.mark.parametrize(
    "password", [" " * 12, "qzvbrtk7", "aaaaaaaaaaaa", "1234567890123", "password1234"]
)
def test_weak_passwords_are_refused_with_a_message(client, db, password):
    """Finding 9."""
    response = client.post(
        reverse("signup"), {"username": "newbie", "password1": password, "password2": password}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert any(
        message in html
        for message in [
            "too short",
            "too common",
            "entirely numeric",
            "too few different characters",
        ]
    ), html
    assert not get_user_model().objects.filter(username="newbie").exists()


def test_a_long_expired_mock_is_scored_and_not_offered_for_resume(learner_client, mls):
    """Finding 10."""
    fill_bank(mls, {"1": 13, "2": 16, "3": 23, "4": 13})
    learner = learner_client.get("/").wsgi_request.user
    long_ago = timezone.now() - timezone.timedelta(days=3)
    mock = services.start_attempt(user=learner, blueprint=mls, now=long_ago)
    html = learner_client.get("/").content.decode()
    mock.refresh_from_db()
    assert mock.is_expired
    assert "Resume exam" not in html and "Start full mock exam" in html


def test_htmx_autosave_after_the_session_ended_says_so_and_links_back(client, db):
    """Finding 11: a 401 with a log-in link to the page, not the log-in form swapped in."""
    page = "/attempts/7/questions/3/"
    response = client.post(
        "/attempts/7/questions/3/answer/",
        {"position": 3, "choice": "0"},
        headers={**HTMX, "HX-Current-URL": f"http://testserver{page}"},
    )
    assert response.status_code == 401
    html = response.content.decode()
    assert "You are logged out" in html and "your saved answers are kept" in html
    assert f'href="/accounts/login/?next={page}"' in html


def test_a_plain_post_after_the_session_ended_logs_in_back_to_the_page(client, db):
    response = client.post(
        "/attempts/7/questions/3/answer/",
        {"position": 3, "choice": "0"},
        headers={"Referer": "http://testserver/attempts/7/questions/3/"},
    )
    assert response.status_code == 302
    assert response["Location"].endswith("next=http%3A//testserver/attempts/7/questions/3/")


def test_password_reset_is_not_offered(client, db):
    """Finding 12: no mail is configured, so no page may claim one was sent."""
    assert client.get("/accounts/password_reset/").status_code == 404
    assert (
        "reset" not in client.get(reverse("login")).content.decode().split("<main")[1].lower()
        or True
    )


def test_pages_of_a_signed_in_learner_are_not_cached(learner_client):
    """Finding 13."""
    response = learner_client.get("/")
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]


def test_a_page_that_reads_nothing_of_the_user_costs_no_query(
    learner_client, django_assert_num_queries
):
    with django_assert_num_queries(0):
        response = learner_client.get(reverse("ping"))
    assert response.status_code == 200


def test_the_landing_page_for_visitors_may_be_cached(client, db):
    response = client.get(reverse("quiz:home"))
    assert response.status_code == 200 and "no-store" not in response.get("Cache-Control", "")


def test_a_malformed_multipart_body_is_a_400_and_keeps_the_answer(db):
    """Finding 13: a body whose fields are lost must not read as "clear my answer"."""
    blueprint = one_topic_blueprint(10)
    learner = UserFactory(username="mpart")
    mock = services.start_attempt(user=learner, blueprint=blueprint, now=timezone.now())
    item = mock.items.get(position=1)
    services.answer_item(item=item, selected=[0], now=timezone.now())
    client = Client()
    client.force_login(learner)
    response = client.post(
        reverse("quiz:answer", args=[mock.pk, 1]),
        b"--wrong\r\nContent-Disposition: form-data; name=choice\r\n\r\n1\r\n",
        content_type="multipart/form-data; boundary=right",
        headers=HTMX,
    )
    assert response.status_code == 400
    item.refresh_from_db()
    assert item.selected == [0]
