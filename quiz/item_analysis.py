"""Item analysis (classical test theory) of the questions in finished full mocks.

For every question and version: how many took it (n), the facility (share right), the
discrimination as the corrected point-biserial (the item's 0/1 score against the rest score,
the attempt's share right on its *other* items) and the upper-lower index (facility in the top
27 % by rest score minus the bottom 27 %), how often each option was picked (keyed by the
option's text in the frozen copies, so shuffling and edits do not mix), and the time spent.

The statistics are pure functions over plain data (``item_statistics``: a list of attempts,
each a list of ``Response``); ``read_attempts`` builds that data in one query, ``refresh``
stores the current version of each question as ``questions.ItemStatistic`` for the admin.
"""

import json
import math
import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from statistics import NormalDist
from typing import NamedTuple

from django.db import transaction
from django.db.models import TextField
from django.db.models.functions import Cast

from questions.models import ItemStatistic, Question

from .models import Attempt, AttemptItem

# Below this many responses a figure is shown but never flagged: at n = 30 the standard error
# of a facility near 0.5 is about 0.09, and of a point-biserial near 0 about 0.18.
MIN_N = 30
TOO_EASY_ABOVE = 0.9
TOO_HARD_BELOW = 0.2
LOW_DISCRIMINATION_BELOW = 0.1
# Kelley's groups: the top and bottom 27 % by score.
GROUP_FRACTION = 0.27

Flag = ItemStatistic.Flag


class Response(NamedTuple):
    """One learner's answer to one question as it was shown (texts, not shuffled indexes)."""

    question: int
    version: int
    correct: bool
    options: tuple[str, ...]
    key: frozenset[str]
    picked: tuple[str, ...] = ()
    seconds: int = 0


@dataclass
class ItemStats:
    question: int
    version: int
    n: int
    facility: float | None
    discrimination: float | None
    upper_lower: float | None
    mean_seconds: float | None
    median_seconds: float | None
    # Option text -> times picked, every option shown in this version (keys first, then by text).
    options: dict[str, int]
    key: frozenset[str]
    omitted: int
    flags: tuple[str, ...] = field(default=())

    @property
    def biserial(self) -> float | None:
        """The corrected point-biserial freed from the item's difficulty (the biserial
        correction, assuming a normal ability behind right and wrong): a very easy or very hard
        item no longer looks less discriminating only for being easy or hard. It ranks items
        by discrimination."""
        p = self.facility
        if self.discrimination is None or p is None or not 0 < p < 1:
            return None
        height = NormalDist().pdf(NormalDist().inv_cdf(p))
        return self.discrimination * math.sqrt(p * (1 - p)) / height


def point_biserial(scores: Sequence[int], rests: Sequence[float]) -> float | None:
    """Pearson's r between 0/1 item scores and rest scores; None when either is constant."""
    n = len(scores)
    # Tested on the values: rounding would leave a constant's variance a hair above zero.
    if n < 2 or min(scores) == max(scores) or min(rests) == max(rests):
        return None
    mean_x = sum(scores) / n
    mean_y = sum(rests) / n
    sxy = sum((x - mean_x) * (y - mean_y) for x, y in zip(scores, rests, strict=True))
    sxx = sum((x - mean_x) ** 2 for x in scores)
    syy = sum((y - mean_y) ** 2 for y in rests)
    return sxy / math.sqrt(sxx * syy)


def upper_lower_index(
    scores: Sequence[int], rests: Sequence[float], fraction: float = GROUP_FRACTION
) -> float | None:
    """Facility among the top ``fraction`` by rest score minus that among the bottom.

    Ties at a group's edge are split in the order given. None below two responses.
    """
    n = len(scores)
    if n < 2:
        return None
    size = min(n // 2, max(1, round(fraction * n)))
    ranked = sorted(range(n), key=rests.__getitem__)
    lower = sum(scores[i] for i in ranked[:size]) / size
    upper = sum(scores[i] for i in ranked[n - size :]) / size
    return upper - lower


def flags_for(stats: ItemStats, *, min_n: int = MIN_N) -> tuple[str, ...]:
    """The problems an item shows, only once ``min_n`` learners took it."""
    if stats.n < min_n:
        return ()
    found = []
    if stats.facility is not None and stats.facility > TOO_EASY_ABOVE:
        found.append(Flag.TOO_EASY)
    if stats.facility is not None and stats.facility < TOO_HARD_BELOW:
        found.append(Flag.TOO_HARD)
    if stats.discrimination is not None and stats.discrimination < LOW_DISCRIMINATION_BELOW:
        found.append(Flag.LOW_DISCRIMINATION)
    if any(count == 0 for text, count in stats.options.items() if text not in stats.key):
        found.append(Flag.UNUSED_DISTRACTOR)
    return tuple(str(flag) for flag in found)


class _Tally:
    """What one question version gathers while the attempts are read."""

    __slots__ = ("n", "right", "scores", "rests", "picks", "key", "omitted", "seconds")

    def __init__(self):
        self.n = self.right = self.omitted = 0
        self.scores: list[int] = []
        self.rests: list[float] = []
        self.picks: dict[str, int] = {}
        self.key: set[str] = set()
        self.seconds: list[int] = []


def item_statistics(
    attempts: Iterable[Sequence[Response]], *, min_n: int = MIN_N
) -> dict[tuple[int, int], ItemStats]:
    """Statistics per (question, version) over ``attempts``, each a list of its responses.

    A question appearing twice in one attempt counts once (the first response given). The rest
    score is the share right on the attempt's other items, so attempts of different lengths
    compare; an attempt of one item has no rest score and adds to n and facility only.
    """
    tallies: dict[tuple[int, int], _Tally] = {}
    for attempt in attempts:
        seen: set[int] = set()
        responses = []
        for response in attempt:
            if response.question not in seen:
                seen.add(response.question)
                responses.append(response)
        total = sum(r.correct for r in responses)
        others = len(responses) - 1
        for r in responses:
            tally = tallies.get((r.question, r.version))
            if tally is None:
                tally = tallies[r.question, r.version] = _Tally()
            tally.n += 1
            tally.right += r.correct
            if others:
                tally.scores.append(int(r.correct))
                tally.rests.append((total - r.correct) / others)
            tally.key |= r.key
            picks = tally.picks
            for text in r.options:
                if text not in picks:
                    picks[text] = 0
            for text in r.picked:
                picks[text] = picks.get(text, 0) + 1
            if not r.picked:
                tally.omitted += 1
            if r.seconds > 0:
                tally.seconds.append(r.seconds)
    result = {}
    for (question, version), tally in tallies.items():
        key = frozenset(tally.key)
        timing = tally.seconds
        stats = ItemStats(
            question=question,
            version=version,
            n=tally.n,
            facility=tally.right / tally.n,
            discrimination=point_biserial(tally.scores, tally.rests),
            upper_lower=upper_lower_index(tally.scores, tally.rests),
            mean_seconds=statistics.fmean(timing) if timing else None,
            median_seconds=statistics.median(timing) if timing else None,
            options=dict(sorted(tally.picks.items(), key=lambda pair: (pair[0] not in key, pair))),
            key=key,
            omitted=tally.omitted,
        )
        stats.flags = flags_for(stats, min_n=min_n)
        result[question, version] = stats
    return result


def read_attempts() -> list[list[Response]]:
    """Every finished, counted full mock (submitted or expired, not set aside) as its list of
    responses, in one query. Items whose question left the bank are skipped."""
    rows = (
        AttemptItem.objects.filter(
            attempt__mode=Attempt.Mode.MOCK,
            attempt__state__in=[Attempt.State.SUBMITTED, Attempt.State.EXPIRED],
            attempt__excluded=False,
            question__isnull=False,
        )
        # Grouped here, not sorted there: ordering 650,000 wide rows costs the database a second.
        .order_by()
        # As text: a question version is shown in a few shuffled orders, each decoded once.
        .annotate(choices_text=Cast("choices", TextField()))
        .annotate(selected_text=Cast("selected", TextField()))
        .values_list(
            "attempt_id",
            "question_id",
            "question_version",
            "choices_text",
            "selected_text",
            "is_correct",
            "seconds_spent",
        )  # fmt: skip
    )
    shown: dict[tuple[int, int, str], tuple[tuple[str, ...], frozenset[str]]] = {}
    selections: dict[str, list[int]] = {}
    attempts: dict[int, list[Response]] = defaultdict(list)
    for attempt_id, question, version, choices, selected, is_correct, seconds in rows.iterator(
        chunk_size=5000
    ):
        found = shown.get((question, version, choices))
        if found is None:
            decoded = json.loads(choices)
            found = (
                tuple(c["text"] for c in decoded),
                frozenset(c["text"] for c in decoded if c["correct"]),
            )
            shown[question, version, choices] = found
        options, key = found
        indexes = selections.get(selected)
        if indexes is None:
            indexes = selections[selected] = json.loads(selected)
        picked = tuple(options[i] for i in indexes if 0 <= i < len(options))
        attempts[attempt_id].append(
            Response(question, version, bool(is_correct), options, key, picked, seconds)
        )
    return list(attempts.values())


def _versions(versions: Iterable[ItemStats]) -> list[dict]:
    """Option counts of each version of a question, the newest first."""
    return [
        {
            "version": stats.version,
            "n": stats.n,
            "omitted": stats.omitted,
            "options": [
                {"text": text, "correct": text in stats.key, "count": count}
                for text, count in stats.options.items()
            ],
        }
        for stats in sorted(versions, key=lambda stats: -stats.version)
    ]


def build_statistics(*, now: datetime, min_n: int = MIN_N) -> list[ItemStatistic]:
    """The item analysis as unsaved ItemStatistic rows: one per question seen in a counted
    mock, for the question's current version (n = 0 when that version has no responses yet),
    with every version's option counts."""
    found = item_statistics(read_attempts(), min_n=min_n)
    by_question: dict[int, list[ItemStats]] = defaultdict(list)
    for stats in found.values():
        by_question[stats.question].append(stats)
    current = dict(Question.objects.filter(pk__in=list(by_question)).values_list("pk", "version"))
    rows = []
    for question, version in current.items():
        stats = found.get((question, version))
        flags = set(stats.flags) if stats else set()
        rows.append(
            ItemStatistic(
                question_id=question,
                question_version=version,
                n=stats.n if stats else 0,
                facility=stats.facility if stats else None,
                discrimination=stats.discrimination if stats else None,
                upper_lower=stats.upper_lower if stats else None,
                mean_seconds=stats.mean_seconds if stats else None,
                median_seconds=stats.median_seconds if stats else None,
                too_easy=Flag.TOO_EASY in flags,
                too_hard=Flag.TOO_HARD in flags,
                low_discrimination=Flag.LOW_DISCRIMINATION in flags,
                unused_distractor=Flag.UNUSED_DISTRACTOR in flags,
                option_counts=_versions(by_question[question]),
                min_n=min_n,
                computed_at=now,
            )
        )
    return rows


def refresh(*, now: datetime, min_n: int = MIN_N) -> list[ItemStatistic]:
    """Recompute the item analysis and replace every stored ItemStatistic with it."""
    rows = build_statistics(now=now, min_n=min_n)
    with transaction.atomic():
        ItemStatistic.objects.all().delete()
        ItemStatistic.objects.bulk_create(rows, batch_size=2000)
    return rows


def worst_first(rows: Iterable[ItemStatistic]) -> list[ItemStatistic]:
    """Flagged questions first (most flags first), then by discrimination, lowest first;
    questions without a discrimination last."""
    return sorted(
        rows,
        key=lambda row: (
            -len(row.flags),
            row.discrimination is None,
            row.discrimination if row.discrimination is not None else 0.0,
            row.question_id,
        ),
    )
