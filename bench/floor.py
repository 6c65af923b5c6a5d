"""The floor phase's schedule, shared by bench/run.py and the Floor clients of the locustfile.

The five pages take turns within one locust run: every client loads the same page at the same
time, and all switch together every SLICE seconds, so every page sees the machine as it is
during the same minutes. A request counts for its page only when it starts after the slice's
first GUARD seconds, by when the previous page's last requests have ended. Rounds run the
pages forwards, then backwards, so a steady drift of the machine's speed cancels out.
"""

import os

PAGES = (
    "trivial view",
    "floor: sign-in check",
    "floor: one query + base.html",
    "question page",
    "answer save",
)
SLICE, GUARD = 2.0, 0.3  # seconds
ROUNDS = int(os.environ.get("BENCH_FLOOR_ROUNDS", "12"))


def floor_slice(now: float, start: float) -> tuple[int, str, bool] | None:
    """(round, page, counted) of the slice `now` falls in, for a schedule begun at `start`
    (wall clock); None outside the schedule."""
    elapsed = now - start
    number = int(elapsed // SLICE)
    if elapsed < 0 or number >= ROUNDS * len(PAGES):
        return None
    round_, index = divmod(number, len(PAGES))
    names = PAGES if round_ % 2 == 0 else PAGES[::-1]
    return round_, names[index], elapsed - number * SLICE >= GUARD
