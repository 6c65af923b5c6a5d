import os
import secrets
import subprocess
import sys

import pytest
from django.conf import settings

MANAGE = [sys.executable, str(settings.BASE_DIR / "manage.py")]


def run_manage(*args, **env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    return subprocess.run(
        [*MANAGE, *args], env={**clean, **env}, capture_output=True, text=True, timeout=120
    )


def test_production_profile_passes_check_deploy():
    result = run_manage(
        "check", "--deploy", "--fail-level", "WARNING",
        DJANGO_ENV="production",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(64),
        DJANGO_ALLOWED_HOSTS="exam.example.com",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/postgres",
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    result = run_manage("check", DJANGO_ENV="production", DJANGO_ALLOWED_HOSTS="exam.example.com")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_healthz_is_503_when_the_database_is_unreachable():
    code = (
        "from django.test import Client; r = Client().get('/healthz');"
        "print(r.status_code, r.content.decode())"
    )
    result = run_manage("shell", "-c", code, DATABASE_URL="postgres://nobody@127.0.0.1:1/none")
    assert result.stdout.strip().splitlines()[-1] == "503 database unavailable", result.stderr


@pytest.mark.django_db
def test_healthz_is_200_with_the_database(client):
    response = client.get("/healthz")
    assert (response.status_code, response.content) == (200, b"ok")


@pytest.mark.django_db
def test_security_headers(client):
    response = client.get("/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_with_redis_sessions_and_counts_live_in_redis_and_without_it_in_the_database():
    code = (
        "from django.conf import settings as s; from django.core.cache import caches;"
        "print(s.SESSION_ENGINE, type(caches['default']).__name__,"
        " type(caches['throttle']).__name__)"
    )
    clean = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    shell = [*MANAGE, "shell", "--verbosity", "0", "-c", code]
    plain = subprocess.run(shell, env=clean, capture_output=True, text=True, timeout=60)
    assert plain.stdout.split() == [
        "django.contrib.sessions.backends.db", "LocMemCache", "DatabaseCache"
    ], plain.stderr  # fmt: skip
    redis = subprocess.run(
        shell, env={**clean, "REDIS_URL": "redis://127.0.0.1:6379/15"},
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert redis.stdout.split() == [
        "django.contrib.sessions.backends.cached_db", "RedisCache", "RedisCache"
    ], redis.stderr  # fmt: skip


@pytest.mark.skipif(not settings.REDIS_URL, reason="runs where the suite runs with Redis")
def test_with_redis_a_signed_in_page_reads_no_session_row(client, learner):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(learner)
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/mastery/").status_code == 200
    assert not [q["sql"] for q in queries if "django_session" in q["sql"]]


def test_the_bench_floor_views_exist_only_while_the_bench_runs_them(client, learner, settings):
    client.force_login(learner)
    assert client.get("/bench/floor/login").status_code == 404
    assert client.get("/bench/floor/page").status_code == 404
    settings.BENCH_FLOOR_VIEWS = True
    assert client.get("/bench/floor/login").content == b"ok"
    assert "<h1>Floor</h1>" in client.get("/bench/floor/page").content.decode()
    client.logout()
    assert client.get("/bench/floor/page").status_code == 302


def test_production_refuses_the_bench_floor_views():
    result = run_manage(
        "check", DJANGO_ENV="production", DJANGO_SECRET_KEY=secrets.token_urlsafe(64),
        DJANGO_ALLOWED_HOSTS="exam.example.com", DJANGO_BENCH_FLOOR_VIEWS="true",
    )  # fmt: skip
    assert result.returncode != 0
    assert "DJANGO_BENCH_FLOOR_VIEWS is not allowed in production" in result.stderr
