"""How long the item analysis takes: builds finished mocks of synthetic learners (2-parameter
IRT responses over a synthetic bank) on a fresh SQLite file, then times
quiz.item_analysis.refresh. Prints the seconds, the queries and the peak memory.

    .venv/bin/python bench/item_analysis.py [--attempts 10000] [--items 65] [--bank 400]
                                            [--runs 3] [--db PATH]

Without --db the database is a new file in a temporary folder, deleted afterwards; the
DATABASE_URL of the environment is never used.
"""

import argparse
import math
import os
import random
import resource
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

from bench.database import use_sqlite_file  # noqa: E402

LEARNERS_PER_USER = 10
WHY = "Synthetic reason why this option is right or wrong in this scenario, " * 2


def build(
    attempts: int, items: int, bank: int, rng: random.Random, *, per_user: int = LEARNERS_PER_USER
) -> None:
    from django.contrib.auth import get_user_model

    from questions.models import Blueprint, Choice, Question, Topic
    from quiz.models import Attempt, AttemptItem

    blueprint = Blueprint.objects.default()
    topics = list(Topic.objects.filter(domain__blueprint=blueprint).select_related("domain"))
    questions = Question.objects.bulk_create(
        [
            Question(
                external_id=f"bench-{n:05d}", topic=topics[n % len(topics)], kind="single",
                stem=f"Synthetic scenario {n}: which option fits best? " * 3,
                explanation="Synthetic.", status="published",
            )
            for n in range(bank)
        ]
    )  # fmt: skip
    Choice.objects.bulk_create(
        Choice(question=q, text=f"Option {i} of {q.external_id}", is_correct=i == 0, why=WHY)
        for q in questions
        for i in range(4)
    )
    a = {q.pk: rng.uniform(0.3, 2.5) for q in questions}
    b = {q.pk: rng.gauss(0, 1) for q in questions}
    users = get_user_model().objects.bulk_create(
        get_user_model()(username=f"bench-{n}", password="!")
        for n in range(math.ceil(attempts / per_user))
    )
    start = datetime(2026, 1, 1, tzinfo=UTC)
    made = Attempt.objects.bulk_create(
        Attempt(
            user=users[n // per_user], blueprint=blueprint, mode="mock",
            state="submitted", started_at=start + timedelta(minutes=n),
            deadline=start + timedelta(minutes=n + 180),
            finished_at=start + timedelta(minutes=n + 120), question_count=items,
        )
        for n in range(attempts)
    )  # fmt: skip
    by_topic = {t.pk: t for t in topics}
    rows = []
    for attempt in made:
        theta = rng.gauss(0, 1)
        for position, question in enumerate(rng.sample(questions, items), start=1):
            topic = by_topic[question.topic_id]
            choices = [
                {"text": f"Option {i} of {question.external_id}", "correct": i == 0, "why": WHY}
                for i in range(4)
            ]
            rng.shuffle(choices)
            p = 1 / (1 + math.exp(-a[question.pk] * (theta - b[question.pk])))
            right = rng.random() < p
            key = next(i for i, c in enumerate(choices) if c["correct"])
            pick = key if right else rng.choice([i for i in range(4) if i != key])
            rows.append(
                AttemptItem(
                    attempt=attempt, position=position, question=question,
                    question_version=1, external_id=question.external_id,
                    domain_code=topic.domain.code, domain_name=topic.domain.name, topic=topic,
                    kind="single", stem=question.stem, explanation="Synthetic.",
                    choices=choices, selected=[pick], is_correct=right,
                    seconds_spent=rng.randint(20, 200),
                )
            )  # fmt: skip
        if len(rows) >= 20000:
            AttemptItem.objects.bulk_create(rows, batch_size=5000)
            rows = []
    AttemptItem.objects.bulk_create(rows, batch_size=5000)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--attempts", type=int, default=10000)
    parser.add_argument("--items", type=int, default=65)
    parser.add_argument("--bank", type=int, default=400)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--db", type=Path, help="SQLite file to create (must not exist).")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = args.db or Path(tmp) / "item_analysis.sqlite3"
        if path.exists():
            parser.error(f"{path} exists; the bench needs a fresh file.")
        use_sqlite_file(path)

        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        from quiz.item_analysis import refresh

        call_command("migrate", verbosity=0)
        began = time.perf_counter()
        build(args.attempts, args.items, args.bank, random.Random(args.seed))
        print(
            f"Built {args.attempts} finished mocks x {args.items} items over a bank of "
            f"{args.bank} on {path} in {time.perf_counter() - began:.1f} s."
        )
        now = datetime(2026, 6, 1, tzinfo=UTC)
        samples = []
        for _ in range(args.runs):
            with CaptureQueriesContext(connection) as queries:
                began = time.perf_counter()
                rows = refresh(now=now)
                samples.append(time.perf_counter() - began)
        flagged = sum(bool(row.flags) for row in rows)
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"refresh: {', '.join(f'{s:.2f}' for s in samples)} s "
            f"(median {statistics.median(samples):.2f} s); {len(queries)} queries; "
            f"{len(rows)} questions, {flagged} flagged; peak memory {peak_mb:.0f} MB."
        )


if __name__ == "__main__":
    main()
