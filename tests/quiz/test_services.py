import random
from collections import Counter
from datetime import timedelta

import pytest
from django.conf import settings

from questions.models import Question
from quiz import drawing, services
from quiz.models import Attempt, AttemptItem
from tests.factories import DomainFactory, QuestionFactory, TopicFactory, UserFactory, fill_bank

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
