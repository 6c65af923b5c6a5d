"""Whether something else used the machine while a benchmark phase ran.

CPU time is read from /proc: the whole machine's (/proc/stat) and the benchmark's own (this
process, its descendants, sampled while they run, and the database and cache servers). What
is left was used by others; above OTHERS_LIMIT of the machine's capacity the phase is
"disturbed" and its figures say nothing about the app.

The share of the time some process waited on the disk (/proc/pressure/io) is read too. It
cannot say whose writes it waited for (the database's own checkpoint counts), so it is
reported beside the figures and does not decide anything.
"""

import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path

OTHERS_LIMIT = 0.10  # share of all cores' time
TICKS = os.sysconf("SC_CLK_TCK")
OURS_BY_NAME = {"postgres", "redis-server"}  # the app's own servers


def machine_ticks() -> tuple[int, int]:
    """(all ticks, busy ticks) of every core since boot."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return sum(fields), sum(fields) - idle


def process_ticks() -> dict[int, tuple[int, str, int]]:
    """{pid: (ppid, name, user + system ticks)} of every process still running."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            raw = (entry / "stat").read_text()
        except OSError:
            continue  # ended while we looked
        name = raw[raw.index("(") + 1 : raw.rindex(")")]
        rest = raw[raw.rindex(")") + 2 :].split()
        found[int(entry.name)] = (int(rest[1]), name, int(rest[11]) + int(rest[12]))
    return found


def ours(processes: dict[int, tuple[int, str, int]]) -> set[int]:
    """This process's descendants and the app's database and cache servers."""
    mine, changed = {os.getpid()}, True
    while changed:
        changed = False
        for pid, (ppid, _, _) in processes.items():
            if ppid in mine and pid not in mine:
                mine.add(pid)
                changed = True
    return mine | {pid for pid, (_, name, _) in processes.items() if name in OURS_BY_NAME}


def io_stall_microseconds() -> int | None:
    """Microseconds some process spent waiting on the disk since boot (None without PSI)."""
    try:
        some = Path("/proc/pressure/io").read_text().split("\n", 1)[0]
    except OSError:
        return None
    return int(some.rsplit("total=", 1)[1])


def own_ticks() -> int:
    """This process's own CPU ticks (its children are sampled as processes)."""
    times = os.times()
    return round((times.user + times.system) * TICKS)


@dataclass
class Reading:
    seconds: float
    others_share: float  # of all cores' time during the phase
    io_stall_share: float | None  # of the phase's time some process waited on the disk

    @property
    def disturbed(self) -> bool:
        return self.others_share > OTHERS_LIMIT


class Watch:
    """with Watch() as watch: …; then watch.reading.

    The benchmark's processes are sampled twice a second while the phase runs, so one that
    starts and ends within it (a browser and its renderers, a load generator) still counts as
    ours: the time of a process nobody waits for never reaches its parent's counters."""

    SAMPLE_SECONDS = 0.5

    def __enter__(self):
        self.started = time.monotonic()
        self.io_stall = io_stall_microseconds()
        self.total, self.busy = machine_ticks()
        processes = process_ticks()
        self.first = {pid: processes[pid][2] for pid in ours(processes) if pid != os.getpid()}
        self.last = dict(self.first)
        self.own = own_ticks()
        self.stop = threading.Event()
        self.sampler = threading.Thread(target=self._sample_until_stopped, daemon=True)
        self.sampler.start()
        return self

    def _sample(self):
        processes = process_ticks()
        for pid in ours(processes) - {os.getpid()}:
            self.last[pid] = processes[pid][2]

    def _sample_until_stopped(self):
        while not self.stop.wait(self.SAMPLE_SECONDS):
            self._sample()

    def __exit__(self, *exc):
        self.stop.set()
        self.sampler.join()
        self._sample()
        total, busy = machine_ticks()
        used = own_ticks() - self.own
        used += sum(ticks - self.first.get(pid, 0) for pid, ticks in self.last.items())
        elapsed = max(1, total - self.total)
        others = max(0, (busy - self.busy) - used)
        seconds = time.monotonic() - self.started
        io_stall = io_stall_microseconds()
        stalled = None if io_stall is None else (io_stall - self.io_stall) / 1e6 / seconds
        self.reading = Reading(seconds, others / elapsed, stalled)
        return False


def calibrate(rounds: int = 3) -> float:
    """Milliseconds of a fixed CPU-bound loop (best of a few): compare before and after."""
    best = float("inf")
    for _ in range(rounds):
        began = time.perf_counter()
        sum(i * i for i in range(2_000_000))
        best = min(best, time.perf_counter() - began)
    return round(best * 1000, 1)
