"""The production stack in a browser: gunicorn processes, PostgreSQL, Chromium.

A server killed with SIGKILL loses no saved answer, and two app servers sharing nothing
but the database serve one learner's exam turn about.
"""

import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import psycopg
import pytest
from playwright.sync_api import expect

from tests.e2e.test_exam_e2e import answer_current, sign_up, start_mock, submit_exam

ROOT = Path(__file__).resolve().parents[2]
PG_URL = os.environ.get("MLSPREP_PG_URL", "postgres://postgres@127.0.0.1:5432")
SECRET = secrets.token_urlsafe(50)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def database():
    """A fresh PostgreSQL database, migrated and loaded with the shipped bank."""
    name = f"mlsprep_e2e_{secrets.token_hex(4)}"
    with psycopg.connect(f"{PG_URL}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = f"{PG_URL}/{name}"
    env = server_env(url)
    for command in (["migrate", "--verbosity", "0"], ["load_bank", "--verbosity", "0"]):
        subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True)
    yield url
    with psycopg.connect(f"{PG_URL}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def server_env(database_url: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        DATABASE_URL=database_url,
        DJANGO_SECRET_KEY=SECRET,
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
    )
    return env


class Server:
    def __init__(self, database_url: str, port: int | None = None):
        self.database_url = database_url
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = None

    def start(self):
        gunicorn = Path(sys.executable).with_name("gunicorn")
        self.process = subprocess.Popen(
            [str(gunicorn), "config.wsgi", "--bind", f"127.0.0.1:{self.port}",
             "--worker-class", "gthread", "--workers", "1", "--threads", "4"],
            cwd=ROOT, env=server_env(self.database_url), start_new_session=True,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=1) as response:
                    if response.status == 200:
                        return self
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer on {self.url}")

    def kill(self):
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)


@pytest.fixture
def servers():
    started = []
    yield started
    for server in started:
        if server.process and server.process.poll() is None:
            server.kill()


def attempt_row(database_url, username):
    with psycopg.connect(database_url) as conn:
        return conn.execute(
            "SELECT a.id, a.deadline FROM quiz_attempt a JOIN auth_user u ON u.id = a.user_id "
            "WHERE u.username = %s",
            [username],
        ).fetchone()


def saved_answers(database_url, attempt_id):
    with psycopg.connect(database_url) as conn:
        rows = conn.execute(
            "SELECT position, selected FROM quiz_attemptitem WHERE attempt_id = %s "
            "AND selected::text <> '[]' ORDER BY position",
            [attempt_id],
        ).fetchall()
    return dict(rows)


def timer_seconds(page) -> int:
    h, m, s = map(int, page.get_by_role("timer").inner_text().split(":"))
    return h * 3600 + m * 60 + s


def test_answers_survive_a_sigkill_of_the_server(browser, database, servers):
    server = Server(database).start()
    servers.append(server)
    context = browser.new_context(base_url=server.url)
    page = context.new_page()
    sign_up(page, "crash")
    start_mock(page)
    for position in range(1, 6):
        expect(page.get_by_role("heading", name=f"Question {position} of 65")).to_be_visible()
        answer_current(page)
        page.get_by_role("button", name="Next").click()
    expect(page.get_by_role("heading", name="Question 6 of 65")).to_be_visible()
    attempt_id, deadline = attempt_row(database, "crash")
    before = saved_answers(database, attempt_id)
    assert sorted(before) == [1, 2, 3, 4, 5]

    server.kill()
    restarted = Server(database, port=server.port).start()
    servers.append(restarted)

    page.goto("/")
    page.get_by_role("link", name="Resume exam").click()
    expect(page.get_by_role("heading", name="Question 6 of 65")).to_be_visible()  # where it stopped
    expect(page.get_by_text("Answered 5 of 65")).to_be_visible()
    for position in range(1, 6):
        page.goto(f"/attempts/{attempt_id}/questions/{position}/")
        checked = page.locator("#answer-form input[name=choice]:checked")
        expect(checked).to_have_count(len(before[position]))
    assert attempt_row(database, "crash") == (attempt_id, deadline)
    assert saved_answers(database, attempt_id) == before
    assert 3 * 3600 - 120 < timer_seconds(page) < 3 * 3600
    context.close()


def test_two_app_servers_share_only_the_database(browser, database, servers):
    one, two = Server(database).start(), Server(database).start()
    servers += [one, two]
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(10_000)
    sign_up_on(page, one.url, "roamer")

    page.goto(f"{two.url}/")
    start_mock(page)
    attempt_id, _ = attempt_row(database, "roamer")

    for position in range(1, 7):
        base = (one, two)[position % 2].url
        page.goto(f"{base}/attempts/{attempt_id}/questions/{position}/")
        expect(page.get_by_role("heading", name=f"Question {position} of 65")).to_be_visible()
        answer_current(page)
        expect(page.get_by_text(f"Answered {position} of 65")).to_be_visible()

    page.goto(f"{one.url}/attempts/{attempt_id}/finish/")
    expect(page.locator(".summary")).to_contain_text("59 unanswered")
    submit_exam(page)
    expect(page.get_by_role("heading", name="Results")).to_be_visible()
    page.goto(f"{two.url}/attempts/{attempt_id}/results/")
    expect(page.get_by_role("heading", name="Results")).to_be_visible()
    expect(page.get_by_text(re.compile(r"of 65 correct"))).to_be_visible()
    context.close()


def sign_up_on(page, base_url, username):
    page.goto(f"{base_url}/accounts/signup/")
    page.get_by_label("Username:").fill(username)
    page.get_by_label("Password:", exact=True).fill("a-long-pass-phrase-7")
    page.get_by_label("Password confirmation:").fill("a-long-pass-phrase-7")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Your exams")).to_be_visible()


def test_the_server_does_not_name_its_software(database, servers):
    server = Server(database).start()
    servers.append(server)
    with urllib.request.urlopen(f"{server.url}/ping", timeout=5) as response:
        assert response.headers["Server"] == "mlsprep"
