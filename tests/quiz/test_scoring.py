"""Properties of scoring, for any exam: Hypothesis draws the items and the answers."""

import random
from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from questions.models import Blueprint, Domain
from quiz import services
from quiz.models import AttemptItem
from quiz.scoring import scaled_score, tally
from tests.factories import one_topic_blueprint

DOMAINS = [Domain(code=str(n), name=f"Domain {n}", weight=25) for n in range(1, 5)]
BLUEPRINT = Blueprint(score_min=100, score_max=1000, pass_mark=750)
NOW = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)


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


def test_an_item_of_a_domain_no_longer_in_the_blueprint_keeps_its_own_row():
    right = {"text": "a", "correct": True, "why": ""}
    wrong = {"text": "b", "correct": False, "why": ""}
    gone = AttemptItem(
        domain_code="9", domain_name="Retired domain", kind="single",
        choices=[right, wrong], selected=[0],
    )  # fmt: skip
    kept = AttemptItem(domain_code="1", kind="single", choices=[right, wrong], selected=[1])
    correct, rows = tally([gone, kept, gone], DOMAINS)
    assert correct == 2
    assert rows == [
        {"code": "1", "name": "Domain 1", "correct": 0, "total": 1},
        {"code": "9", "name": "Retired domain", "correct": 2, "total": 2},
    ]


def test_a_score_exactly_at_the_pass_mark_passes(db, learner):
    blueprint = one_topic_blueprint(size=4)
    Blueprint.objects.filter(pk=blueprint.pk).update(score_min=0, score_max=1000, pass_mark=750)
    blueprint.refresh_from_db()
    attempt = services.start_attempt(user=learner, blueprint=blueprint, now=NOW)
    items = list(attempt.items.order_by("position"))
    for item in items[:3]:
        services.answer_item(item=item, selected=sorted(item.correct_indexes), now=NOW)
    done = services.submit_attempt(attempt=attempt, now=NOW)
    assert (done.scaled_score, done.passed) == (750, True)
