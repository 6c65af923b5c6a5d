import random
from collections import Counter
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection, connections

from questions.models import Question, Report
from quiz import drawing, services
from quiz.models import Attempt, AttemptItem, Cohort, Membership
from tests.factories import (
    DomainFactory,
    QuestionFactory,
    TopicFactory,
    UserFactory,
    fill_bank,
    one_topic_blueprint,
)

MLS_QUOTAS = {"1": 13, "2": 16, "3": 23, "4": 13}


@pytest.fixture
def bank(mls):
    return fill_bank(mls, {"1": 15, "2": 18, "3": 26, "4": 15})


@pytest.fixture
def attempt(learner, mls, bank, now):
    return services.start_attempt(user=learner, blueprint=mls, now=now, rng=random.Random(1))


def grace():
    return timedelta(seconds=settings.EXAM_GRACE_SECONDS)


def correct_indexes(item):
    return sorted(item.correct_indexes)


def wrong_indexes(item):
    return [min(set(range(len(item.choices))) - item.correct_indexes)]


def test_domain_quotas_use_largest_remainder(mls):
    quotas = drawing.domain_quotas(list(mls.domains.all()), 65)
    assert {d.code: quotas[d.pk] for d in mls.domains.all()} == MLS_QUOTAS


def test_start_draws_the_blueprint_shape_and_freezes_items(attempt, mls, now):
    items = list(attempt.items.all())
    assert len(items) == 65 == attempt.question_count
    assert Counter(item.domain_code for item in items) == MLS_QUOTAS
    assert [item.position for item in items] == list(range(1, 66))
    assert len({item.question_id for item in items}) == 65
    assert attempt.deadline == now + timedelta(minutes=180)
    item = items[0]
    question = item.question
    assert item.stem == question.stem and item.question_version == question.version
    assert sorted(c["text"] for c in item.choices) == sorted(c.text for c in question.choices.all())


def test_start_spreads_questions_over_every_topic(attempt, mls):
    topics = set(attempt.items.values_list("topic__code", flat=True))
    assert topics == {t.code for d in mls.domains.all() for t in d.topics.all()}


def test_start_shuffles_choices(attempt):
    orders = [tuple(c["text"].split()[1] for c in item.choices) for item in attempt.items.all()]
    assert len(set(orders)) > 1


def test_start_prefers_questions_seen_least(learner, mls, now):
    fill_bank(mls, {"1": 26, "2": 32, "3": 46, "4": 26})
    first = services.start_attempt(user=learner, blueprint=mls, now=now)
    services.submit_attempt(attempt=first, now=now + timedelta(minutes=5))
    second = services.start_attempt(user=learner, blueprint=mls, now=now + timedelta(minutes=10))
    seen_first = set(first.items.values_list("question_id", flat=True))
    assert not seen_first & set(second.items.values_list("question_id", flat=True))


def test_start_when_bank_too_small_says_why_and_starts_nothing(learner, mls, now):
    fill_bank(mls, {"1": 13, "2": 16, "3": 22, "4": 13})
    with pytest.raises(services.BankTooSmall, match=r"Domain 3 \(Modeling\) has 22 .* needs 23"):
        services.start_attempt(user=learner, blueprint=mls, now=now)
    assert not Attempt.objects.exists()


def test_draft_and_retired_questions_are_never_drawn(learner, mls, bank, now):
    Question.objects.filter(pk__in=[q.pk for q in bank[:5]]).update(status=Question.Status.RETIRED)
    fill_bank(mls, 10)
    Question.objects.filter(pk__in=[q.pk for q in bank[5:10]]).update(status=Question.Status.DRAFT)
    attempt = services.start_attempt(user=learner, blueprint=mls, now=now)
    drawn = set(attempt.items.values_list("question__status", flat=True))
    assert drawn == {Question.Status.PUBLISHED}


def test_starting_again_resumes_the_attempt_in_progress(attempt, learner, mls, now):
    again = services.start_attempt(user=learner, blueprint=mls, now=now + timedelta(minutes=30))
    assert again.pk == attempt.pk
    assert Attempt.objects.count() == 1


def test_starting_after_an_expired_attempt_closes_it_and_starts_anew(attempt, learner, mls, now):
    later = attempt.deadline + grace() + timedelta(seconds=1)
    fresh = services.start_attempt(user=learner, blueprint=mls, now=later)
    assert fresh.pk != attempt.pk
    attempt.refresh_from_db()
    assert attempt.state == Attempt.State.EXPIRED


def test_answer_saves_and_change_replaces(attempt, now):
    item = attempt.items.get(position=1)
    services.answer_item(item=attempt.items.get(position=1), selected=wrong_indexes(item), now=now)
    services.answer_item(
        item=attempt.items.get(position=1), selected=correct_indexes(item), now=now
    )
    item.refresh_from_db()
    assert item.selected == correct_indexes(item)
    assert item.answered_at == now


def test_answer_with_no_choice_clears_it(attempt, now):
    item = attempt.items.get(position=1)
    services.answer_item(
        item=attempt.items.get(position=1), selected=correct_indexes(item), now=now
    )
    services.answer_item(item=attempt.items.get(position=1), selected=[], now=now)
    item.refresh_from_db()
    assert item.selected == [] and item.answered_at is None


def test_answer_refuses_unknown_choice_and_two_choices_for_single(attempt, now):
    single = attempt.items.filter(kind="single").first()
    with pytest.raises(services.InvalidAnswer):
        services.answer_item(
            item=attempt.items.get(position=single.position), selected=[9], now=now
        )
    with pytest.raises(services.InvalidAnswer):
        services.answer_item(
            item=attempt.items.get(position=single.position), selected=[0, 1], now=now
        )
    single.refresh_from_db()
    assert single.selected == []


def test_flag_and_unflag(attempt, now):
    services.flag_item(item=attempt.items.get(position=3), flagged=True, now=now)
    assert attempt.items.get(position=3).flagged
    services.flag_item(item=attempt.items.get(position=3), flagged=False, now=now)
    assert not attempt.items.get(position=3).flagged


def test_answer_within_grace_counts_and_after_grace_is_refused(attempt, now):
    item1 = attempt.items.get(position=1)
    item2 = attempt.items.get(position=2)
    within = attempt.deadline + grace()
    services.answer_item(
        item=attempt.items.get(position=1), selected=correct_indexes(item1), now=within
    )
    late = attempt.deadline + grace() + timedelta(seconds=1)
    with pytest.raises(services.AttemptClosed) as closed:
        services.answer_item(
            item=attempt.items.get(position=2), selected=correct_indexes(item2), now=late
        )
    assert closed.value.attempt.state == Attempt.State.EXPIRED
    attempt.refresh_from_db()
    assert attempt.state == Attempt.State.EXPIRED
    assert attempt.correct_count == 1
    assert attempt.finished_at == attempt.deadline
    item2.refresh_from_db()
    assert item2.selected == []


def test_flag_after_deadline_is_refused(attempt):
    late = attempt.deadline + grace() + timedelta(seconds=1)
    with pytest.raises(services.AttemptClosed):
        services.flag_item(item=attempt.items.get(position=1), flagged=True, now=late)


def test_submit_scores_and_submit_twice_gives_the_same_result(attempt, now):
    for item in attempt.items.all()[:10]:
        services.answer_item(
            item=attempt.items.get(position=item.position), selected=correct_indexes(item), now=now
        )
    done = services.submit_attempt(attempt=attempt, now=now + timedelta(minutes=42))
    assert done.state == Attempt.State.SUBMITTED
    assert done.correct_count == 10
    assert done.scaled_score == 100 + round(900 * 10 / 65)
    assert done.passed is False
    assert done.time_used == timedelta(minutes=42)
    again = services.submit_attempt(attempt=attempt, now=now + timedelta(minutes=50))
    assert (again.finished_at, again.scaled_score) == (done.finished_at, done.scaled_score)
    assert sum(row["total"] for row in done.domain_scores) == 65
    assert sum(row["correct"] for row in done.domain_scores) == 10


def test_answer_after_submit_is_refused(attempt, now):
    services.submit_attempt(attempt=attempt, now=now)
    with pytest.raises(services.AttemptClosed):
        services.answer_item(item=attempt.items.get(position=1), selected=[0], now=now)


def test_all_correct_passes_with_full_score(attempt, now):
    for item in attempt.items.all():
        services.answer_item(
            item=attempt.items.get(position=item.position), selected=correct_indexes(item), now=now
        )
    done = services.submit_attempt(attempt=attempt, now=now)
    assert (done.correct_count, done.scaled_score, done.passed) == (65, 1000, True)


def test_multiple_response_needs_exactly_the_correct_set(attempt, now):
    item = attempt.items.filter(kind="multiple").first()
    partial = correct_indexes(item)[:1]
    superset = correct_indexes(item) + wrong_indexes(item)
    services.answer_item(item=attempt.items.get(position=item.position), selected=partial, now=now)
    item.refresh_from_db()
    assert not item.grade()
    with pytest.raises(services.InvalidAnswer, match="Choose at most 2"):
        services.answer_item(
            item=attempt.items.get(position=item.position), selected=superset, now=now
        )
    item.refresh_from_db()
    assert item.selected == partial
    services.answer_item(
        item=attempt.items.get(position=item.position), selected=correct_indexes(item), now=now
    )
    item.refresh_from_db()
    assert item.grade()


def test_close_expired_attempts_scores_only_those_past_grace(mls, bank, now):
    fresh = services.start_attempt(user=UserFactory(), blueprint=mls, now=now)
    old = services.start_attempt(user=UserFactory(), blueprint=mls, now=now - timedelta(hours=4))
    item = old.items.get(position=1)
    services.answer_item(
        item=old.items.get(position=1),
        selected=correct_indexes(item),
        now=now - timedelta(hours=3, minutes=30),
    )
    assert services.close_expired_attempts(now=now) == 1
    old.refresh_from_db()
    fresh.refresh_from_db()
    assert old.state == Attempt.State.EXPIRED and old.correct_count == 1
    assert fresh.state == Attempt.State.IN_PROGRESS
    assert services.close_expired_attempts(now=now) == 0


def test_close_expired_attempts_command(mls, bank, now, capsys):
    from django.core.management import call_command

    services.start_attempt(user=UserFactory(), blueprint=mls, now=now - timedelta(hours=4))
    call_command("close_expired_attempts")
    assert "Closed 1 attempt" in capsys.readouterr().out
    assert Attempt.objects.get().state == Attempt.State.EXPIRED


def test_editing_a_question_never_changes_a_past_attempt(attempt, now):
    item = attempt.items.get(position=1)
    frozen = (item.stem, item.choices)
    question = item.question
    question.stem = "Rewritten stem"
    question.save()
    question.choices.update(text="Rewritten option")
    question.status = Question.Status.RETIRED
    question.save()
    item.refresh_from_db()
    assert (item.stem, item.choices) == frozen


def test_small_blueprint_from_data_drives_the_exam(learner, now):
    domain_a = DomainFactory(weight=70)
    domain_b = DomainFactory(blueprint=domain_a.blueprint, weight=30)
    for domain in (domain_a, domain_b):
        topic = TopicFactory(domain=domain)
        for _ in range(8):
            QuestionFactory(topic=topic)
    attempt = services.start_attempt(user=learner, blueprint=domain_a.blueprint, now=now)
    assert Counter(attempt.items.values_list("domain_code", flat=True)) == {
        domain_a.code: 7,
        domain_b.code: 3,
    }
    assert attempt.deadline == now + timedelta(minutes=30)
    assert AttemptItem.objects.count() == 10


def test_a_large_bank_draws_unseen_questions_spread_over_every_topic(learner, mls, now):
    fill_bank(mls, {"1": 60, "2": 70, "3": 100, "4": 60})
    first = services.start_attempt(user=learner, blueprint=mls, now=now)
    services.submit_attempt(attempt=first, now=now)
    second = services.start_attempt(user=learner, blueprint=mls, now=now + timedelta(hours=1))
    all_topics = {t.code for d in mls.domains.all() for t in d.topics.all()}
    for attempt in (first, second):
        assert Counter(attempt.items.values_list("domain_code", flat=True)) == MLS_QUOTAS
        assert set(attempt.items.values_list("topic__code", flat=True)) == all_topics
    seen_first = set(first.items.values_list("question_id", flat=True))
    assert not seen_first & set(second.items.values_list("question_id", flat=True))


# Time credited to each question, and where the learner resumes


def test_the_first_action_is_credited_the_time_since_the_start(attempt, now):
    item = services.answer_item(
        item=attempt.items.get(position=1), selected=[0], now=now + timedelta(seconds=90)
    )
    assert item.seconds_spent == 90
    assert attempt.items.get(position=1).seconds_spent == 90


def test_an_action_at_once_or_with_the_clock_behind_adds_no_time(attempt, now):
    services.answer_item(item=attempt.items.get(position=1), selected=[0], now=now)
    services.flag_item(
        item=attempt.items.get(position=2), flagged=True, now=now - timedelta(seconds=5)
    )
    assert attempt.items.get(position=1).seconds_spent == 0
    assert attempt.items.get(position=2).seconds_spent == 0


def test_each_action_adds_the_time_since_the_previous_one(attempt, now):
    services.answer_item(
        item=attempt.items.get(position=1), selected=[0], now=now + timedelta(seconds=100)
    )
    second = services.answer_item(
        item=attempt.items.get(position=2), selected=[1], now=now + timedelta(seconds=130)
    )
    again = services.flag_item(
        item=attempt.items.get(position=1), flagged=True, now=now + timedelta(seconds=175)
    )
    assert (second.seconds_spent, again.seconds_spent) == (30, 145)
    assert attempt.items.get(position=1).seconds_spent == 145
    assert attempt.items.get(position=2).seconds_spent == 30
    attempt.refresh_from_db()
    assert attempt.last_event_at == now + timedelta(seconds=175)


def test_the_learner_resumes_at_the_question_they_moved_on_to(attempt, now):
    services.answer_item(item=attempt.items.get(position=3), selected=[0], now=now, go_to=12)
    attempt.refresh_from_db()
    assert attempt.last_position == 12
    services.flag_item(item=attempt.items.get(position=7), flagged=True, now=now)
    attempt.refresh_from_db()
    assert attempt.last_position == 7


# Practice: what a start stores, instant feedback, one practice at a time


@pytest.fixture
def topic(mls, bank):
    return mls.domains.get(code="2").topics.order_by("code").first()


def test_a_practice_stores_its_topic_and_shows_the_key_at_once(learner, topic, now):
    practice = services.start_practice(user=learner, topic=topic, now=now)
    stored = Attempt.objects.get(pk=practice.pk)
    assert stored.mode == Attempt.Mode.PRACTICE and stored.topic == topic
    assert stored.label == f"Topic practice: {topic}"
    assert stored.instant_feedback and stored.deadline is None
    assert stored.started_at == stored.last_event_at == now
    assert set(stored.items.values_list("topic", flat=True)) == {topic.pk}


def test_practice_refuses_an_empty_answer_in_plain_words(learner, topic, now):
    practice = services.start_practice(user=learner, topic=topic, now=now)
    with pytest.raises(services.InvalidAnswer) as refused:
        services.answer_item(item=practice.items.get(position=1), selected=[], now=now)
    assert str(refused.value) == "Choose an answer first."
    item = practice.items.get(position=1)
    assert item.selected == [] and item.is_correct is None


def test_a_practice_answer_is_final_timed_and_a_second_one_is_refused(learner, topic, now):
    practice = services.start_practice(user=learner, topic=topic, now=now)
    item = practice.items.get(position=1)
    services.answer_item(item=item, selected=correct_indexes(item), now=now + timedelta(seconds=40))
    with pytest.raises(services.InvalidAnswer) as refused:
        services.answer_item(
            item=practice.items.get(position=1),
            selected=wrong_indexes(item),
            now=now + timedelta(seconds=60),
        )
    assert str(refused.value) == "This question was already answered."
    item.refresh_from_db()
    assert item.selected == correct_indexes(item) and item.is_correct is True
    assert item.seconds_spent == 40


def test_starting_a_practice_finishes_only_this_learners_unfinished_practice(
    learner, other_learner, mls, topic, now
):
    theirs = services.start_practice(user=other_learner, topic=topic, now=now)
    quiz = services.start_quiz(
        user=learner, blueprint=mls, topic_ids=[topic.pk], size=5, timed=False,
        instant_feedback=False, title="My quiz", now=now,
    )  # fmt: skip
    first = services.start_practice(user=learner, topic=topic, now=now)
    second = services.start_practice(user=learner, topic=topic, now=now + timedelta(minutes=1))
    assert second.pk != first.pk and second.is_in_progress
    first.refresh_from_db()
    assert first.state == Attempt.State.SUBMITTED
    assert Attempt.objects.get(pk=theirs.pk).is_in_progress
    assert Attempt.objects.get(pk=quiz.pk).is_in_progress


def test_a_practice_started_twice_at_once_lands_on_one_practice(
    learner, other_learner, mls, topic, now, monkeypatch
):
    """A double click: the second start creates the practice while the first is drawing."""
    services.start_practice(user=other_learner, topic=topic, now=now)
    services.start_quiz(
        user=learner, blueprint=mls, topic_ids=[topic.pk], size=5, timed=False,
        instant_feedback=False, title="My quiz", now=now,
    )  # fmt: skip
    real_draw = services.draw_practice
    other_click = []

    def draw_while_the_other_click_starts(**kwargs):
        monkeypatch.setattr(services, "draw_practice", real_draw)
        other_click.append(services.start_practice(user=learner, topic=topic, now=now))
        return real_draw(**kwargs)

    monkeypatch.setattr(services, "draw_practice", draw_while_the_other_click_starts)
    landed = services.start_practice(user=learner, topic=topic, now=now)
    assert landed.pk == other_click[0].pk
    assert Attempt.objects.filter(user=learner, mode=Attempt.Mode.PRACTICE).count() == 1
    assert Attempt.objects.in_progress().count() == 3


def test_practice_while_a_mock_is_open_is_refused_naming_the_mock(attempt, learner, topic, now):
    with pytest.raises(services.MockInProgress) as refused:
        services.start_practice(user=learner, topic=topic, now=now)
    assert refused.value.mock.pk == attempt.pk
    assert str(refused.value) == f"Mock exam {attempt.pk} is in progress."
    assert not Attempt.objects.filter(mode=Attempt.Mode.PRACTICE).exists()


def test_a_mock_started_twice_at_once_resumes_the_one_that_won(
    learner, other_learner, mls, topic, now, monkeypatch
):
    theirs = services.start_attempt(user=other_learner, blueprint=mls, now=now)
    services.start_practice(user=learner, topic=topic, now=now)
    real_draw = services.draw_mock
    other_request = []

    def draw_while_another_request_starts(**kwargs):
        monkeypatch.setattr(services, "draw_mock", real_draw)
        other_request.append(services.start_attempt(user=learner, blueprint=mls, now=now))
        return real_draw(**kwargs)

    monkeypatch.setattr(services, "draw_mock", draw_while_another_request_starts)
    mine = services.start_attempt(user=learner, blueprint=mls, now=now)
    assert mine.pk == other_request[0].pk != theirs.pk
    assert mine.user == learner and mine.mode == Attempt.Mode.MOCK
    assert Attempt.objects.filter(user=learner, mode=Attempt.Mode.MOCK).count() == 1


# Strike-through


def test_strike_out_rules_options_out_and_restores_them_never_an_answer(attempt, now):
    def strike(option, struck, seconds):
        return services.strike_option(
            item=attempt.items.get(position=2),
            option=option,
            struck=struck,
            now=now + timedelta(seconds=seconds),
        )

    assert strike(0, True, 40).struck == [0]
    strike(3, True, 50)
    assert strike(1, True, 60).struck == [0, 1, 3]
    assert attempt.items.get(position=2).struck == [0, 1, 3]
    assert strike(3, False, 70).struck == [0, 1]
    assert strike(2, False, 75).struck == [0, 1]
    item = attempt.items.get(position=2)
    assert item.struck == [0, 1] and item.selected == [] and item.answered_at is None
    assert item.seconds_spent == 75


def test_strike_out_of_a_choice_that_does_not_exist_is_refused(attempt, now):
    item = attempt.items.get(position=2)
    for option in (-1, len(item.choices)):
        with pytest.raises(services.InvalidAnswer) as refused:
            services.strike_option(item=item, option=option, struck=True, now=now)
        assert str(refused.value) == "No such choice."
    assert attempt.items.get(position=2).struck == []


def test_strike_out_and_flag_are_refused_once_the_mock_is_submitted(attempt, now):
    services.submit_attempt(attempt=attempt, now=now)
    with pytest.raises(services.AttemptClosed) as closed:
        services.strike_option(item=attempt.items.get(position=1), option=0, struck=True, now=now)
    assert closed.value.attempt.state == Attempt.State.SUBMITTED
    assert str(closed.value) == f"Attempt {attempt.pk} is submitted."
    with pytest.raises(services.AttemptClosed):
        services.flag_item(item=attempt.items.get(position=1), flagged=True, now=now)
    item = attempt.items.get(position=1)
    assert item.struck == [] and not item.flagged


# Setting a mock aside


def test_a_scored_mock_is_set_aside_and_counted_again(attempt, now):
    done = services.submit_attempt(attempt=attempt, now=now)
    assert services.set_excluded(attempt=done, excluded=True).excluded is True
    attempt.refresh_from_db()
    assert attempt.excluded is True
    assert services.set_excluded(attempt=attempt, excluded=False).excluded is False
    attempt.refresh_from_db()
    assert attempt.excluded is False


def test_a_mock_in_progress_or_discarded_cannot_be_set_aside(attempt, now):
    with pytest.raises(services.AttemptClosed) as refused:
        services.set_excluded(attempt=attempt, excluded=True)
    assert refused.value.attempt.pk == attempt.pk
    assert str(refused.value) == f"Attempt {attempt.pk} is in_progress."
    discarded = services.discard_attempt(attempt=attempt, now=now)
    with pytest.raises(services.AttemptClosed):
        services.set_excluded(attempt=discarded, excluded=True)
    attempt.refresh_from_db()
    assert attempt.excluded is False and attempt.state == Attempt.State.DISCARDED


# Locks


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL: make test-postgres"
)
def test_an_answer_does_not_wait_for_an_instructor_saving_the_blueprint(attempt, mls, now):
    """An answer locks its attempt's row only: an instructor's edit of the exam's blueprint,
    not yet committed, never holds a learner up."""
    instructor = connections.create_connection("default")
    try:
        instructor.set_autocommit(False)
        with instructor.cursor() as cursor:
            cursor.execute(
                "UPDATE questions_blueprint SET notice = %s WHERE id = %s",
                ["Retiring soon.", mls.pk],
            )
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL lock_timeout = '2s'")
        services.answer_item(item=attempt.items.get(position=1), selected=[0], now=now)
        services.submit_attempt(attempt=attempt, now=now)
    finally:
        instructor.rollback()
        instructor.close()
    assert attempt.items.get(position=1).selected == [0]
    assert Attempt.objects.get(pk=attempt.pk).state == Attempt.State.SUBMITTED


# Time running out


def test_close_expired_attempts_counts_every_attempt_that_ran_out(mls, bank, now):
    old = [
        services.start_attempt(user=UserFactory(), blueprint=mls, now=now - timedelta(hours=4))
        for _ in range(2)
    ]
    at_the_edge = services.start_attempt(
        user=UserFactory(), blueprint=mls, now=now - mls.duration - grace()
    )
    assert services.close_expired_attempts(now=now) == 2
    assert {Attempt.objects.get(pk=a.pk).state for a in old} == {Attempt.State.EXPIRED}
    assert Attempt.objects.get(pk=at_the_edge.pk).is_in_progress


def test_the_countdowns_submit_is_time_up_only_within_five_seconds_of_the_deadline(mls, bank, now):
    edge = services.start_attempt(user=UserFactory(), blueprint=mls, now=now)
    early = services.start_attempt(user=UserFactory(), blueprint=mls, now=now)
    five_early = edge.deadline - timedelta(seconds=5)
    done = services.submit_attempt(attempt=edge, now=five_early, timed_out=True)
    assert done.state == Attempt.State.EXPIRED and done.finished_at == edge.deadline
    six_early = early.deadline - timedelta(seconds=6)
    done = services.submit_attempt(attempt=early, now=six_early, timed_out=True)
    assert done.state == Attempt.State.SUBMITTED and done.finished_at == six_early


def test_a_review_with_nothing_due_says_so_and_starts_nothing(learner, mls, bank, now):
    with pytest.raises(services.BankTooSmall) as refused:
        services.start_review(user=learner, blueprint=mls, now=now)
    assert str(refused.value) == "Nothing is due for review yet."
    assert not Attempt.objects.exists()


# Reports and cohorts


def test_a_report_stores_the_learner_the_question_the_version_they_saw_and_why(learner, topic, now):
    Question.objects.filter(topic=topic).update(version=2)
    practice = services.start_practice(user=learner, topic=topic, now=now)
    item = practice.items.get(position=1)
    Question.objects.filter(topic=topic).update(version=3)  # edited since
    report = services.report_problem(item=item, reason="wrong_key", text="Option 2 fits.")
    stored = Report.objects.get(pk=report.pk)
    assert (stored.user, stored.question_id, stored.question_version) == (
        learner, item.question_id, 2
    )  # fmt: skip
    assert (stored.reason, stored.text, stored.status) == ("wrong_key", "Option 2 fits.", "new")


def test_one_open_report_per_learner_and_question(attempt, other_learner, now):
    item = attempt.items.get(position=1)
    first = services.report_problem(item=item, reason="typo", text="")
    with pytest.raises(services.AlreadyReported) as refused:
        services.report_problem(item=attempt.items.get(position=1), reason="unclear", text="")
    assert str(refused.value) == "You have already reported this question."
    services.report_problem(item=attempt.items.get(position=2), reason="unclear", text="")
    theirs = services.start_practice(user=other_learner, topic=item.topic, now=now)
    services.report_problem(
        item=theirs.items.get(question=item.question_id), reason="typo", text=""
    )
    Report.objects.filter(pk=first.pk).update(status=Report.Status.FIXED)
    services.report_problem(item=attempt.items.get(position=1), reason="outdated", text="")
    assert Report.objects.filter(question=item.question_id).count() == 3
    assert Report.objects.open().filter(question=item.question_id).count() == 2


def test_a_question_no_longer_in_the_bank_cannot_be_reported(attempt):
    item = attempt.items.get(position=1)
    item.question.delete()
    with pytest.raises(services.AlreadyReported) as refused:
        services.report_problem(item=attempt.items.get(position=1), reason="typo", text="")
    assert str(refused.value) == "This question is no longer in the bank."
    assert not Report.objects.exists()


def test_a_learner_joins_a_cohort_by_its_code_once(learner, now):
    cohort = Cohort.objects.create(name="Spring class", end_date=now.date())
    typed = f"  {cohort.join_code.lower()} "
    assert services.join_cohort(user=learner, code=typed, now=now) == cohort
    later = now + timedelta(hours=1)
    assert services.join_cohort(user=learner, code=cohort.join_code, now=later) == cohort
    membership = Membership.objects.get()
    assert (membership.cohort, membership.user, membership.joined_at) == (cohort, learner, now)


def test_a_wrong_code_or_a_closed_cohort_joins_nothing(learner, now):
    closed = Cohort.objects.create(name="Last year", end_date=now.date() - timedelta(days=1))
    for code in ("NOPE2345", closed.join_code):
        with pytest.raises(services.CohortClosed) as refused:
            services.join_cohort(user=learner, code=code, now=now)
        assert str(refused.value) == "No open cohort has that code. Check it with your instructor."
    assert not Membership.objects.exists()


def letters_from_items(attempt: Attempt) -> str:
    """What item_states must say, worked out from the items themselves."""
    letters = []
    for selected, required, flagged in attempt.items.values_list("selected", "required", "flagged"):
        letter = "u" if not selected else "a" if len(selected) >= required else "i"
        letters.append(letter.upper() if flagged else letter)
    return "".join(letters)


def test_item_states_follow_every_answer_flag_and_strike(learner, now):
    blueprint, rng, seen = one_topic_blueprint(6), random.Random(7), set()
    attempt = services.start_attempt(user=learner, blueprint=blueprint, now=now, rng=rng)
    assert attempt.item_states == "uuuuuu"
    for step in range(200):
        item = attempt.items.get(position=rng.randint(1, 6))
        action = rng.choice(["answer", "flag", "strike"])
        if action == "answer":
            picks = rng.sample(range(len(item.choices)), rng.randint(0, item.required))
            services.answer_item(item=item, selected=picks, now=now)
        elif action == "flag":
            services.flag_item(item=item, flagged=rng.random() < 0.5, now=now)
        else:
            services.strike_option(item=item, option=0, struck=rng.random() < 0.5, now=now)
        attempt.refresh_from_db()
        assert attempt.item_states == letters_from_items(attempt), (step, action)
        seen |= set(attempt.item_states)
    assert seen == set("uaiUAI")  # the walk went through every state, flagged and not


def test_the_migration_fills_item_states_from_the_items(learner, now):
    from importlib import import_module

    from django.apps import apps

    backfill = import_module("quiz.migrations.0011_item_states").backfill
    attempt = services.start_attempt(user=learner, blueprint=one_topic_blueprint(6), now=now)
    multiple = attempt.items.filter(required__gt=1).first()
    single = list(attempt.items.filter(required=1))
    services.answer_item(item=single[0], selected=[0], now=now)
    services.flag_item(item=single[1], flagged=True, now=now)
    services.answer_item(item=multiple, selected=[0], now=now)
    expected = letters_from_items(attempt)
    Attempt.objects.update(item_states="")
    backfill(apps, None)
    attempt.refresh_from_db()
    assert attempt.item_states == expected
    assert "a" in expected and "U" in expected and "i" in expected
