"""How cost grows: mock start against bank size, dashboard against history size, and the
query count of every learner endpoint. Prints one JSON object; run by bench/run.py."""

import json
import os
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from questions.models import Blueprint, Choice, Question, Topic  # noqa: E402
from quiz import services  # noqa: E402
from quiz.models import Attempt, AttemptItem  # noqa: E402

User = get_user_model()
RUNS = 5


def timed(fn, *args, **kwargs) -> float:
    start = time.perf_counter()
    fn(*args, **kwargs)
    return (time.perf_counter() - start) * 1000


def make_bank(size: int, topics: list[Topic]):
    Attempt.objects.filter(user__username__startswith="scale").delete()
    Question.objects.all().delete()
    questions = Question.objects.bulk_create(
        [
            Question(
                external_id=f"synthetic-{n:06d}", topic=topics[n % len(topics)],
                kind="single", stem=f"Synthetic scenario {n}: which option fits best? " * 3,
                explanation="Synthetic.", difficulty=1 + n % 3, status="published",
            )
            for n in range(size)
        ],
        batch_size=5000,
    )  # fmt: skip
    Choice.objects.bulk_create(
        [
            Choice(question=q, text=f"Option {i}", is_correct=i == 0, why="Synthetic.", order=i)
            for q in questions
            for i in range(4)
        ],
        batch_size=10000,
    )


def mock_start_ms(blueprint) -> float:
    samples = []
    for run in range(RUNS):
        user, _ = User.objects.get_or_create(username=f"scale-start-{run}")
        Attempt.objects.filter(user=user).delete()
        now = timezone.now()
        samples.append(timed(services.start_attempt, user=user, blueprint=blueprint, now=now))
    return statistics.median(samples)


def make_history(user, blueprint, items: int):
    Attempt.objects.filter(user=user).delete()
    topics = list(Topic.objects.filter(domain__blueprint=blueprint).select_related("domain"))
    now = timezone.now()
    rng = random.Random(1)
    per_attempt = 65
    for a in range((items + per_attempt - 1) // per_attempt):
        when = now - timedelta(days=items // per_attempt - a)
        attempt = Attempt.objects.create(
            user=user, blueprint=blueprint, started_at=when, deadline=when + timedelta(hours=3),
            finished_at=when + timedelta(hours=2), state="submitted", question_count=per_attempt,
            correct_count=40, scaled_score=654, passed=False,
            domain_scores=[{"code": "1", "name": "Data Engineering", "correct": 8, "total": 13}],
        )  # fmt: skip
        AttemptItem.objects.bulk_create(
            [
                AttemptItem(
                    attempt=attempt, position=p, question_version=1, external_id=f"h-{a}-{p}",
                    domain_code=t.domain.code, domain_name=t.domain.name, topic=t,
                    kind="single", stem="s", explanation="e",
                    choices=[{"text": "a", "correct": True, "why": "w"},
                             {"text": "b", "correct": False, "why": "w"}],
                    selected=[0], answered_at=when, graded_on=when.date(),
                    is_correct=rng.random() < 0.6,
                )
                for p in range(1, min(per_attempt, items - a * per_attempt) + 1)
                for t in [topics[p % len(topics)]]
            ]
        )  # fmt: skip


def dashboard_ms(user) -> tuple[float, int]:
    client = Client()
    client.force_login(user)
    client.get("/")
    samples = [timed(lambda: client.get("/")) for _ in range(RUNS)]
    with CaptureQueriesContext(connection) as queries:
        client.get("/")
    return statistics.median(samples), len(queries)


def endpoint_queries(blueprint) -> dict[str, int]:
    user, _ = User.objects.get_or_create(username="scale-endpoints")
    Attempt.objects.filter(user=user).delete()
    client = Client()
    client.force_login(user)
    client.post(reverse("quiz:start"))
    attempt = Attempt.objects.get(user=user, state="in_progress")
    topic = attempt.items.first().topic
    htmx = {"HX-Request": "true"}
    calls = {
        "exam page": lambda: client.get(reverse("quiz:question", args=[attempt.pk, 5])),
        "answer save (htmx)": lambda: client.post(
            reverse("quiz:answer", args=[attempt.pk, 5]),
            {"position": "5", "choice": "0"},
            headers=htmx,
        ),
        "flag (htmx)": lambda: client.post(
            reverse("quiz:flag", args=[attempt.pk, 5]), {"flagged": "1"}, headers=htmx
        ),
        "review screen": lambda: client.get(reverse("quiz:finish", args=[attempt.pk])),
        "submit": lambda: client.post(reverse("quiz:submit", args=[attempt.pk]), {"confirm": "1"}),
        "results": lambda: client.get(reverse("quiz:results", args=[attempt.pk])),
        "answer review": lambda: client.get(reverse("quiz:review", args=[attempt.pk])),
        "dashboard": lambda: client.get("/"),
        "practice start": lambda: client.post(reverse("quiz:practice_start"), {"topic": topic.pk}),
    }
    counts = {}
    for name, call in calls.items():
        with CaptureQueriesContext(connection) as queries:
            response = call()
        assert response.status_code in (200, 302), (name, response.status_code)
        counts[name] = len(queries)
    practice = Attempt.objects.get(user=user, mode="practice", state="in_progress")
    for name, call in {
        "practice page": lambda: client.get(reverse("quiz:practice", args=[practice.pk, 1])),
        "practice answer (htmx)": lambda: client.post(
            reverse("quiz:practice_answer", args=[practice.pk, 1]),
            {"position": "1", "choice": "0"},
            headers=htmx,
        ),
    }.items():
        with CaptureQueriesContext(connection) as queries:
            call()
        counts[name] = len(queries)
    return counts


def main():
    blueprint = Blueprint.objects.default()
    topics = list(Topic.objects.filter(domain__blueprint=blueprint))
    result = {"queries": endpoint_queries(blueprint), "mock_start_ms": {}, "dashboard_ms": {}}
    history_user, _ = User.objects.get_or_create(username="scale-history")
    for items in (100, 1000, 10000):
        make_history(history_user, blueprint, items)
        ms, queries = dashboard_ms(history_user)
        result["dashboard_ms"][items] = {"ms": round(ms, 1), "queries": queries}
    for size in (1000, 10000, 100000):
        make_bank(size, topics)
        result["mock_start_ms"][size] = round(mock_start_ms(blueprint), 1)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
