from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from quiz.mastery import Evidence, estimate

TODAY = date(2026, 5, 4)

days = st.integers(min_value=0, max_value=400)
evidence_lists = st.lists(
    st.builds(
        lambda age, answered, correct: Evidence(
            TODAY - timedelta(days=age), answered, min(correct, answered)
        ),
        days,
        st.integers(min_value=1, max_value=30),
        st.integers(min_value=0, max_value=30),
    ),
    max_size=12,
)


def test_a_topic_with_no_answers_is_not_yet_seen_not_zero():
    result = estimate([], today=TODAY)
    assert not result.seen
    assert result.mean is None and result.percent is None


def test_small_samples_stay_near_the_middle():
    assert estimate([Evidence(TODAY, 1, 1)], today=TODAY).percent == 67
    assert estimate([Evidence(TODAY, 1, 0)], today=TODAY).percent == 33


@given(evidence_lists)
def test_estimate_and_range_stay_within_zero_and_one(evidence):
    result = estimate(evidence, today=TODAY)
    if result.seen:
        assert 0 <= result.low <= result.mean <= result.high <= 1


@given(evidence_lists, days)
def test_another_correct_answer_never_lowers_the_estimate(evidence, age):
    before = estimate(evidence, today=TODAY)
    after = estimate([*evidence, Evidence(TODAY - timedelta(days=age), 1, 1)], today=TODAY)
    assert before.mean is None or after.mean >= before.mean - 1e-12


@given(evidence_lists, days)
def test_another_wrong_answer_never_raises_the_estimate(evidence, age):
    before = estimate(evidence, today=TODAY)
    after = estimate([*evidence, Evidence(TODAY - timedelta(days=age), 1, 0)], today=TODAY)
    assert before.mean is None or after.mean <= before.mean + 1e-12


@given(st.integers(min_value=1, max_value=365))
def test_an_old_answer_weighs_less_than_todays(age):
    base = [Evidence(TODAY, 4, 2)]
    old_right = estimate([*base, Evidence(TODAY - timedelta(days=age), 1, 1)], today=TODAY)
    new_right = estimate([*base, Evidence(TODAY, 1, 1)], today=TODAY)
    assert old_right.mean < new_right.mean


def test_more_evidence_narrows_the_range():
    few = estimate([Evidence(TODAY, 4, 2)], today=TODAY)
    many = estimate([Evidence(TODAY, 40, 20)], today=TODAY)
    assert many.high - many.low < few.high - few.low
