"""Simulated learners for `make bench` (locust, headless).

ExamTaker: signs in, starts a mock, answers and sometimes flags with think time, then
reviews, submits, opens the results and the dashboard, and starts again.
ExamMix: the exam-taking requests only (question page, answer save, flag), no think time.
QuestionPage / Trivial: one request each, no think time, for the throughput ratio.
"""

import itertools
import os
import random
import re

from locust import HttpUser, between, constant, task

THINK = [float(x) for x in os.environ.get("BENCH_THINK", "5,15").split(",")]
ANSWERS_PER_EXAM = int(os.environ.get("BENCH_ANSWERS_PER_EXAM", "12"))
PASSWORD = os.environ.get("BENCH_PASSWORD", "bench-pass-2026")
USER_COUNT = int(os.environ.get("BENCH_USERS_AVAILABLE", "600"))
_numbers = itertools.count()


class Learner(HttpUser):
    abstract = True

    def on_start(self):
        self.username = f"bench{next(_numbers) % USER_COUNT:04d}"
        self.client.get("/accounts/login/", name="log-in page")
        self.client.post(
            "/accounts/login/",
            {"username": self.username, "password": PASSWORD, "csrfmiddlewaretoken": self.csrf},
            name="sign in",
        )
        self.start_exam()

    @property
    def csrf(self) -> str:
        return self.client.cookies.get("csrftoken", "")

    def post(self, url, name, data=None, **kwargs):
        return self.client.post(
            url, {**(data or {}), "csrfmiddlewaretoken": self.csrf},
            headers={"X-CSRFToken": self.csrf, **kwargs.pop("headers", {})}, name=name, **kwargs,
        )  # fmt: skip

    def start_exam(self):
        response = self.post("/exam/start/", "start or resume mock")
        match = re.search(r"/attempts/(\d+)/questions/", response.url)
        self.attempt = int(match.group(1)) if match else None
        self.position = 1

    def question_url(self, position):
        return f"/attempts/{self.attempt}/questions/{position}/"

    def answer_one(self):
        self.client.get(self.question_url(self.position), name="question page")
        self.post(
            self.question_url(self.position) + "answer/", "answer save",
            {"choice": "0"}, headers={"HX-Request": "true"},
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


class Trivial(HttpUser):
    wait_time = constant(0)

    @task
    def ping(self):
        self.client.get("/ping", name="trivial view")
