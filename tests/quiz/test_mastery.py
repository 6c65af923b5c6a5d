from datetime import UTC, date, datetime, timedelta
from importlib import import_module
from math import sqrt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quiz import readiness as method
from quiz import services
from quiz.drawing import domain_quotas
from quiz.mastery import (
    DomainMastery,
    Estimate,
    Evidence,
    TopicMastery,
    estimate,
    evidence_by_topic,
    learner_mastery,
    readiness,
    weakest_topics,
    weight,
)
from quiz.models import Attempt, AttemptItem
from tests.factories import finished_attempts, one_topic_blueprint

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


UNSEEN = Estimate(0, 0, None, None, None)
NOW = datetime(2026, 5, 4, 9, tzinfo=UTC)
MLS_TOPICS = {"1": 3, "2": 3, "3": 5, "4": 4}
MLS_WEIGHTS = {"1": 20, "2": 24, "3": 36, "4": 20}


def mls_learner(evidence_by_domain: dict[str, list[Evidence]]) -> list[DomainMastery]:
    """MLS-C01 domains whose every topic has the given evidence (none for a missing domain)."""
    domains = []
    for code, n_topics in MLS_TOPICS.items():
        evidence = tuple(evidence_by_domain.get(code, ()))
        topics = [
            TopicMastery(f"{code}.{t}", "", code, 0, UNSEEN, evidence) for t in range(n_topics)
        ]
        domains.append(DomainMastery(code, code, MLS_WEIGHTS[code], UNSEEN, topics))
    return domains


def test_readiness_constants_are_the_documented_ones():
    assert method.HALF_LIFE_DAYS == 30 and method.PRIOR == 1.0
    assert method.TOPIC_PULL == 8
    assert method.TREND_PRIOR == 0.02
    assert method.HORIZON_DAYS == 7
    assert method.DRIFT_PER_WEEK == 0.012
    assert method.Z90 == 1.645


def test_readiness_quotas_are_the_quotas_mocks_are_drawn_by(mls):
    domains = list(mls.domains.all())
    drawn = domain_quotas(domains, mls.question_count)
    assert method.quotas([d.weight for d in domains], 65) == [drawn[d.pk] for d in domains]
    assert method.quotas([20, 24, 36, 20], 65) == [13, 16, 23, 13]


def test_readiness_counts_an_unseen_domain_at_fifty_percent_with_a_uniform_spread(mls):
    # A thousand answers a topic, all today, at 80 %: the seen domains are known to a hair.
    seen = [Evidence(TODAY, 1000, 800)]
    result = readiness(mls_learner({"1": seen, "3": seen, "4": seen}), mls, now=NOW)
    shares = {"1": 13 / 65, "2": 16 / 65, "3": 23 / 65, "4": 13 / 65}
    share = (1 - shares["2"]) * 0.8 + shares["2"] * 0.5
    assert result.score == 100 + round(900 * share)
    exam = sum(n * p * (1 - p) for n, p in [(13, 0.8), (16, 0.5), (23, 0.8), (13, 0.8)]) / 65**2
    unseen = shares["2"] ** 2 / 12
    # No time between the answers: no trend is known, the prior's spread stays, over a week.
    trend = ((1 - shares["2"]) * method.TREND_PRIOR) ** 2
    drift = method.DRIFT_PER_WEEK**2 * (1 - shares["2"])
    assert result.exam_sd == pytest.approx(sqrt(exam), rel=1e-3)
    assert result.estimate_sd == pytest.approx(sqrt(unseen + trend), rel=1e-3)
    assert result.drift_sd == pytest.approx(sqrt(drift), rel=1e-3)
    spread = 1.645 * sqrt(exam + unseen + trend + drift)
    assert result.low == pytest.approx(100 + 900 * (share - spread), abs=1)
    assert result.high == pytest.approx(100 + 900 * (share + spread), abs=1)


def test_the_estimate_spread_of_40_answers_is_their_binomial_spread():
    exam = method.Exam(65, 100, 1000)

    def spread(answered):
        evidence = (Evidence(TODAY, answered, answered * 3 // 4),)
        return method.predict([method.DomainEvidence(100, (evidence,))], exam, today=TODAY)

    few, many = spread(40), spread(40_000)
    assert few.estimate_sd**2 - many.estimate_sd**2 == pytest.approx(0.75 * 0.25 / 40, rel=0.15)


def test_readiness_as_of_weeks_after_the_last_answer_is_less_certain(mls):
    answers = [Evidence(TODAY - timedelta(days=d), 20, 14) for d in (14, 7, 0)]
    domains = mls_learner({"1": answers, "2": answers, "3": answers, "4": answers})
    that_day = readiness(domains, mls)
    assert readiness(domains, mls, now=NOW) == that_day
    later = readiness(domains, mls, now=NOW + timedelta(weeks=8))
    assert later.high - later.low > that_day.high - that_day.low


def test_readiness_is_none_before_the_first_answer(mls):
    assert readiness(mls_learner({}), mls) is None


def weekly(rates: list[float], answered: int = 65) -> tuple[Evidence, ...]:
    """One topic's answers, a batch a week up to today, at the given rates."""
    n = len(rates)
    return tuple(
        Evidence(TODAY - timedelta(weeks=n - 1 - k), answered, round(answered * rate))
        for k, rate in enumerate(rates)
    )


def test_readiness_of_a_learner_who_improves_is_well_ahead_of_their_average():
    exam = method.Exam(65, 100, 1000)
    rising = weekly([0.50, 0.55, 0.60, 0.65, 0.70, 0.75])
    result = method.predict([method.DomainEvidence(100, (rising,))], exam, today=TODAY)
    average = estimate(list(rising), today=TODAY).mean
    assert result.score > exam.scaled(average) + 75
    flat = weekly([0.6] * 6)
    same = method.predict([method.DomainEvidence(100, (flat,))], exam, today=TODAY)
    assert same.score == exam.scaled(0.6)


def test_drilling_a_weak_topic_is_read_neither_as_a_decline_nor_as_a_weaker_domain():
    # Weekly mocks: two topics at 75 %, one at 37.5 %; then 80 practice answers on the weak
    # topic, at its usual rate. A mock still gives each topic a third of the domain.
    exam = method.Exam(65, 100, 1000)
    strong, weak = weekly([0.75] * 5, answered=8), weekly([0.375] * 5, answered=8)
    drill = (Evidence(TODAY - timedelta(days=1), 40, 15), Evidence(TODAY, 40, 15))
    before = method.predict([method.DomainEvidence(100, (strong, strong, weak))], exam, today=TODAY)
    after = method.predict(
        [method.DomainEvidence(100, (strong, strong, weak + drill))], exam, today=TODAY
    )
    assert before.score == pytest.approx(exam.scaled(0.625), abs=15)
    assert after.score == pytest.approx(before.score, abs=15)


def test_idle_weeks_widen_the_range_without_extending_the_trend():
    domains = [method.DomainEvidence(100, (weekly([0.50, 0.55, 0.60, 0.65, 0.70, 0.75]),))]
    exam = method.Exam(65, 100, 1000)
    now = method.predict(domains, exam, today=TODAY)
    later = method.predict(domains, exam, today=TODAY + timedelta(weeks=8))
    # Eight more weeks of drift; old answers weigh less; the trend stops at the last answer.
    assert later.drift_sd**2 - now.drift_sd**2 == pytest.approx(0.012**2 * 8)
    assert later.high - later.low > now.high - now.low
    assert later.score <= now.score


def test_the_range_counts_the_spread_of_a_65_question_exam():
    # Even a learner known exactly: 65 questions at 70 % give a binomial spread.
    domains = [method.DomainEvidence(100, ((Evidence(TODAY, 100_000, 70_000),),))]
    result = method.predict(domains, method.Exam(65, 100, 1000), today=TODAY)
    assert result.exam_sd == pytest.approx(sqrt(0.7 * 0.3 / 65), rel=1e-3)
    assert result.high - result.low >= 2 * 1.645 * 900 * result.exam_sd - 2


def test_readiness_leaves_out_excluded_mocks_and_discarded_attempts(learner, mls, now):
    finished_attempts(learner, mls, 3, now=now, right_in=("1.1",), wrong_in=())
    before = readiness(learner_mastery(learner, mls, now=now), mls, now=now)
    finished_attempts(learner, mls, 3, now=now, right_in=(), wrong_in=("1.1", "3.2"))
    later = Attempt.objects.filter(user=learner).order_by("pk").values_list("pk", flat=True)[3:]
    Attempt.objects.filter(pk__in=list(later)).update(excluded=True)
    assert readiness(learner_mastery(learner, mls, now=now), mls, now=now) == before
    Attempt.objects.filter(pk__in=list(later)).update(excluded=False, state=Attempt.State.DISCARDED)
    assert readiness(learner_mastery(learner, mls, now=now), mls, now=now) == before


def midnight_mock(learner):
    """Three questions in Berlin: one answered at 23:55, one at 00:05, one not, submitted at
    00:10."""
    blueprint = one_topic_blueprint(size=3)
    start = datetime(2026, 5, 4, 21, 50, tzinfo=UTC)
    attempt = services.start_attempt(user=learner, blueprint=blueprint, now=start)
    first, second, _ = attempt.items.order_by("position")
    services.answer_item(item=first, selected=[0], now=start + timedelta(minutes=5))
    services.answer_item(item=second, selected=[1], now=start + timedelta(minutes=15))
    services.submit_attempt(attempt=attempt, now=start + timedelta(minutes=20))
    return attempt


def test_answers_count_on_the_day_they_were_given_and_unanswered_ones_on_the_submit(
    learner, settings
):
    settings.TIME_ZONE = "Europe/Berlin"  # 23:55 here is 21:55 UTC: the local day counts
    attempt = midnight_mock(learner)
    days = list(attempt.items.order_by("position").values_list("graded_on", flat=True))
    assert days == [date(2026, 5, 4), date(2026, 5, 5), date(2026, 5, 5)]
    evidence = evidence_by_topic(learner)[attempt.items.first().topic_id]
    assert sorted((e.day, e.answered) for e in evidence) == [
        (date(2026, 5, 4), 1),
        (date(2026, 5, 5), 2),
    ]


def test_an_answer_with_instant_feedback_counts_on_its_day(learner, now):
    blueprint = one_topic_blueprint(size=3)
    topic = blueprint.domains.get().topics.get()
    practice = services.start_practice(user=learner, topic=topic, now=now)
    item = practice.items.first()
    services.answer_item(item=item, selected=[0], now=now + timedelta(days=2))
    item.refresh_from_db()
    assert item.graded_on == date(2026, 5, 6)


def test_the_day_stored_when_graded_is_kept_when_the_time_zone_changes(learner, settings):
    settings.TIME_ZONE = "Europe/Berlin"
    attempt = midnight_mock(learner)
    settings.TIME_ZONE = "UTC"  # in UTC all three fell on 4 May
    evidence = evidence_by_topic(learner)[attempt.items.first().topic_id]
    assert sorted((e.day, e.answered) for e in evidence) == [
        (date(2026, 5, 4), 1),
        (date(2026, 5, 5), 2),
    ]


def test_answers_graded_before_the_day_was_stored_get_it_from_the_migration(learner, settings):
    from django.apps import apps

    settings.TIME_ZONE = "Europe/Berlin"
    backfill = import_module("quiz.migrations.0010_graded_on").backfill
    attempt = midnight_mock(learner)
    items = AttemptItem.objects.filter(attempt=attempt)
    stored = dict(items.values_list("pk", "graded_on"))
    before = evidence_by_topic(learner)
    items.update(graded_on=None)
    assert evidence_by_topic(learner) == before  # worked out when missing
    backfill(apps, None)
    assert dict(items.values_list("pk", "graded_on")) == stored
    assert evidence_by_topic(learner) == before


def test_a_topic_with_no_answers_has_none_right_either():
    assert estimate([], today=TODAY) == Estimate(
        answered=0, correct=0, mean=None, low=None, high=None, variance=0.0
    )


def test_the_estimate_gives_the_posterior_variance_its_range_is_drawn_from():
    result = estimate([Evidence(TODAY, 20, 14)], today=TODAY)
    a, b = 15, 7
    assert result.variance == pytest.approx(a * b / ((a + b) ** 2 * (a + b + 1)))
    assert result.high - result.mean == pytest.approx(1.645 * sqrt(result.variance))


def test_another_learners_answers_never_change_a_learners_mastery(learner, other_learner, mls, now):
    finished_attempts(learner, mls, 2, now=now)
    before = learner_mastery(learner, mls, now=now)
    finished_attempts(other_learner, mls, 3, now=now, right_in=("3.2",), wrong_in=("1.1", "2.1"))
    assert learner_mastery(learner, mls, now=now) == before


def test_mastery_rows_name_each_domain_and_file_each_topic_under_its_own(learner, mls, now):
    finished_attempts(learner, mls, 1, now=now)
    found = learner_mastery(learner, mls, now=now)
    domains = list(mls.domains.prefetch_related("topics"))
    assert [(d.code, d.name, d.weight) for d in found] == [
        (d.code, d.name, d.weight) for d in domains
    ]
    assert [(t.domain_code, t.code, t.topic_id) for d in found for t in d.topics] == [
        (d.code, t.code, t.pk) for d in domains for t in d.topics.all()
    ]


def test_readiness_never_goes_past_the_ends_of_the_scale(mls):
    perfect = readiness(mls_learner({c: [Evidence(TODAY, 1000, 1000)] for c in "1234"}), mls)
    assert perfect.high == mls.score_max and perfect.score <= mls.score_max
    hopeless = readiness(mls_learner({c: [Evidence(TODAY, 1000, 0)] for c in "1234"}), mls)
    assert hopeless.low == mls.score_min
