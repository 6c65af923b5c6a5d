"""The shipped bank meets the content rules of docs/QUESTION_GUIDE.md."""

import itertools
import os
import re
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings

from questions.bank import load_bank
from questions.coverage import AI_SERVICES, ALGORITHMS, published_questions, tag_counts

SEEDS = Path(os.environ.get("MLSPREP_SEEDS_DIR", settings.BASE_DIR.parent / "shared" / "seeds"))


@pytest.fixture
def bank(mls):
    report = load_bank()
    assert report.updated == []
    questions = published_questions(mls)
    topics = Counter(q.topic.code for q in questions)
    return {
        "total": len(questions),
        "questions": questions,
        "topics": topics,
        "tags": tag_counts(questions),
    }


def words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def test_at_least_260_published_questions_with_unique_ids(bank):
    ids = [q.external_id for q in bank["questions"]]
    assert len(ids) >= 260
    assert len(set(ids)) == len(ids)


def test_domain_shares_are_within_two_points_of_their_weights(bank, mls):
    for domain in mls.domains.prefetch_related("topics"):
        count = sum(bank["topics"][t.code] for t in domain.topics.all())
        share = 100 * count / bank["total"]
        assert abs(share - domain.weight) <= 2, (domain.code, share)


def test_every_task_statement_is_covered_in_proportion(bank, mls):
    for domain in mls.domains.prefetch_related("topics"):
        topics = list(domain.topics.all())
        fair_share = bank["total"] * domain.weight / 100 / len(topics)
        for topic in topics:
            assert bank["topics"][topic.code] >= fair_share / 2, topic.code


def test_kind_and_difficulty_mix(bank):
    total = bank["total"]
    questions = bank["questions"]
    assert sum(q.kind == "multiple" for q in questions) >= 0.20 * total
    assert sum(q.difficulty == 3 for q in questions) >= 0.30 * total
    assert sum(q.difficulty == 1 for q in questions) <= 0.30 * total


def test_algorithms_services_and_concepts_are_covered(bank):
    tags = bank["tags"]
    assert {name: tags[name] for name in ALGORITHMS if tags[name] < 3} == {}
    assert {name: tags[name] for name in AI_SERVICES if tags[name] < 2} == {}


def test_question_shape_follows_the_guide(bank):
    for q in bank["questions"]:
        choices = list(q.choices.all())
        stem_words = len(words(q.stem))
        assert 40 <= stem_words <= 120, (q.external_id, stem_words)
        correct = sum(c.is_correct for c in choices)
        if q.kind == "single":
            assert len(choices) == 4 and correct == 1, q.external_id
        else:
            assert len(choices) in (5, 6) and correct >= 2, q.external_id
            wanted = {"TWO": 2, "THREE": 3}[re.search(r"Choose (TWO|THREE)\.", q.stem).group(1)]
            assert wanted == correct, q.external_id
        assert q.explanation
        assert all(c.why.strip() for c in choices)


def test_correct_option_is_not_the_longest_by_habit(bank):
    singles = [q for q in bank["questions"] if q.kind == "single"]
    longest_correct = sum(
        max(q.choices.all(), key=lambda c: len(c.text)).is_correct for q in singles
    )
    assert longest_correct <= 0.25 * len(singles)


def shingles(text: str, size: int = 3) -> set[tuple[str, ...]]:
    tokens = words(text)
    return {tuple(tokens[i : i + size]) for i in range(len(tokens) - size + 1)}


def test_no_two_stems_are_near_duplicates(bank):
    stems = [(q.external_id, shingles(q.stem)) for q in bank["questions"]]
    close = [
        (a, b, round(len(sa & sb) / len(sa | sb), 2))
        for (a, sa), (b, sb) in itertools.combinations(stems, 2)
        if len(sa & sb) / len(sa | sb) > 0.6
    ]
    assert close == []


def test_no_run_of_ten_words_is_copied_from_the_notes(bank):
    if not SEEDS.is_dir():
        pytest.skip(f"study notes not found at {SEEDS}")
    runs = set()
    for path in SEEDS.glob("*.txt"):
        tokens = words(path.read_text(encoding="utf-8"))
        runs.update(tuple(tokens[i : i + 10]) for i in range(len(tokens) - 9))
    copied = []
    for q in bank["questions"]:
        texts = [q.stem, q.explanation] + [t for c in q.choices.all() for t in (c.text, c.why)]
        for text in texts:
            tokens = words(text)
            if any(tuple(tokens[i : i + 10]) in runs for i in range(len(tokens) - 9)):
                copied.append(q.external_id)
    assert copied == []
