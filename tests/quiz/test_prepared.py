"""Reads compiled once: the objects the queryset they are written as would build, on either
database, compiled the first time and run with each new value after."""

import re

import pytest
from django.db import transaction
from django.db.models import Q
from django.http import Http404

from quiz import access, services
from quiz.access import get_own_item
from quiz.models import Attempt, AttemptItem
from quiz.prepared import PreparedRead
from tests.factories import UserFactory, one_topic_blueprint

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def compiled_afresh():
    """Each test compiles the app's reads itself, as the first request of a process does."""
    for read in (*access._OWN_ITEM.values(), services._LOCKED_ATTEMPT):
        read.compiled = None


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

    with django_assert_num_queries(1):  # every field loaded: none is read again
        read = get_own_item(learner, attempt.pk, 2, instant_feedback=practice)
        topic = read.attempt.topic
        for obj in (read, read.attempt, *([topic] if practice else [])):
            assert obj.get_deferred_fields() == set()
            assert obj._state.db == "default" and not obj._state.adding
            fields(obj)
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


def test_anyone_elses_item_a_missing_one_or_the_wrong_kind_is_a_404(learner, other_learner, now):
    attempt = services.start_attempt(user=learner, blueprint=one_topic_blueprint(10), now=now)
    assert get_own_item(learner, attempt.pk, 10, instant_feedback=False).position == 10
    for user, position, instant_feedback in [
        (other_learner, 1, False),  # someone else's
        (learner, 11, False),  # past the last question
        (learner, 1, True),  # a mock is no practice: its key stays hidden
        (learner, 2**15, False),  # past a small integer column (PostgreSQL's would refuse it)
        (learner, 2**63, False),  # past any integer column
        (learner, -(2**63) - 1, False),  # below any
    ]:
        with pytest.raises(Http404):
            get_own_item(user, attempt.pk, position, instant_feedback=instant_feedback)
    for pk in (2**63, -(2**63) - 1):
        with pytest.raises(Http404):
            get_own_item(learner, pk, 1, instant_feedback=False)


def attempt_with_pk(pk, now) -> Attempt:
    return Attempt.objects.create(
        pk=pk, user=UserFactory(), blueprint=one_topic_blueprint(10), mode="practice",
        started_at=now, question_count=10,
    )  # fmt: skip


@pytest.mark.parametrize("pk", [2**63 - 1, -(2**63)])
def test_a_number_at_the_edge_of_its_columns_range_is_still_looked_up(now, pk):
    attempt = attempt_with_pk(pk, now)
    read = PreparedRead(lambda pk: Attempt.objects.filter(pk=pk), "pk")
    assert read.first(pk=pk) == attempt


def test_the_querysets_own_numbers_stay_and_deferred_fields_stay_deferred(now):
    attempt = attempt_with_pk(7, now)
    read = PreparedRead(
        lambda pk: Attempt.objects.only("state").filter(pk=pk, question_count__gte=10), "pk"
    )
    found = read.first(pk=7)
    assert found == attempt and found.state == attempt.state
    assert "title" in found.get_deferred_fields() and "state" not in found.get_deferred_fields()
    assert found.title == attempt.title  # loaded when asked for, as Django does


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
        lambda pk: Attempt.objects.filter(Q(pk=pk) | Q(title="x")),  # one of two ways
        lambda pk: Attempt.objects.filter(pk__gt=pk),  # not an equality
        lambda pk: Attempt.objects.exclude(pk=pk),  # negated
        lambda pk: Attempt.objects.filter(title="x") | Attempt.objects.filter(pk=pk),  # or
    ],
)
def test_a_placeholder_must_be_compared_with_equals_once_at_the_top(build):
    with pytest.raises(ValueError, match=r"Each of \['pk'\] must be compared with = once"):
        PreparedRead(build, "pk").first(pk=1)


@pytest.mark.django_db(transaction=True)
def test_the_attempt_lock_is_refused_outside_a_transaction_once_compiled_too(learner, now):
    attempt = services.start_attempt(user=learner, blueprint=one_topic_blueprint(10), now=now)
    with transaction.atomic():
        assert services._lock(attempt).blueprint == attempt.blueprint
    refused = "select_for_update cannot be used outside of a transaction."
    with pytest.raises(transaction.TransactionManagementError, match=f"^{re.escape(refused)}$"):
        services._lock(attempt)
