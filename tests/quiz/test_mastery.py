from datetime import date, timedelta
from math import sqrt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quiz.mastery import (
    DomainMastery,
    Estimate,
    Evidence,
    TopicMastery,
    estimate,
    readiness,
    weakest_topics,
    weight,
)

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


def test_an_answer_loses_half_its_weight_every_30_days():
    assert weight(TODAY - timedelta(days=30), TODAY) == 0.5
    assert weight(TODAY - timedelta(days=60), TODAY) == 0.25
    assert weight(TODAY, TODAY) == 1.0
    # One right answer a month ago: Beta(1 + 0.5, 1) has mean 0.6.
    assert estimate([Evidence(TODAY - timedelta(days=30), 1, 1)], today=TODAY).mean == 0.6


def test_the_range_is_the_posterior_mean_plus_minus_1_645_standard_deviations():
    result = estimate([Evidence(TODAY, 20, 14)], today=TODAY)
    a, b = 15, 7  # uniform prior Beta(1, 1) plus 14 right and 6 wrong
    mean = a / (a + b)
    spread = 1.645 * sqrt(a * b / ((a + b) ** 2 * (a + b + 1)))
    assert result.mean == pytest.approx(mean)
    assert (result.low, result.high) == (pytest.approx(mean - spread), pytest.approx(mean + spread))


def topic(code, mean, answered):
    est = Estimate(answered=answered, correct=0, mean=mean, low=mean, high=mean)
    return TopicMastery(code=code, name=code, domain_code=code[0], topic_id=0, estimate=est)


def test_weakest_topics_break_ties_by_more_evidence_first_and_skip_unseen():
    unseen = TopicMastery("2.1", "x", "2", 0, Estimate(0, 0, None, None, None))
    domains = [
        DomainMastery("1", "One", 50, Estimate(0, 0, None, None, None),
                      [topic("1.1", 0.4, 3), topic("1.2", 0.4, 9), topic("1.3", 0.2, 1)]),
        DomainMastery("2", "Two", 50, Estimate(0, 0, None, None, None),
                      [unseen, topic("2.2", 0.9, 5)]),
    ]  # fmt: skip
    assert [t.code for t in weakest_topics(domains)] == ["1.3", "1.2", "1.1"]
    assert [t.code for t in weakest_topics(domains, count=5)] == ["1.3", "1.2", "1.1", "2.2"]


def test_readiness_counts_an_unseen_domain_at_fifty_percent(db, mls):
    seen = Estimate(answered=10, correct=8, mean=0.8, low=0.7, high=0.9, variance=0.01)
    none = Estimate(0, 0, None, None, None)
    domains = [
        DomainMastery("1", "One", 20, seen, []),
        DomainMastery("2", "Two", 24, none, []),
        DomainMastery("3", "Three", 36, seen, []),
        DomainMastery("4", "Four", 20, seen, []),
    ]
    result = readiness(domains, mls)
    mean = 0.76 * 0.8 + 0.24 * 0.5  # the seen domains' weight at 80 %, the unseen at 50 %
    spread = 1.645 * sqrt((0.2**2 + 0.36**2 + 0.2**2) * 0.01 + 0.24**2 / 12)
    assert result.score == 100 + round(900 * mean)
    assert (result.low, result.high) == (
        100 + round(900 * (mean - spread)),
        100 + round(900 * (mean + spread)),
    )
