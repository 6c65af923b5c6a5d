"""How long the dashboard takes for a learner with a long history: one learner with about
10,000 answered items (finished mocks over a synthetic bank), their review cards scheduled as
submitting schedules them, then GET / timed in-process with Django's test client (no network,
no server: the view, its queries and the template).

    .venv/bin/python bench/dashboard.py [--items 10000] [--bank 570] [--runs 30]
                                        [--database-url postgres://…/postgres]

SQLite by default (a new file in a temporary folder). With --database-url (a PostgreSQL
server's maintenance database) a fresh database is created there and dropped afterwards.
Target: median and p95 at most 100 ms.
"""

import argparse
import math
import os
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

from bench.database import fresh_database  # noqa: E402
from bench.item_analysis import build  # noqa: E402

TARGET_MS = 100
ITEMS_PER_MOCK = 65


def spread_over_days():
    """One mock every other day, the last one yesterday: "due" and readiness are current."""
    from django.utils import timezone

    from quiz.models import Attempt

    attempts = list(Attempt.objects.order_by("started_at"))
    today = timezone.now()
    for n, attempt in enumerate(attempts):
        attempt.started_at = today - timedelta(days=2 * (len(attempts) - n) - 1)
        attempt.deadline = attempt.started_at + timedelta(hours=3)
        attempt.finished_at = attempt.started_at + timedelta(hours=2)
    Attempt.objects.bulk_update(attempts, ["started_at", "deadline", "finished_at"])
    return attempts[0].user


def score_and_schedule(user) -> int:
    """Each mock scored as submitting scores it (which schedules its reviews), oldest first."""
    from django.db import transaction

    from quiz.models import ReviewCard
    from quiz.scoring import score_attempt

    for attempt in user.attempts.select_related("blueprint").order_by("started_at"):
        with transaction.atomic():
            score_attempt(attempt, state="submitted", now=attempt.finished_at)
    return ReviewCard.objects.filter(user=user).count()


def measure(runs: int) -> tuple[list[float], int, int]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from quiz.models import AttemptItem

    client = Client()
    user = AttemptItem.objects.select_related("attempt__user").first().attempt.user
    client.force_login(user)
    assert client.get("/").status_code == 200  # warm: templates compiled, caches filled
    samples = []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as queries:
            began = time.perf_counter()
            response = client.get("/")
            samples.append((time.perf_counter() - began) * 1000)
        assert response.status_code == 200 and b"Due for review" in response.content
    due = int(response.content.split(b"Due for review: ")[1].split(b"<")[0])
    return samples, len(queries), due


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=10000)
    parser.add_argument("--bank", type=int, default=570)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--database-url", help="PostgreSQL maintenance database URL.")
    args = parser.parse_args()
    mocks = math.ceil(args.items / ITEMS_PER_MOCK)
    with fresh_database(args.database_url, "mlsprep_dashboard") as where:
        began = time.perf_counter()
        build(mocks, ITEMS_PER_MOCK, args.bank, random.Random(args.seed), per_user=mocks)
        user = spread_over_days()
        cards = score_and_schedule(user)
        built = time.perf_counter() - began
        samples, queries, due = measure(args.runs)
    p95 = statistics.quantiles(samples, n=20)[-1]
    median = statistics.median(samples)
    verdict = "meets" if max(median, p95) <= TARGET_MS else "misses"
    print(
        f"{where}: one learner, {mocks} finished mocks ({mocks * ITEMS_PER_MOCK} answered items) "
        f"over a bank of {args.bank}, {cards} review cards, {due} due; built in {built:.0f} s.\n"
        f"GET / x {args.runs}: median {median:.1f} ms, p95 {p95:.1f} ms, "
        f"{queries} queries; {verdict} the {TARGET_MS} ms target."
    )


if __name__ == "__main__":
    main()
