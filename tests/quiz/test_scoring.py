"""Properties of scoring, for any exam: Hypothesis draws the items and the answers."""

import random

from hypothesis import given
from hypothesis import strategies as st

from questions.models import Blueprint, Domain
from quiz.models import AttemptItem
from quiz.scoring import scaled_score, tally

DOMAINS = [Domain(code=str(n), name=f"Domain {n}", weight=25) for n in range(1, 5)]
BLUEPRINT = Blueprint(score_min=100, score_max=1000, pass_mark=750)


@st.composite
def items(draw):
    made = []
    for _ in range(draw(st.integers(min_value=1, max_value=40))):
        size = draw(st.integers(min_value=2, max_value=6))
        correct = draw(st.sets(st.integers(0, size - 1), min_size=1, max_size=size - 1))
        selected = draw(st.sets(st.integers(0, size - 1), max_size=size))
        made.append(
            AttemptItem(
                domain_code=draw(st.sampled_from(["1", "2", "3", "4"])),
                kind="multiple" if len(correct) > 1 else "single",
                choices=[{"text": str(i), "correct": i in correct, "why": ""} for i in range(size)],
                selected=sorted(selected),
            )
        )
    return made


def shuffled_choices(item: AttemptItem, rng: random.Random) -> AttemptItem:
    order = list(range(len(item.choices)))
    rng.shuffle(order)
    return AttemptItem(
        domain_code=item.domain_code,
        kind=item.kind,
        choices=[item.choices[i] for i in order],
        selected=sorted(order.index(i) for i in item.selected),
    )


@given(items(), st.randoms(use_true_random=False))
def test_order_of_questions_and_choices_never_changes_the_score(exam, rng):
    correct, rows = tally(exam, DOMAINS)
    reordered = [shuffled_choices(item, rng) for item in exam]
    rng.shuffle(reordered)
    assert tally(reordered, DOMAINS) == (correct, rows)


@given(items())
def test_score_is_between_zero_and_total_and_domains_add_up(exam):
    correct, rows = tally(exam, DOMAINS)
    assert 0 <= correct <= len(exam)
    assert sum(row["total"] for row in rows) == len(exam)
    assert sum(row["correct"] for row in rows) == correct
    assert all(0 <= row["correct"] <= row["total"] for row in rows)
    assert 100 <= scaled_score(correct, len(exam), BLUEPRINT) <= 1000


@given(items())
def test_unanswered_is_wrong_and_only_the_exact_set_is_right(exam):
    tally(exam, DOMAINS)
    for item in exam:
        expected = bool(item.selected) and set(item.selected) == {
            i for i, c in enumerate(item.choices) if c["correct"]
        }
        assert item.is_correct is expected
