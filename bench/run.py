"""`make bench`: load tests against gunicorn on PostgreSQL and SQLite, and scaling figures.

Writes bench/results/YYYY-MM-DD.md. Environment: MLSPREP_PG_URL (server, without database
name), BENCH_LEARNERS (500), BENCH_THINK ("5,15" seconds), BENCH_COHORT_SECONDS (90),
BENCH_STEPS ("4,8,16,32" clients), BENCH_STEP_SECONDS (20), BENCH_BACKENDS.
"""

import csv
import datetime
import json
import os
import platform
import secrets
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from importlib.metadata import version
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
PG_URL = os.environ.get("MLSPREP_PG_URL", "postgres://postgres@127.0.0.1:5432")
LEARNERS = int(os.environ.get("BENCH_LEARNERS", "500"))
COHORT_SECONDS = int(os.environ.get("BENCH_COHORT_SECONDS", "90"))
RAMP_SECONDS = 25
STEP_USERS = [int(n) for n in os.environ.get("BENCH_STEPS", "4,8,16,32").split(",")]
STEP_SECONDS = int(os.environ.get("BENCH_STEP_SECONDS", "20"))
EXAM_PACE_SECONDS = 80
SECRET = secrets.token_urlsafe(50)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def env_for(database_url: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        DATABASE_URL=database_url,
        DJANGO_SECRET_KEY=SECRET,
        DJANGO_FAST_PASSWORD_HASHER="true",
        DJANGO_ALLOWED_HOSTS="127.0.0.1,testserver",
        BENCH_USERS_AVAILABLE=str(max(LEARNERS, max(STEP_USERS)) + 50),
    )
    return env


def start_server(database_url: str):
    port = free_port()
    process = subprocess.Popen(
        [str(BIN / "gunicorn"), "config.wsgi", "--bind", f"127.0.0.1:{port}",
         "--worker-class", "gthread", "--workers", "4", "--threads", "2",
         "--backlog", "2048"],
        cwd=ROOT, env=env_for(database_url), start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    for _ in range(150):
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=1):
                return process, url
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not start")


def locust(
    url: str, user_class: str, users: int, seconds: int, env: dict, spawn_rate: int = 0
) -> dict:
    """Run one headless locust; with a spawn rate, statistics restart once all users run."""
    with tempfile.TemporaryDirectory() as tmp:
        prefix = f"{tmp}/run"
        subprocess.run(
            [str(BIN / "locust"), "-f", str(ROOT / "bench" / "locustfile.py"), "--headless",
             "-u", str(users), "-r", str(spawn_rate or users),
             *(["--reset-stats"] if spawn_rate else []),
             "-t", f"{seconds}s", "--host", url, "--csv", prefix, "--only-summary",
             "--loglevel", "ERROR", "--stop-timeout", "5", user_class],
            cwd=ROOT, env=env, check=False, capture_output=True, timeout=seconds + 120,
        )  # fmt: skip
        with open(f"{prefix}_stats.csv") as handle:
            rows = list(csv.DictReader(handle))
    stats = {}
    for row in rows:
        stats[row["Name"]] = {
            "requests": int(row["Request Count"]),
            "failures": int(row["Failure Count"]),
            "rps": float(row["Requests/s"]),
            "p50": float(row["50%"]),
            "p95": float(row["95%"]),
            "p99": float(row["99%"]),
        }
    return stats


def bench_backend(label: str, database_url: str) -> dict:
    env = env_for(database_url)
    subprocess.run([sys.executable, "bench/prepare.py"], cwd=ROOT, env=env, check=True)
    process, url = start_server(database_url)
    try:
        spawn_rate = max(1, LEARNERS // RAMP_SECONDS)
        cohort = locust(url, "ExamTaker", LEARNERS, COHORT_SECONDS, env, spawn_rate=spawn_rate)
        result = {"cohort": cohort, "steps": {}}
        for users in STEP_USERS:
            result["steps"][users] = locust(url, "ExamMix", users, STEP_SECONDS, env)["Aggregated"]
        result["question_only"] = locust(url, "QuestionPage", 16, 15, env)["question page"]
        result["trivial"] = locust(url, "Trivial", 16, 15, env)["trivial view"]
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
    scaling = subprocess.run(
        [sys.executable, "bench/scaling.py"], cwd=ROOT, env=env, check=True,
        capture_output=True, text=True,
    )  # fmt: skip
    result["scaling"] = json.loads(scaling.stdout.strip().splitlines()[-1])
    print(f"{label}: done", flush=True)
    return result


def machine() -> dict:
    memory = next(
        (line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
         if line.startswith("MemTotal")), "0",
    )  # fmt: skip
    with psycopg.connect(f"{PG_URL}/postgres") as conn:
        pg_version = conn.execute("SHOW server_version").fetchone()[0]
    return {
        "cores": os.cpu_count(),
        "memory": f"{int(memory) / 1024 / 1024:.0f} GiB",
        "system": platform.platform(),
        "python": platform.python_version(),
        "django": version("django"),
        "gunicorn": version("gunicorn"),
        "locust": version("locust"),
        "postgresql": pg_version,
        "sqlite": sqlite3.sqlite_version,
    }


def capacity(steps: dict) -> tuple[float, int | None]:
    ok = [s["rps"] for s in steps.values() if s["p95"] <= 100 and s["failures"] == 0]
    best = max(ok, default=0.0)
    return best, round(best * EXAM_PACE_SECONDS) if best else None


def verdict(ok: bool) -> str:
    return "met" if ok else "**missed**"


def report(results: dict, info: dict, started: datetime.datetime, seconds: float) -> str:
    lines = [
        f"# Benchmark {started:%Y-%m-%d %H:%M} UTC",
        "",
        "Machine: " + ", ".join(f"{k} {v}" for k, v in info.items()),
        f"gunicorn gthread 4 workers × 2 threads; locust on the same machine; "
        f"{LEARNERS} learners, think time {os.environ.get('BENCH_THINK', '5,15')} s, "
        f"arriving over {RAMP_SECONDS} s (figures from when all have arrived); "
        f"whole run {seconds / 60:.1f} min. Reproduce: `make bench`.",
    ]
    for label, result in results.items():
        cohort = result["cohort"]
        best, learners = capacity(result["steps"])
        ratio = result["question_only"]["rps"] / result["trivial"]["rps"]
        qp, save = cohort.get("question page", {}), cohort.get("answer save", {})
        total = cohort["Aggregated"]
        lines += [
            "",
            f"## {label}",
            "",
            f"### {LEARNERS} simulated learners (with think time, after all arrived)",
            "",
            "| endpoint | requests | req/s | p50 ms | p95 ms | p99 ms | errors |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for name, row in cohort.items():
            lines.append(
                f"| {name} | {row['requests']} | {row['rps']:.1f} | {row['p50']:.0f} "
                f"| {row['p95']:.0f} | {row['p99']:.0f} | {row['failures']} |"
            )
        lines += [
            "",
            "### Capacity: the exam-taking mix with no think time",
            "",
            "| concurrent clients | req/s | p50 ms | p95 ms | p99 ms | errors |",
            "| ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for users, row in result["steps"].items():
            lines.append(
                f"| {users} | {row['rps']:.1f} | {row['p50']:.0f} | {row['p95']:.0f} "
                f"| {row['p99']:.0f} | {row['failures']} |"
            )
        scaling = result["scaling"]
        lines += [
            "",
            "### Targets",
            "",
            "| target | measured | |",
            "| --- | --- | --- |",
            f"| question page p95 ≤ 50 ms ({LEARNERS} learners) | {qp.get('p95', 0):.0f} ms "
            f"| {verdict(qp.get('p95', 1e9) <= 50)} |",
            f"| answer save p95 ≤ 80 ms | {save.get('p95', 0):.0f} ms "
            f"| {verdict(save.get('p95', 1e9) <= 80)} |",
            f"| 0 errors | {total['failures']} of {total['requests']} "
            f"| {verdict(total['failures'] == 0)} |",
            f"| question page ≥ 1/3 of a trivial view's throughput "
            f"| {result['question_only']['rps']:.0f} / {result['trivial']['rps']:.0f} req/s "
            f"= {ratio:.2f} | {verdict(ratio >= 1 / 3)} |",
            f"| capacity ≥ 10,000 learners (mix at p95 ≤ 100 ms × {EXAM_PACE_SECONDS} s) "
            f"| {best:.0f} req/s → {learners or 0:,} learners "
            f"| {verdict((learners or 0) >= 10000)} |",
            f"| mock start ≤ 150 ms with 100k questions | {scaling['mock_start_ms']['100000']} ms "
            f"| {verdict(scaling['mock_start_ms']['100000'] <= 150)} |",
            f"| dashboard ≤ 100 ms with 10k answered items "
            f"| {scaling['dashboard_ms']['10000']['ms']} ms "
            f"| {verdict(scaling['dashboard_ms']['10000']['ms'] <= 100)} |",
            "",
            "### Scaling (in process, median of 5)",
            "",
            "| bank size | mock start ms |",
            "| ---: | ---: |",
            *[f"| {k} | {v} |" for k, v in scaling["mock_start_ms"].items()],
            "",
            "| answered items | dashboard ms | queries |",
            "| ---: | ---: | ---: |",
            *[f"| {k} | {v['ms']} | {v['queries']} |" for k, v in scaling["dashboard_ms"].items()],
            "",
            "| learner endpoint | queries |",
            "| --- | ---: |",
            *[f"| {k} | {v} |" for k, v in scaling["queries"].items()],
        ]
    return "\n".join(lines) + "\n"


def main():
    started = datetime.datetime.now(datetime.UTC)
    clock = time.monotonic()
    name = f"mlsprep_bench_{secrets.token_hex(3)}"
    with psycopg.connect(f"{PG_URL}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    sqlite_dir = tempfile.mkdtemp()
    results = {}
    backends = os.environ.get("BENCH_BACKENDS", "postgresql,sqlite").split(",")
    try:
        if "postgresql" in backends:
            results["PostgreSQL"] = bench_backend("PostgreSQL", f"{PG_URL}/{name}")
        if "sqlite" in backends:
            results["SQLite"] = bench_backend("SQLite", f"sqlite:///{sqlite_dir}/bench.sqlite3")
    finally:
        with psycopg.connect(f"{PG_URL}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    text = report(results, machine(), started, time.monotonic() - clock)
    out = ROOT / "bench" / "results" / f"{started:%Y-%m-%d}.md"
    out.write_text(text)
    (ROOT / "bench" / "results" / "raw.json").write_text(json.dumps(results, indent=1))
    print(text)
    print(f"written to {out}")


if __name__ == "__main__":
    main()
