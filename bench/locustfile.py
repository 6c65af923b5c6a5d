"""Simulated learners for `make bench` (locust, headless).

ExamTaker: signs in, starts a mock, answers and sometimes flags with think time, then
reviews, submits, opens the results and the dashboard, and starts again.
ExamMix: the exam-taking requests only (question page, answer save, flag), no think time.
QuestionPage, AnswerSave, FloorLogin, FloorPage, Trivial: one request each, no think time,
for the ratios to the floor (the cheapest signed-in pages, enabled by the bench only).
"""

import itertools
import os
import random
import re
from urllib.parse import urlencode

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


class QuestionPage(Learner):
    wait_time = constant(0)

    @task
    def question_page(self):
        self.client.get(self.question_url(1), name="question page")


class FloorLogin(Learner):
    wait_time = constant(0)

    @task
    def floor(self):
        self.client.get("/bench/floor/login", name="floor: sign-in check")


class FloorPage(Learner):
    wait_time = constant(0)

    @task
    def floor(self):
        self.client.get("/bench/floor/page", name="floor: one query + base.html")


class AnswerSave(Learner):
    wait_time = constant(0)

    @task
    def save(self):
        self.post(
            self.question_url(1) + "answer/", "answer save",
            {"position": "1", "choice": "0"}, headers={"HX-Request": "true"},
        )  # fmt: skip


class Trivial(FastHttpUser):
    wait_time = constant(0)

    @task
    def ping(self):
        self.client.get("/ping", name="trivial view")
