"""Log-in lockout (django-axes) per username and address, and throttling per address."""

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from tests.factories import UserFactory

PASSWORD = "correct horse battery staple"
PROXY = "10.0.0.254"


@pytest.fixture
def user(db):
    return UserFactory(username="sam")


def log_in(client, username, password, ip="10.0.0.1", forwarded=None):
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    return client.post(
        reverse("login"),
        {"username": username, "password": password},
        REMOTE_ADDR=ip,
        headers=headers,
    )


def test_five_wrong_passwords_lock_that_username_from_that_address(user):
    client = Client()
    for _ in range(4):
        assert log_in(client, "sam", "wrong").status_code == 200
    fifth = log_in(client, "sam", "wrong")
    assert fifth.status_code == 429 and "Too many failed log-ins" in fifth.content.decode()
    response = log_in(client, "sam", PASSWORD)
    assert response.status_code == 429
    assert "15 min" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_nobody_can_lock_someone_else_out_from_another_address(user):
    for _ in range(5):
        log_in(Client(), "sam", "wrong", ip="203.0.113.66")
    assert log_in(Client(), "sam", PASSWORD, ip="198.51.100.7").status_code == 302


def test_two_clients_behind_one_proxy_are_counted_apart(user, settings):
    settings.BEHIND_PROXY, settings.PROXY_COUNT = True, 1
    for _ in range(5):
        log_in(Client(), "sam", "wrong", ip=PROXY, forwarded="203.0.113.66")
    assert log_in(Client(), "sam", PASSWORD, ip=PROXY, forwarded="203.0.113.66").status_code == 429
    assert log_in(Client(), "sam", PASSWORD, ip=PROXY, forwarded="198.51.100.7").status_code == 302


def test_forwarded_for_is_ignored_when_not_behind_a_proxy(user, settings):
    settings.BEHIND_PROXY = False
    for n in range(5):
        log_in(Client(), "sam", "wrong", ip="203.0.113.66", forwarded=f"198.51.100.{n}")
    response = log_in(Client(), "sam", PASSWORD, ip="203.0.113.66", forwarded="198.51.100.99")
    assert response.status_code == 429


def test_one_address_trying_many_usernames_is_throttled(user, settings):
    settings.THROTTLES = {**settings.THROTTLES, "login": "6/h"}
    for n in range(6):
        assert log_in(Client(), f"guess{n}", "wrong", ip="10.9.9.9").status_code == 200
    refused = log_in(Client(), "sam", PASSWORD, ip="10.9.9.9")
    assert refused.status_code == 429
    assert "Try again in about" in refused.content.decode() and refused["Retry-After"]
    assert log_in(Client(), "sam", PASSWORD, ip="10.1.1.1").status_code == 302


def test_a_right_password_resets_the_count(user):
    client = Client()
    for _ in range(4):
        log_in(client, "sam", "wrong")
    assert log_in(client, "sam", PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        log_in(client, "sam", "wrong")
    assert log_in(client, "sam", PASSWORD).status_code == 302


def test_an_overlong_username_is_a_form_error(user):
    response = log_in(Client(), "x" * 300, "wrong")
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()


def test_login_error_is_shown_once(user):
    html = log_in(Client(), "sam", "wrong").content.decode()
    assert html.count("Please enter a correct username and password") == 1


def test_an_instructor_sees_and_clears_lockouts(user, client):
    for _ in range(5):
        log_in(Client(), "sam", "wrong")
    instructor = UserFactory(username="ivy", is_staff=True)
    instructor.groups.add(Group.objects.get(name="Instructors"))
    client.force_login(instructor)
    listing = client.get("/admin/axes/accessattempt/")
    assert listing.status_code == 200 and "sam" in listing.content.decode()
    from axes.models import AccessAttempt

    attempt = AccessAttempt.objects.get(username="sam")
    response = client.post(
        f"/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"}, follow=True
    )
    assert response.status_code == 200
    assert log_in(Client(), "sam", PASSWORD).status_code == 302


def test_an_instructor_resets_a_learners_password_and_nothing_else(user, client):
    instructor = UserFactory(username="ivy", is_staff=True)
    instructor.groups.add(Group.objects.get(name="Instructors"))
    colleague = UserFactory(username="otto", is_staff=True)
    client.force_login(instructor)
    url = reverse("admin:quiz_learner_password_change", args=[user.pk])
    new = "a-fresh-start-2026"
    response = client.post(url, {"password1": new, "password2": new, "usable_password": "true"})
    assert response.status_code == 302
    assert log_in(Client(), "sam", new).status_code == 302
    staff_url = reverse("admin:quiz_learner_password_change", args=[colleague.pk])
    assert client.get(staff_url).status_code in (302, 404)
    assert client.get(reverse("admin:auth_user_changelist")).status_code == 403
