"""Where the CPU of a question page goes, in process: the two floor pages, the question page
and the answer save through Django's test client (the whole middleware stack, no server),
interleaved, then the parts of the question page one by one. Median CPU time per request
(process time, so another busy process on the machine slows it less than wall time); on
PostgreSQL also the database server's CPU per request (its process's /proc/PID/schedstat).

    .venv/bin/python bench/pages.py [--runs 300] [--database-url postgres://…/postgres]

SQLite by default (a new file in a temporary folder); with --database-url a fresh PostgreSQL
database is created there and dropped afterwards. The ratios are the in-process counterpart
of the floor ratios `bench/run.py` measures through gunicorn.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ["DJANGO_BENCH_FLOOR_VIEWS"] = "true"

from bench.database import fresh_database  # noqa: E402

POSITION = 5


def cpu_ms(fn, runs: int) -> float:
    samples = []
    for _ in range(runs):
        began = time.process_time()
        fn()
        samples.append((time.process_time() - began) * 1000)
    return statistics.median(samples)


def database_cpu(connection):
    """On PostgreSQL, a function giving the CPU ms its server process for this connection has
    used so far (from /proc: it runs on the same machine); elsewhere 0."""
    if connection.vendor != "postgresql":
        return lambda: 0.0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    schedstat = Path(f"/proc/{pid}/schedstat")
    return lambda: int(schedstat.read_text().split()[0]) / 1e6


def measure(runs: int) -> list[tuple[str, float]]:
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.template.loader import render_to_string
    from django.test import Client, RequestFactory
    from django.urls import reverse
    from django.utils import timezone

    from questions.models import Blueprint
    from quiz import selectors, services, views
    from quiz.access import get_own_item
    from quiz.models import Attempt, AttemptItem

    call_command("load_bank", verbosity=0)
    user = get_user_model().objects.create_user("pages")
    attempt = services.start_attempt(
        user=user, blueprint=Blueprint.objects.default(), now=timezone.now()
    )
    client = Client()
    client.force_login(user)
    page = reverse("quiz:question", args=[attempt.pk, POSITION])
    save = reverse("quiz:answer", args=[attempt.pk, POSITION])
    requests = {
        "floor: sign-in check": lambda: client.get(reverse("floor_login")),
        "floor: one query + base.html": lambda: client.get(reverse("floor_page")),
        "question page": lambda: client.get(page),
        "answer save (htmx)": lambda: client.post(
            save, {"position": POSITION, "choice": [0]}, headers={"HX-Request": "true"}
        ),
    }
    for name, request in requests.items():
        status = request().status_code
        if status != 200:
            raise SystemExit(f"{name}: HTTP {status}")
    database = database_cpu(connection)
    samples = {name: [] for name in requests}
    spent = dict.fromkeys(requests, 0.0)
    for _ in range(runs):  # interleaved, so a disturbance touches every page alike
        for name, request in requests.items():
            began_db = database()  # read outside the app's own measured time
            began = time.process_time()
            request()
            samples[name].append((time.process_time() - began) * 1000)
            spent[name] += database() - began_db
    rows = [(name, statistics.median(values)) for name, values in samples.items()]
    if connection.vendor == "postgresql":
        rows += [(f"{name}: the database's CPU (mean)", spent[name] / runs) for name in requests]

    now = timezone.now()
    item = get_own_item(user, attempt.pk, POSITION, instant_feedback=False)
    query = (
        AttemptItem.objects.select_related("attempt__topic")
        .filter(attempt__user=user, attempt__instant_feedback=False)
        .filter(attempt__pk=attempt.pk, position=POSITION)
        .order_by()
    )
    sql, params = query.query.sql_with_params()

    def run_sql():
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            cursor.fetchall()

    request = RequestFactory().get(page)
    request.user, request._messages, request.htmx = user, [], False
    context = views._exam_context(item, now)
    parts = {
        "item and attempt query (get_own_item, compiled once)": lambda: get_own_item(
            user, attempt.pk, POSITION, instant_feedback=False
        ),
        "  the same as a queryset, compiled each time": lambda: query.all().get(),
        "    of which compiling the SQL": lambda: query.query.sql_with_params(),
        "  running the SQL alone": run_sql,
        "navigator query and rows": lambda: selectors.navigator(item.attempt, POSITION),
        "render question.html": lambda: render_to_string("quiz/question.html", context, request),
        "  of which _exam_choices.html": lambda: render_to_string(
            "quiz/_exam_choices.html", context, request
        ),
        "floor: its query": lambda: (
            Attempt.objects.filter(user=user).values_list("pk", flat=True).first()
        ),
        "floor: render bench_floor.html": lambda: render_to_string(
            "bench_floor.html", {"latest": attempt.pk}, request
        ),
    }
    rows += [(name, cpu_ms(part, runs)) for name, part in parts.items()]
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--database-url", help="PostgreSQL maintenance database URL.")
    args = parser.parse_args()
    with fresh_database(args.database_url, "mlsprep_pages") as where:
        rows = measure(args.runs)
    figures = dict(rows)
    floor = figures["floor: one query + base.html"]
    print(f"{where}, median CPU ms per request over {args.runs} runs:\n")
    print("| request or part | ms |\n| --- | ---: |")
    for label, ms in rows:
        print(f"| {label} | {ms:.2f} |")
    print(
        f"\nIn process: question page / floor page {floor / figures['question page']:.2f} "
        f"(target through gunicorn 0.75), answer save / floor page "
        f"{floor / figures['answer save (htmx)']:.2f} (0.6)."
    )
    db = ": the database's CPU (mean)"
    if f"question page{db}" in figures:  # through gunicorn the database shares the cores
        floor += figures[f"floor: one query + base.html{db}"]
        page = figures["question page"] + figures[f"question page{db}"]
        save = figures["answer save (htmx)"] + figures[f"answer save (htmx){db}"]
        print(
            f"With the database's CPU: question page / floor page {floor / page:.2f}, "
            f"answer save / floor page {floor / save:.2f}."
        )


if __name__ == "__main__":
    main()
