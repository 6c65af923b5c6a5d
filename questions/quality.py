"""Content figures of a set of questions: length, shape and the surface cues that would let a
learner find the key without the facts (docs/QUESTION_GUIDE.md, "No surface cue").

Works on plain ``Item`` values, so it measures bank files before they load and the published
bank alike. ``bank_report`` prints the figures; ``tests/questions/test_shipped_bank.py`` holds
the shipped bank to them.
"""

import re
from collections import Counter
from dataclasses import dataclass
from statistics import median

ABSOLUTE_WORDS = frozenset({"always", "never", "only", "all"})
# Option words of at least this median make an "approach" question: each option a solution.
APPROACH_OPTION_WORDS = 14
STOP_WORDS = frozenset(
    """a an and are as at be by can each for from has have in into is it its of on or that the
    their them then this to uses use using was which with without will would not no so than
    they what when where who how its does do""".split()
)
ALREADY = re.compile(
    r"\balready\s+(?:uses?|runs?|has|have|owns?|stores?|relies\s+on|pays\s+for|operates?|"
    r"licenses?|hosts?|trains?|sends?|keeps?)\b([^.;]*)",
    re.IGNORECASE,
)
SERVICE_NAME = re.compile(
    r"\b(?:Amazon|AWS)\s+(?:[A-Z][\w-]*|for)(?:\s+(?:[A-Z][\w-]*|for|and))*"
    r"|\bSageMaker(?:\s+[A-Z][\w-]*)*"
)


@dataclass(frozen=True)
class Item:
    id: str
    kind: str
    stem: str
    choices: tuple[tuple[str, bool], ...]  # (text, correct) in file order
    difficulty: int = 2


def item_of(question) -> Item:
    """A stored question (with its choices prefetched) as the figures read it."""
    return Item(
        id=question.external_id,
        kind=question.kind,
        stem=question.stem,
        choices=tuple((c["text"], c["correct"]) for c in question.choice_list()),
        difficulty=question.difficulty,
    )


def words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+(?:['’][a-z]+)?", text.lower())


def content_words(text: str) -> set[str]:
    return {w for w in words(text) if w not in STOP_WORDS and len(w) > 2}


def is_approach(item: Item) -> bool:
    return median(len(words(text)) for text, _ in item.choices) >= APPROACH_OPTION_WORDS


def key_length_rank(item: Item) -> int:
    """1 when the (single) key is the longest option by characters, 4 when the shortest."""
    key = next(len(text) for text, correct in item.choices if correct)
    return 1 + sum(len(text) > key for text, _ in item.choices)


def _share_of_keys(item: Item, chosen: list[int]) -> float:
    """Of the options picked out by a rule (ties included), the share that are keys."""
    return sum(item.choices[i][1] for i in chosen) / len(chosen)


def _extremes(item: Item) -> tuple[list[int], list[int]]:
    lengths = [len(text) for text, _ in item.choices]
    longest = [i for i, n in enumerate(lengths) if n == max(lengths)]
    shortest = [i for i, n in enumerate(lengths) if n == min(lengths)]
    return longest, shortest


def _most_overlap(item: Item) -> list[int]:
    stem = content_words(item.stem)
    overlaps = [len(content_words(text) & stem) for text, _ in item.choices]
    return [i for i, n in enumerate(overlaps) if n == max(overlaps)]


def _chance(item: Item) -> float:
    return sum(correct for _, correct in item.choices) / len(item.choices)


def already_clauses(item: Item) -> list[str]:
    """Service names the stem says the company already uses."""
    return [
        name.strip()
        for clause in ALREADY.findall(item.stem)
        for name in SERVICE_NAME.findall(clause)
    ]


def figures(items: list[Item]) -> dict:
    """Every figure the guide states a rule for, over ``items`` (empty lists give zeros)."""
    singles = [q for q in items if q.kind == "single"]
    multiples = [q for q in items if q.kind == "multiple"]
    ranks = Counter(key_length_rank(q) for q in singles)
    stem_lengths = [len(words(q.stem)) for q in items] or [0]
    option_lengths = [len(words(t)) for q in items for t, _ in q.choices] or [0]
    keys = [t for q in items for t, c in q.choices if c]
    distractors = [t for q in items for t, c in q.choices if not c]

    def absolute_share(texts: list[str]) -> float:
        hits = sum(bool(ABSOLUTE_WORDS & set(words(t))) for t in texts)
        return hits / len(texts) if texts else 0.0

    already = Counter()
    for q in items:
        for name in already_clauses(q):
            for text, correct in q.choices:
                if name.lower() in text.lower():
                    already["key" if correct else "distractor"] += 1

    def mean(values) -> float:
        values = list(values)
        return sum(values) / len(values) if values else 0.0

    return {
        "questions": len(items),
        "single": len(singles),
        "multiple": len(multiples),
        "difficulty": Counter(q.difficulty for q in items),
        "stem_words_median": median(stem_lengths),
        "stem_words_min": min(stem_lengths),
        "stem_words_max": max(stem_lengths),
        "option_words_median": median(option_lengths),
        "approach_share": mean(is_approach(q) for q in items),
        "key_rank_shares": {r: ranks[r] / len(singles) if singles else 0.0 for r in (1, 2, 3, 4)},
        "multiple_longest_is_key": mean(_share_of_keys(q, _extremes(q)[0]) for q in multiples),
        "multiple_shortest_is_key": mean(_share_of_keys(q, _extremes(q)[1]) for q in multiples),
        "multiple_chance": mean(_chance(q) for q in multiples),
        "absolute_in_keys": absolute_share(keys),
        "absolute_in_distractors": absolute_share(distractors),
        "overlap_is_key": mean(_share_of_keys(q, _most_overlap(q)) for q in items),
        "overlap_chance": mean(_chance(q) for q in items),
        "already_key": already["key"],
        "already_distractor": already["distractor"],
    }


def problems(found: dict) -> list[str]:
    """The guide's rules that ``figures`` breaks, one sentence each (empty when all hold)."""
    out = []
    if found["questions"] == 0:
        return out
    if found["stem_words_min"] < 50 or found["stem_words_max"] > 180:
        out.append(
            f"stems run {found['stem_words_min']}–{found['stem_words_max']} words; keep 50–180"
        )
    if found["stem_words_median"] < 85:
        out.append(f"median stem {found['stem_words_median']} words; at least 85")
    if found["approach_share"] < 0.5:
        out.append(f"approach questions {found['approach_share']:.0%}; at least half")
    for rank, share in found["key_rank_shares"].items():
        if found["single"] and not 0.15 <= share <= 0.35:
            out.append(f"the key is length rank {rank} in {share:.0%} of singles; keep 15–35%")
    if found["multiple"]:
        chance = found["multiple_chance"]
        for rule in ("longest", "shortest"):
            share = found[f"multiple_{rule}_is_key"]
            if abs(share - chance) > 0.15:
                out.append(
                    f"the {rule} option of a multiple response is a key {share:.0%} "
                    f"(chance {chance:.0%}); keep within 15 points"
                )
    gap = found["absolute_in_keys"] - found["absolute_in_distractors"]
    if abs(gap) > 0.05:
        out.append(
            f"absolute words in {found['absolute_in_keys']:.0%} of keys and "
            f"{found['absolute_in_distractors']:.0%} of distractors; keep within 5 points"
        )
    if found["overlap_is_key"] > found["overlap_chance"] + 0.05:
        out.append(
            f"the option sharing most words with the stem is a key {found['overlap_is_key']:.0%} "
            f"(chance {found['overlap_chance']:.0%}); no more than 5 points above"
        )
    key, distractor = found["already_key"], found["already_distractor"]
    if key > distractor + 2:
        out.append(
            f"a service the stem says is already in use is the key {key} times and a "
            f"distractor {distractor} times; about as often each"
        )
    return out
