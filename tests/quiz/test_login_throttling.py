import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import UserFactory

PASSWORD = "correct horse battery staple"


@pytest.fixture
def user(db):
    return UserFactory(username="sam")


def log_in(client, username, password, ip="10.0.0.1"):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def test_sixth_try_after_five_wrong_passwords_is_refused_even_when_right(user):
    client = Client()
    for n in range(4):
        assert log_in(client, "sam", "wrong", ip=f"10.0.0.{n + 1}").status_code == 200
    fifth = log_in(client, "sam", "wrong", ip="10.0.0.5")
    assert fifth.status_code == 429 and "Too many failed log-ins" in fifth.content.decode()
    response = log_in(client, "sam", PASSWORD, ip="10.0.0.99")
    assert response.status_code == 429
    html = response.content.decode()
    assert "Too many failed log-ins" in html
    assert "15 min" in html and "ask an instructor to unlock it" in html
    assert "_auth_user_id" not in client.session


def test_one_address_trying_many_usernames_is_locked_too(user):
    client = Client()
    for n in range(5):
        log_in(client, f"guess{n}", "wrong", ip="10.9.9.9")
    assert log_in(client, "sam", PASSWORD, ip="10.9.9.9").status_code == 429
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


def test_admin_lists_lockouts(user, admin_client):
    for _ in range(5):
        log_in(Client(), "sam", "wrong")
    response = admin_client.get("/admin/axes/accessattempt/")
    assert response.status_code == 200
    assert "sam" in response.content.decode()
