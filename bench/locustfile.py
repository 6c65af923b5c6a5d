"""Simulated learners for `make bench` (locust, headless).

ExamTaker: signs in, starts a mock, answers and sometimes flags with think time, then
reviews, submits, opens the results and the dashboard, and starts again.
ExamMix: the exam-taking requests only (question page, answer save, flag), no think time.
Floor: the question page, the answer save, the two floor pages (the cheapest signed-in
pages, enabled by the bench only) and the trivial view, in turns (floor_slice), no think time,
for the ratios to the floor.
"""

import itertools
import os
import random
import re
import time
from urllib.parse import urlencode

import gevent
from floor import PAGES, floor_slice
from locust import between, constant, task
from locust.contrib.fasthttp import FastHttpUser

THINK = [float(x) for x in os.environ.get("BENCH_THINK", "5,15").split(",")]
ANSWERS_PER_EXAM = int(os.environ.get("BENCH_ANSWERS_PER_EXAM", "12"))
PASSWORD = os.environ.get("BENCH_PASSWORD", "bench-pass-2026")
USER_COUNT = int(os.environ.get("BENCH_USERS_AVAILABLE", "600"))
_numbers = itertools.count()


class Learner(FastHttpUser):
    """geventhttpclient-based: light enough that the load generator leaves the CPU to the app."""

    abstract = True

    def on_start(self):
        self.username = f"bench{next(_numbers) % USER_COUNT:04d}"
        self.client.get("/accounts/login/", name="log-in page")
        self.post("/accounts/login/", "sign in", {"username": self.username, "password": PASSWORD})
        self.start_exam()

    @property
    def csrf(self) -> str:
        return next((c.value for c in self.client.cookiejar if c.name == "csrftoken"), "")

    def post(self, url, name, data=None, headers=None, **kwargs):
        body = urlencode({**(data or {}), "csrfmiddlewaretoken": self.csrf})
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-CSRFToken": self.csrf,
            "Referer": self.host,
            **(headers or {}),
        }
        return self.client.post(url, data=body, headers=headers, name=name, **kwargs)

    def start_exam(self):
        response = self.post("/exam/start/", "start or resume mock", allow_redirects=False)
        match = re.search(r"/attempts/(\d+)/questions/", response.headers.get("Location") or "")
        self.attempt = int(match.group(1)) if match else None
        self.position = 1

    def question_url(self, position):
        return f"/attempts/{self.attempt}/questions/{position}/"

    def answer_one(self):
        self.client.get(self.question_url(self.position), name="question page")
        self.post(
            self.question_url(self.position) + "answer/", "answer save",
            {"position": str(self.position), "choice": "0"}, headers={"HX-Request": "true"},
        )  # fmt: skip
        if random.random() < 0.1:
            self.post(
                self.question_url(self.position) + "flag/", "flag",
                {"flagged": "1"}, headers={"HX-Request": "true"},
            )  # fmt: skip
        self.position = self.position % 65 + 1


class ExamTaker(Learner):
    wait_time = between(*THINK)

    @task
    def take_exam(self):
        if self.attempt is None:
            self.start_exam()
            return
        self.answer_one()
        if self.position > ANSWERS_PER_EXAM:
            self.client.get(f"/attempts/{self.attempt}/finish/", name="review screen")
            self.post(f"/attempts/{self.attempt}/submit/", "submit")
            self.client.get(f"/attempts/{self.attempt}/results/", name="results")
            self.client.get("/", name="dashboard")
            self.start_exam()


class ExamMix(Learner):
    wait_time = constant(0)

    @task
    def take_exam(self):
        self.answer_one()


# What each floor page's client sends, in the order of floor.PAGES.
REQUESTS = dict(
    zip(
        PAGES,
        (
            lambda user, name: user.client.get("/ping", name=name),
            lambda user, name: user.client.get("/bench/floor/login", name=name),
            lambda user, name: user.client.get("/bench/floor/page", name=name),
            lambda user, name: user.client.get(user.question_url(1), name=name),
            lambda user, name: user.post(
                user.question_url(1) + "answer/", name,
                {"position": "1", "choice": "0"}, headers={"HX-Request": "true"},
            ),
        ),
        strict=True,
    )
)  # fmt: skip
FLOOR_START = float(os.environ.get("BENCH_FLOOR_START", "0"))  # set by bench/run.py


class Floor(Learner):
    """All clients on one page at a time, switching in step (bench/floor.py)."""

    wait_time = constant(0)

    @task
    def floor(self):
        found = floor_slice(time.time(), FLOOR_START)
        if found is None:  # before the schedule starts, or after it ends
            gevent.sleep(0.05)
            return
        round_, page, counted = found
        REQUESTS[page](self, f"{page} · round {round_ + 1}" if counted else "switching")
