"""The shipped bank meets the rules of docs/QUESTION_GUIDE.md: size and shares for eight fresh
mocks, coverage, references, exam-length scenarios, no answer cues, the difficulty mix."""

import itertools
import os
import re
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from questions import quality
from questions.bank import load_bank
from questions.coverage import missing, published_questions, tag_counts
from questions.models import Question, Tag
from quiz import drawing, services
from tests.factories import UserFactory

SEEDS = Path(os.environ.get("MLSPREP_SEEDS_DIR", settings.BASE_DIR.parent / "shared" / "seeds"))


@pytest.fixture(scope="module")
def shipped(django_db_setup, django_db_blocker):
    """The shipped bank, loaded once for this module (each test reads it, none changes it)
    and removed after it."""
    with django_db_blocker.unblock():
        report = load_bank()
        yield report
        Question.objects.all().delete()
        Tag.objects.all().delete()


@pytest.fixture
def bank(shipped, mls):
    assert shipped.updated == []
    return published_questions(mls)


def items(questions) -> list[quality.Item]:
    return [quality.item_of(q) for q in questions]


def words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def test_at_least_520_published_questions_with_unique_ids(bank):
    ids = [q.external_id for q in bank]
    assert len(ids) >= 520
    assert len(set(ids)) == len(ids)


def test_domains_hold_their_weight_and_eight_mocks_of_each(bank, mls):
    domains = list(mls.domains.prefetch_related("topics"))
    quotas = drawing.domain_quotas(domains, mls.question_count)
    per_domain = Counter(q.topic.domain_id for q in bank)
    for domain in domains:
        share = 100 * per_domain[domain.pk] / len(bank)
        assert abs(share - domain.weight) <= 1, (domain.code, share)
        assert per_domain[domain.pk] >= 8 * quotas[domain.pk], domain.code


def test_every_task_statement_has_three_quarters_of_its_fair_share(bank, mls):
    per_topic = Counter(q.topic_id for q in bank)
    for domain in mls.domains.prefetch_related("topics"):
        topics = list(domain.topics.all())
        fair_share = len(bank) * domain.weight / 100 / len(topics)
        for topic in topics:
            assert per_topic[topic.pk] >= 0.75 * fair_share, topic.code


def test_eight_mocks_in_a_row_never_repeat_a_question(bank, mls):
    learner = UserFactory(username="eight")
    now = timezone.now()
    shown = []
    for _ in range(8):
        mock = services.start_attempt(user=learner, blueprint=mls, now=now)
        shown += list(mock.items.values_list("question", flat=True))
        services.submit_attempt(attempt=mock, now=now)
    assert len(shown) == 8 * 65
    assert len(set(shown)) == len(shown)


def test_coverage_lists_are_complete(bank):
    assert missing(tag_counts(bank)) == {}


def test_kinds_and_difficulty_mix(bank):
    kinds = Counter(q.kind for q in bank)
    difficulty = Counter(q.difficulty for q in bank)
    assert kinds["multiple"] >= 0.25 * len(bank)
    assert difficulty[3] >= 0.40 * len(bank)
    assert difficulty[1] <= 0.10 * len(bank)


def test_every_question_links_one_to_three_primary_sources(bank):
    counts = Counter(len(q.references.all()) for q in bank)
    assert set(counts) <= {1, 2, 3}


def test_exam_length_scenarios_and_approach_options(bank):
    found = quality.figures(items(bank))
    assert 50 <= found["stem_words_min"] and found["stem_words_max"] <= 180
    assert found["stem_words_median"] >= 85
    assert found["approach_share"] >= 0.5


def test_no_surface_cue_finds_the_key(bank):
    assert quality.problems(quality.figures(items(bank))) == []


def test_question_shape_follows_the_guide(bank):
    for q in bank:
        choices = q.choice_list()
        correct = sum(c["correct"] for c in choices)
        if q.kind == "single":
            assert len(choices) == 4 and correct == 1, q.external_id
        else:
            assert len(choices) in (5, 6) and correct >= 2, q.external_id
            wanted = {"TWO": 2, "THREE": 3}[re.search(r"Choose\s+(TWO|THREE)\.", q.stem).group(1)]
            assert wanted == correct, q.external_id
        assert q.explanation and all(c["why"].strip() for c in choices)


def shingles(text: str, size: int = 3) -> set[tuple[str, ...]]:
    tokens = words(text)
    return {tuple(tokens[i : i + size]) for i in range(len(tokens) - size + 1)}


def test_no_two_stems_are_near_duplicates(bank):
    stems = [(q.external_id, shingles(q.stem)) for q in bank]
    close = [
        (a, b, round(len(sa & sb) / len(sa | sb), 2))
        for (a, sa), (b, sb) in itertools.combinations(stems, 2)
        if len(sa & sb) / len(sa | sb) > 0.5
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
    for q in bank:
        texts = [q.stem, q.explanation] + [
            t for c in q.choice_list() for t in (c["text"], c["why"])
        ]
        for text in texts:
            tokens = words(text)
            if any(tuple(tokens[i : i + 10]) in runs for i in range(len(tokens) - 9)):
                copied.append(q.external_id)
    assert copied == []
