"""Reads compiled once: the objects the queryset they are written as would build, on either
database, compiled the first time and run with each new value after."""

import pytest
from django.db import transaction
from django.http import Http404

from quiz import services
from quiz.access import get_own_item
from quiz.models import Attempt, AttemptItem
from quiz.prepared import PreparedRead
from tests.factories import UserFactory, one_topic_blueprint

pytestmark = pytest.mark.django_db


def fields(obj) -> dict:
    return {field.attname: getattr(obj, field.attname) for field in obj._meta.concrete_fields}


def as_the_orm_reads_it(item: AttemptItem) -> AttemptItem:
    return AttemptItem.objects.select_related("attempt__topic").get(pk=item.pk)


@pytest.mark.parametrize("practice", [False, True])
def test_the_own_item_read_matches_the_queryset_field_by_field(
    learner, now, practice, django_assert_num_queries
):
    blueprint = one_topic_blueprint(10)
    if practice:
        topic = blueprint.domains.get().topics.get()
        attempt = services.start_practice(user=learner, topic=topic, now=now, size=5)
    else:
        attempt = services.start_attempt(user=learner, blueprint=blueprint, now=now)
    item = get_own_item(learner, attempt.pk, 2, instant_feedback=practice)
    services.answer_item(item=item, selected=[1], now=now)
    services.flag_item(item=item, flagged=True, now=now)
    services.strike_option(item=item, option=0, struck=True, now=now)

    with django_assert_num_queries(1):
        read = get_own_item(learner, attempt.pk, 2, instant_feedback=practice)
        topic = read.attempt.topic
    expected = as_the_orm_reads_it(item)
    assert fields(read) == fields(expected)
    assert read.selected == [1] and read.struck == [0] and read.flagged is True
    assert read.answered_at == now  # a datetime with its time zone, on SQLite too
    assert fields(read.attempt) == fields(expected.attempt)
    assert read.attempt.item_states[1] == read.state_letter and read.state_letter.isupper()
    if practice:
        assert fields(topic) == fields(expected.attempt.topic)
    else:
        assert topic is None and read.attempt.deadline is not None
    assert read.attempt.label == expected.attempt.label
    assert read._state.db == "default" and not read._state.adding


def test_anyone_elses_item_a_missing_one_or_the_wrong_kind_is_a_404(learner, other_learner, now):
    attempt = services.start_attempt(user=learner, blueprint=one_topic_blueprint(10), now=now)
    assert get_own_item(learner, attempt.pk, 10, instant_feedback=False).position == 10
    for user, position, instant_feedback in [
        (other_learner, 1, False),  # someone else's
        (learner, 11, False),  # past the last question
        (learner, 1, True),  # a mock is no practice: its key stays hidden
        (learner, 2**15, False),  # past a small integer column (PostgreSQL's would refuse it)
        (learner, 2**63, False),  # past any integer column
    ]:
        with pytest.raises(Http404):
            get_own_item(user, attempt.pk, position, instant_feedback=instant_feedback)
    with pytest.raises(Http404):
        get_own_item(learner, 2**63, 1, instant_feedback=False)


def test_a_read_is_compiled_once_and_then_run_with_each_new_value(now):
    built = []
    read = PreparedRead(lambda pk: built.append(pk) or Attempt.objects.filter(pk=pk), "pk")
    blueprint = one_topic_blueprint(10)
    first, second = (
        services.start_attempt(user=UserFactory(), blueprint=blueprint, now=now) for _ in range(2)
    )
    assert read.first(pk=first.pk) == first
    assert read.first(pk=second.pk) == second
    assert read.first(pk=second.pk + 1) is None
    assert len(built) == 1


@pytest.mark.parametrize(
    "build",
    [
        lambda pk: Attempt.objects.all(),  # not in the query at all
        lambda pk: Attempt.objects.filter(pk=pk, last_position=pk),  # in it twice
    ],
)
def test_a_placeholder_must_be_exactly_one_parameter(build):
    with pytest.raises(ValueError, match=r"Each of \['pk'\] must be one parameter"):
        PreparedRead(build, "pk").first(pk=1)


@pytest.mark.django_db(transaction=True)
def test_the_attempt_lock_is_refused_outside_a_transaction_once_compiled_too(learner, now):
    attempt = services.start_attempt(user=learner, blueprint=one_topic_blueprint(10), now=now)
    with transaction.atomic():
        assert services._lock(attempt).blueprint == attempt.blueprint
    with pytest.raises(transaction.TransactionManagementError):
        services._lock(attempt)
