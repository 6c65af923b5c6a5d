"""Bad input gets a 4xx and changes nothing; no learner reaches another's work."""

import random

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from questions.models import Question
from quiz import services
from quiz.models import Attempt
from tests.discovery import attempt_routes, routes
from tests.factories import UserFactory, one_topic_blueprint

HOSTILE = '<script>alert("owned")</script> <img src=x onerror="alert(1)">'


@pytest.fixture
def two_attempts(db):
    blueprint = one_topic_blueprint()
    alice, bob = UserFactory(username="alice"), UserFactory(username="bob")
    now = timezone.now()
    mine = services.start_attempt(user=alice, blueprint=blueprint, now=now, rng=random.Random(1))
    theirs = services.start_attempt(user=bob, blueprint=blueprint, now=now, rng=random.Random(2))
    services.answer_item(item=theirs.items.get(position=1), selected=[0], now=now)
    return alice, mine, theirs


def snapshot(attempt):
    attempt.refresh_from_db()
    return attempt.state, list(attempt.items.values_list("position", "selected", "flagged"))


# Every parameter name any view or form reads, and values that broke parsers before.
PARAMETERS = [
    "choice", "position", "go", "flagged", "topic", "show", "domain", "next", "username",
    "password", "password1", "password2", "x", "choice[]",
]  # fmt: skip
VALUES = st.one_of(
    st.text(max_size=30),
    st.integers(-5, 10**30).map(str),
    st.sampled_from(["next", "prev", "review", "1", "0", "²", "9" * 5000, "\x00", "1\x00", "all"]),
)
ROUTES = routes(("quiz", None))


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    route=st.sampled_from(ROUTES),
    method=st.sampled_from(["get", "post"]),
    htmx=st.booleans(),
    which=st.sampled_from(["mine", "theirs", "random"]),
    random_pk=st.integers(min_value=0, max_value=10**20),
    position=st.integers(min_value=0, max_value=10**20),
    data=st.dictionaries(
        st.sampled_from(PARAMETERS), st.lists(VALUES, min_size=1, max_size=8), max_size=4
    ),
)
def test_fuzzed_requests_to_every_route_never_500_and_never_touch_another_attempt(
    two_attempts, route, method, htmx, which, random_pk, position, data
):
    """Every route of the app, GET or POST, with any query or form parameter it could read."""
    alice, mine, theirs = two_attempts
    before = snapshot(theirs)
    client = Client()
    client.force_login(alice)
    pk = {"mine": mine.pk, "theirs": theirs.pk, "random": random_pk}[which]
    kwargs = {name: {"pk": pk, "position": position}[name] for name in route.arguments}
    url = reverse(route.name, kwargs=kwargs)
    headers = {"HX-Request": "true"} if htmx else {}
    response = getattr(client, method)(url, data, headers=headers)
    assert response.status_code < 500, (url, method, data)
    has_nul = any("\x00" in value for values in data.values() for value in values)
    if which == "theirs" and "pk" in route.arguments:
        # A NUL character is refused (400) before any lookup, for every attempt alike.
        assert response.status_code in ({400, 404, 405} if has_nul else {404, 405}), url
    assert snapshot(theirs) == before


def test_post_without_csrf_token_is_403(two_attempts):
    alice, mine, _ = two_attempts
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    url = reverse("quiz:answer", args=[mine.pk, 1])
    assert client.post(url, {"choice": "0"}).status_code == 403
    assert client.post(reverse("quiz:submit", args=[mine.pk])).status_code == 403
    assert snapshot(mine)[0] == Attempt.State.IN_PROGRESS
    assert mine.items.get(position=1).selected == []


def test_oversized_and_malformed_payloads_are_4xx(two_attempts):
    alice, mine, _ = two_attempts
    client = Client()
    client.force_login(alice)
    url = reverse("quiz:answer", args=[mine.pk, 2])
    too_many = client.post(url, {"choice": ["0"] * 1500})
    assert 400 <= too_many.status_code < 500
    huge = client.post(
        url, "choice=" + "9" * (3 * 1024 * 1024), content_type="application/x-www-form-urlencoded"
    )
    assert 400 <= huge.status_code < 500
    garbage = client.post(url, b"\xff\xfe\x00\x01", content_type="application/octet-stream")
    assert 400 <= garbage.status_code < 500
    assert mine.items.get(position=2).selected == []


def test_every_route_naming_an_attempt_is_404_for_another_learner(db):
    """Discovers every URL pattern that takes an attempt id, so a new view cannot skip the
    ownership lookup: the intruder gets 404 on each (405 for the method it does not take)."""
    blueprint = one_topic_blueprint()
    owner, intruder = UserFactory(username="owner"), UserFactory(username="intruder")
    now = timezone.now()
    topic = blueprint.domains.get().topics.get()
    finished = services.start_practice(user=owner, topic=topic, now=now)
    services.submit_attempt(attempt=finished, now=now)
    practice = services.start_practice(user=owner, topic=topic, now=now)
    mock = services.start_attempt(user=owner, blueprint=blueprint, now=now)
    attempts = [mock, finished, practice]
    before = [snapshot(a) for a in attempts]
    client = Client()
    client.force_login(intruder)
    routes_found = attempt_routes()
    assert len(routes_found) >= 9
    data = {"choice": "0", "flagged": "1", "position": "1"}
    for route in routes_found:
        for attempt in attempts:
            kwargs = {"pk": attempt.pk, "position": 1}
            url = reverse(route.name, kwargs={k: kwargs[k] for k in route.arguments})
            statuses = {client.get(url).status_code, client.post(url, data).status_code}
            assert 404 in statuses and statuses <= {404, 405}, (url, statuses)
    assert [snapshot(a) for a in attempts] == before


def test_markup_in_a_question_is_inert_on_every_page(db, admin_client):
    blueprint = one_topic_blueprint(size=4, stem=f"Which fits? {HOSTILE}", explanation=HOSTILE)
    Question.objects.filter(topic__domain__blueprint=blueprint).first().choices.update(
        text=f"Option {HOSTILE}", why=f"Because {HOSTILE}"
    )
    learner = UserFactory(username="reader")
    client = Client()
    client.force_login(learner)
    now = timezone.now()
    topic = blueprint.domains.get().topics.get()
    practice = services.start_practice(user=learner, topic=topic, now=now)
    services.answer_item(item=practice.items.get(position=1), selected=[0], now=now)
    pages = [client.get(reverse("quiz:practice", args=[practice.pk, 1]))]
    mock = services.start_attempt(user=learner, blueprint=blueprint, now=now)
    pages += [client.get(reverse("quiz:question", args=[mock.pk, n])) for n in range(1, 5)]
    services.submit_attempt(attempt=mock, now=now)
    pages.append(client.get(reverse("quiz:review", args=[mock.pk])))
    question = Question.objects.filter(topic=topic).first()
    pages.append(admin_client.get(reverse("admin:questions_question_preview", args=[question.pk])))
    for page in pages:
        assert page.status_code == 200
        html = page.content.decode()
        assert "<script>alert" not in html
        assert "<img" not in html and "onerror=" not in html.replace("onerror=&quot;", "")
