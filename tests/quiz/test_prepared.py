"""Statements compiled once: reads build the objects the queryset they are written as would
build, updates write what ``QuerySet.update()`` would write, on either database; each is
compiled the first time and run with each new value after, and on PostgreSQL prepared on the
server."""

import re
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.db.models import F, Q
from django.http import Http404

from quiz import access, services
from quiz.access import get_own_item
from quiz.models import Attempt, AttemptItem
from quiz.prepared import PreparedRead, PreparedUpdate
from tests.factories import UserFactory, one_topic_blueprint

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def compiled_afresh():
    """Each test compiles the app's reads itself, as the first request of a process does."""
    for read in (*access._OWN_ITEM.values(), services._LOCKED_ATTEMPT):
        read.compiled = None
    for update in (services._ANSWER, services._FLAG, services._STRIKE, services._LAST_ACTION):
        update.sql = None


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


def twin_items(now) -> tuple[AttemptItem, AttemptItem]:
    """Two items of one attempt, one for each way of writing."""
    attempt = services.start_attempt(user=UserFactory(), blueprint=one_topic_blueprint(10), now=now)
    return attempt.items.get(position=1), attempt.items.get(position=2)


def saved(item: AttemptItem) -> dict:
    return fields(AttemptItem.objects.get(pk=item.pk))


@pytest.mark.parametrize(
    "values",
    [
        {"selected": [2, 0], "answered_at": "now", "flagged": True, "struck": [1], "required": 2},
        {"selected": [], "answered_at": None, "flagged": False, "struck": [], "required": 1},
        {"selected": [1], "answered_at": "later", "flagged": True, "struck": [0, 3], "required": 3},
    ],
)
def test_an_update_writes_what_the_querysets_update_writes(now, values):
    when = {"now": now, "later": now + timedelta(hours=3)}
    values = {**values, "answered_at": when.get(values["answered_at"])}
    by_orm, prepared = twin_items(now)
    AttemptItem.objects.filter(pk__in=[by_orm.pk, prepared.pk]).update(seconds_spent=40)
    before = saved(prepared)
    AttemptItem.objects.filter(pk=by_orm.pk).update(**values, seconds_spent=F("seconds_spent") + 7)
    update = PreparedUpdate(AttemptItem, set=tuple(values), add=("seconds_spent",))
    assert update.run(prepared.pk, **values, seconds_spent=7) == 1
    after, expected = saved(prepared), saved(by_orm)
    written = [*values, "seconds_spent"]
    assert {name: after[name] for name in written} == {name: expected[name] for name in written}
    assert {**before, **{name: after[name] for name in written}} == after  # nothing else
    assert after["seconds_spent"] == 47 and after["answered_at"] == values["answered_at"]


def test_an_update_changes_only_its_own_row_and_says_how_many_it_changed(now):
    first, second = twin_items(now)
    update = PreparedUpdate(AttemptItem, set=("flagged",))
    assert update.run(first.pk, flagged=True) == 1
    assert update.run(second.pk + 1000, flagged=True) == 0
    assert [item.flagged for item in first.attempt.items.order_by("position")[:2]] == [True, False]


def test_an_update_is_compiled_once_and_then_run_with_each_new_value(now, monkeypatch):
    first, second = twin_items(now)
    update = PreparedUpdate(AttemptItem, set=("struck",), add=("seconds_spent",))
    assert update.sql is None
    update.run(first.pk, struck=[1], seconds_spent=3)
    monkeypatch.setattr(update, "_compile", None)  # not called again
    update.run(second.pk, struck=[2], seconds_spent=5)
    update.run(first.pk, struck=[0, 1], seconds_spent=4)
    assert [(i.struck, i.seconds_spent) for i in first.attempt.items.order_by("position")[:2]] == [
        ([0, 1], 7),
        ([2], 5),
    ]
    assert update.sql == (
        'UPDATE "quiz_attemptitem" SET "struck" = %s, "seconds_spent" = "seconds_spent" + %s '
        'WHERE "id" = %s'
    )


@pytest.mark.parametrize(
    "set_, add",
    [((), ()), (("flagged", "flagged"), ()), (("seconds_spent",), ("seconds_spent",))],
)
def test_an_update_sets_or_increases_each_field_once_and_at_least_one(now, set_, add):
    item, _ = twin_items(now)
    with pytest.raises(
        ValueError, match="^Each field is set or increased once, and at least one is.$"
    ):
        PreparedUpdate(AttemptItem, set=set_, add=add)  # refused where it is defined
    assert saved(item)["flagged"] is False


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL: make test-postgres"
)
def test_on_postgresql_the_exam_statements_are_prepared_on_the_server(learner, now):
    attempt = services.start_attempt(user=learner, blueprint=one_topic_blueprint(10), now=now)
    item = get_own_item(learner, attempt.pk, 3, instant_feedback=False)
    services.answer_item(item=item, selected=[1], now=now)
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = {row[0] for row in cursor.fetchall()}
    # psycopg numbers the parameters $1, $2… when it prepares a statement.
    expected = {
        access._OWN_ITEM[False].compiled.sql,
        services._LOCKED_ATTEMPT.compiled.sql,
        services._ANSWER.sql,
        services._LAST_ACTION.sql,
    }
    assert {numbered(sql) for sql in expected} <= prepared


def numbered(sql: str) -> str:
    """The statement as psycopg prepares it: its parameters numbered $1, $2…"""
    parts = sql.split("%s")
    return "".join(f"{part}${n}" for n, part in enumerate(parts[:-1], start=1)) + parts[-1]
