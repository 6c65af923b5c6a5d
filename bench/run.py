"""`make bench`: load tests against gunicorn on PostgreSQL and SQLite, and scaling figures.

Writes bench/results/YYYY-MM-DD.md. Environment: MLSPREP_PG_URL (server, without database
name), MLSPREP_REDIS_URL (database 14 of the local Redis, emptied first), BENCH_LEARNERS
(500), BENCH_THINK ("5,15" seconds), BENCH_COHORT_SECONDS (90), BENCH_STEPS ("4,8,16,32"
clients), BENCH_STEP_SECONDS (20), BENCH_FLOOR_ROUNDS (12), BENCH_BACKENDS
("postgresql,postgresql+redis,sqlite").
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
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from importlib.metadata import version
from pathlib import Path

import floor
import psycopg
from disturbance import OTHERS_LIMIT, Watch, calibrate

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
PG_URL = os.environ.get("MLSPREP_PG_URL", "postgres://postgres@127.0.0.1:5432")
REDIS_URL = os.environ.get("MLSPREP_REDIS_URL", "redis://127.0.0.1:6379/14")
LEARNERS = int(os.environ.get("BENCH_LEARNERS", "500"))
COHORT_SECONDS = int(os.environ.get("BENCH_COHORT_SECONDS", "90"))
RAMP_SECONDS = 25
STEP_USERS = [int(n) for n in os.environ.get("BENCH_STEPS", "4,8,16,32").split(",")]
STEP_SECONDS = int(os.environ.get("BENCH_STEP_SECONDS", "20"))
FLOOR_WARMUP = 6.0  # seconds for the floor phase's clients to sign in before it starts
EXAM_PACE_SECONDS = 80
SECRET = secrets.token_urlsafe(50)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def env_for(database_url: str, redis_url: str = "") -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        DJANGO_SECRET_KEY=SECRET,
        DJANGO_FAST_PASSWORD_HASHER="true",
        DJANGO_BENCH_FLOOR_VIEWS="true",
        # Every simulated learner comes from 127.0.0.1: throttles per address would stop them.
        **{f"DJANGO_THROTTLE_{scope}": "1000000/h" for scope in ("LOGIN", "START", "SIGNUP")},
        DJANGO_ALLOWED_HOSTS="127.0.0.1,testserver",
        BENCH_USERS_AVAILABLE=str(max(LEARNERS, max(STEP_USERS)) + 50),
    )
    return env


def start_server(database_url: str, redis_url: str = ""):
    port = free_port()
    process = subprocess.Popen(
        [str(BIN / "gunicorn"), "config.wsgi", "--bind", f"127.0.0.1:{port}",
         "--worker-class", "gthread", "--workers", "4", "--threads", "2",
         "--backlog", "2048"],
        cwd=ROOT, env=env_for(database_url, redis_url), start_new_session=True,
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
    with tempfile.TemporaryDirectory() as tmp, Watch() as watch:
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
            "max": float(row["Max Response Time"]),
            "others": watch.reading.others_share,
            "io_stall": watch.reading.io_stall_share,
        }
    return stats


def bench_backend(label: str, database_url: str, redis_url: str = "") -> dict:
    env = env_for(database_url, redis_url)
    if redis_url:
        import redis

        redis.Redis.from_url(redis_url).flushdb()
    subprocess.run([sys.executable, "bench/prepare.py"], cwd=ROOT, env=env, check=True)
    process, url = start_server(database_url, redis_url)
    try:
        spawn_rate = max(1, LEARNERS // RAMP_SECONDS)
        cohort = locust(url, "ExamTaker", LEARNERS, COHORT_SECONDS, env, spawn_rate=spawn_rate)
        result = {"cohort": cohort, "steps": {}}
        for users in STEP_USERS:
            result["steps"][users] = locust(url, "ExamMix", users, STEP_SECONDS, env)["Aggregated"]
        result["floor"] = floor_run(url, env)
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


def floor_run(url: str, env: dict) -> dict:
    """The pages in turns within one locust run (bench/floor.py): each page's throughput per
    round and over all rounds, and under "all" the run's errors and machine readings."""
    start = time.time() + FLOOR_WARMUP  # the clients sign in meanwhile
    seconds = FLOOR_WARMUP + floor.ROUNDS * len(floor.PAGES) * floor.SLICE + 1
    env = {**env, "BENCH_FLOOR_START": str(start)}
    stats = locust(url, "Floor", 16, round(seconds + 0.5), env)
    counted = floor.SLICE - floor.GUARD  # seconds of each slice whose requests count
    none = {"requests": 0, "failures": 0, "p95": 0.0, "max": 0.0}
    found = {}
    for page in floor.PAGES:
        rounds = [stats.get(f"{page} · round {n}", none) for n in range(1, floor.ROUNDS + 1)]
        found[page] = {
            "rounds": [r["requests"] / counted for r in rounds],
            "rps": sum(r["requests"] for r in rounds) / (counted * floor.ROUNDS),
            "p95": statistics.median(r["p95"] for r in rounds),
            "max": max(r["max"] for r in rounds),
            "failures": sum(r["failures"] for r in rounds),
        }
    found["all"] = {k: stats["Aggregated"][k] for k in ("failures", "others", "io_stall")}
    return found


def floor_ratio(floor_result: dict, name: str) -> tuple[float | None, list[float]]:
    """A page's throughput over the floor page's, over all rounds and round by round; None when
    a request failed (failed requests are fast and say nothing)."""
    page, base = floor_result[name], floor_result["floor: one query + base.html"]
    if floor_result["all"]["failures"] or not base["rps"]:
        return None, []
    rounds = [p / b if b else 0.0 for p, b in zip(page["rounds"], base["rounds"], strict=True)]
    return page["rps"] / base["rps"], rounds


def ratio_row(label: str, floor_result: dict, target: float) -> str:
    ratio, rounds = floor_ratio(floor_result, label)
    if ratio is None:
        return f"| {label} ≥ {target} of the floor page's throughput | requests failed | |"
    spread = f"rounds {min(rounds):.2f}–{max(rounds):.2f}"
    disturbed = floor_result["all"]["others"] > OTHERS_LIMIT
    return (
        f"| {label} ≥ {target} of the floor page's throughput, all rounds | {ratio:.3f} "
        f"({spread}) | {verdict(ratio >= target, disturbed)} |"
    )


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


def verdict(ok: bool, disturbed: bool = False) -> str:
    """A target is only called missed from a phase nobody else disturbed."""
    if ok:
        return "met"
    return "not judged: the machine was busy" if disturbed else "**missed**"


def quiet(row: dict) -> str:
    share, stall = row.get("others", 0), row.get("io_stall")
    text = f"{share:.0%} others" + (" — **disturbed**" if share > OTHERS_LIMIT else "")
    return text + ("" if stall is None else f", waiting on disk {stall:.0%}")


def report(results: dict, info: dict, started: datetime.datetime, seconds: float) -> str:
    lines = [
        f"# Benchmark {started:%Y-%m-%d %H:%M} UTC",
        "",
        "**Trust the ratios first**: they compare pages measured in the same run, in turns a "
        "few seconds long, so a busier or slower machine moves both sides. Absolute figures "
        "depend on the machine and on what else ran: each phase says the share of the "
        f"machine's CPU others used (above {OTHERS_LIMIT:.0%} it is marked disturbed and no "
        "target is called missed from it) and the share of its time some process waited on "
        "the disk (whoever wrote: the database's own writes count). CPU calibration loop "
        f"(best of 3): {info.pop('calibration')}.",
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
        qp, save = cohort.get("question page", {}), cohort.get("answer save", {})
        total = cohort["Aggregated"]
        cohort_busy = total.get("others", 0) > OTHERS_LIMIT
        steps_busy = any(r.get("others", 0) > OTHERS_LIMIT for r in result["steps"].values())
        lines += [
            "",
            f"## {label}",
            "",
            f"### {LEARNERS} simulated learners (with think time, after all arrived)",
            "",
            f"Machine during this phase: {quiet(total)}.",
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
            "| concurrent clients | req/s | p50 ms | p95 ms | p99 ms | errors | machine |",
            "| ---: | ---: | ---: | ---: | ---: | ---: | --- |",
        ]
        for users, row in result["steps"].items():
            lines.append(
                f"| {users} | {row['rps']:.1f} | {row['p50']:.0f} | {row['p95']:.0f} "
                f"| {row['p99']:.0f} | {row['failures']} | {quiet(row)} |"
            )
        lines += [
            "",
            f"### The floor: the pages in turns within one run, {floor.ROUNDS} rounds",
            "",
            f"16 clients, all on one page at a time, switching together every {floor.SLICE:.0f} s "
            f"(a request counts when it starts after the slice's first {floor.GUARD} s); the "
            "rounds run the pages forwards, then backwards. Machine during this phase: "
            f"{quiet(result['floor']['all'])}.",
            "",
            "| page | req/s, all rounds | slowest – fastest round | p95 ms (median round) "
            "| slowest request ms | errors |",
            "| --- | ---: | ---: | ---: | ---: | ---: |",
        ]
        for name in floor.PAGES:
            row = result["floor"][name]
            lines.append(
                f"| {name} | {row['rps']:.0f} | {min(row['rounds']):.0f} – "
                f"{max(row['rounds']):.0f} | {row['p95']:.0f} | {row['max']:.0f} "
                f"| {row['failures']} |"
            )
        slowest = max(result["floor"][name]["max"] for name in floor.PAGES)
        if slowest > floor.GUARD * 1000:
            lines += [
                "",
                f"A request took {slowest:.0f} ms, longer than the {floor.GUARD} s guard: some "
                "of the previous page's requests may have run into the next slice.",
            ]
        scaling = result["scaling"]
        lines += [
            "",
            "### Targets",
            "",
            "| target | measured | |",
            "| --- | --- | --- |",
            f"| question page p95 ≤ 50 ms ({LEARNERS} learners) | {qp.get('p95', 0):.0f} ms "
            f"| {verdict(qp.get('p95', 1e9) <= 50, cohort_busy)} |",
            f"| answer save p95 ≤ 80 ms | {save.get('p95', 0):.0f} ms "
            f"| {verdict(save.get('p95', 1e9) <= 80, cohort_busy)} |",
            f"| 0 errors | {total['failures']} of {total['requests']} "
            f"| {verdict(total['failures'] == 0)} |",
            ratio_row("question page", result["floor"], 0.75),
            ratio_row("answer save", result["floor"], 0.6),
            f"| capacity ≥ 10,000 learners (mix at p95 ≤ 100 ms × {EXAM_PACE_SECONDS} s) "
            f"| {best:.0f} req/s → {learners or 0:,} learners "
            f"| {verdict((learners or 0) >= 10000, steps_busy)} |",
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


def in_process_and_browser(out: Path) -> bool:
    """The other benches, after the load tests: each one's output appended to the report as it
    prints it. False when one failed (its error is appended instead)."""
    database = ["--database-url", f"{PG_URL}/postgres"]
    scripts = [
        ["dashboard.py"], ["dashboard.py", *database], ["pages.py"], ["pages.py", *database],
        ["item_analysis.py"], ["browser.py", "--cohort", str(LEARNERS)],
    ]  # fmt: skip
    ok = True
    with out.open("a") as report_file:
        report_file.write("\n## In process and in the browser\n")
    for script in scripts:
        done = subprocess.run(
            [sys.executable, f"bench/{script[0]}", *script[1:]], cwd=ROOT, capture_output=True,
            text=True,
        )  # fmt: skip
        text = done.stdout.strip()
        if done.returncode:
            ok = False
            text += f"\n\n**Failed** (exit {done.returncode}):\n\n```\n{done.stderr[-2000:]}\n```"
        section = f"\n### `bench/{' '.join(script)}`\n\n{text}\n"
        print(section, flush=True)
        with out.open("a") as report_file:
            report_file.write(section)
    return ok


def main():
    started = datetime.datetime.now(datetime.UTC)
    clock = time.monotonic()
    before = calibrate()
    name = f"mlsprep_bench_{secrets.token_hex(3)}"
    with psycopg.connect(f"{PG_URL}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    sqlite_dir = tempfile.mkdtemp()
    results = {}
    backends = os.environ.get("BENCH_BACKENDS", "postgresql,postgresql+redis,sqlite").split(",")
    try:
        if "postgresql" in backends:
            results["PostgreSQL"] = bench_backend("PostgreSQL", f"{PG_URL}/{name}")
        if "postgresql+redis" in backends:
            results["PostgreSQL with Redis sessions and cache"] = bench_backend(
                "PostgreSQL + Redis", f"{PG_URL}/{name}", REDIS_URL
            )
        if "sqlite" in backends:
            results["SQLite"] = bench_backend("SQLite", f"sqlite:///{sqlite_dir}/bench.sqlite3")
    finally:
        with psycopg.connect(f"{PG_URL}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    info = {**machine(), "calibration": f"{before} ms before, {calibrate()} ms after"}
    text = report(results, info, started, time.monotonic() - clock)
    out = ROOT / "bench" / "results" / f"{started:%Y-%m-%d}.md"
    out.write_text(text)
    (ROOT / "bench" / "results" / "raw.json").write_text(json.dumps(results, indent=1))
    print(text, flush=True)
    ok = in_process_and_browser(out)
    print(f"written to {out}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
