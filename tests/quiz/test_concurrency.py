"""Races that only a real multi-connection database shows (run by make test-postgres)."""

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections

from quiz import services
from quiz.models import Attempt
from tests.factories import UserFactory, one_topic_blueprint

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs PostgreSQL: make test-postgres"
    ),
]


def race(*calls):
    """Run the calls in threads released at the same moment; return their results."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)
    errors = []

    def run(index, call):
        try:
            barrier.wait()
            results[index] = call()
        except Exception as error:  # surfaced below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    return results


def test_two_concurrent_submits_score_once(now):
    blueprint = one_topic_blueprint(10)
    for _ in range(5):
        attempt = services.start_attempt(user=UserFactory(), blueprint=blueprint, now=now)
        services.answer_item(item=attempt.items.get(position=1), selected=[0], now=now)
        first, second = race(
            lambda a=attempt: services.submit_attempt(attempt=a, now=now + timedelta(minutes=1)),
            lambda a=attempt: services.submit_attempt(attempt=a, now=now + timedelta(minutes=2)),
        )
        stored = Attempt.objects.get(pk=attempt.pk)
        # Had both scored, the stored time would differ from what one of them returned.
        assert first.finished_at == second.finished_at == stored.finished_at
        assert (first.correct_count, second.correct_count) == (stored.correct_count,) * 2
        assert stored.state == Attempt.State.SUBMITTED


def test_two_concurrent_starts_create_one_attempt(now):
    blueprint = one_topic_blueprint(10)
    for n in range(5):
        user = UserFactory(username=f"racer{n}")
        first, second = race(
            lambda user=user: services.start_attempt(user=user, blueprint=blueprint, now=now),
            lambda user=user: services.start_attempt(user=user, blueprint=blueprint, now=now),
        )
        assert first.pk == second.pk
        assert Attempt.objects.filter(user=user).count() == 1
        assert first.items.count() == 10


def test_an_answer_racing_the_submit_is_counted_or_refused(now):
    """The countdown's auto-submit and a last autosave arrive together: no error, no deadlock;
    the answer is either saved before the submit scored it, or refused as too late."""
    blueprint = one_topic_blueprint(10)
    later = now + timedelta(minutes=5)
    outcomes = set()
    for _ in range(10):
        attempt = services.start_attempt(user=UserFactory(), blueprint=blueprint, now=now)
        item = attempt.items.get(position=1)

        def answer(item=item):
            try:
                return services.answer_item(item=item, selected=[0], now=later)
            except services.AttemptClosed:
                return "refused"

        answered, submitted = race(
            answer, lambda a=attempt: services.submit_attempt(attempt=a, now=later)
        )
        stored = Attempt.objects.get(pk=attempt.pk)
        item.refresh_from_db()
        assert stored.state == Attempt.State.SUBMITTED
        if answered == "refused":
            assert item.selected == [] and item.is_correct is False
        else:
            assert item.selected == [0] and item.is_correct == item.grade()
        assert stored.correct_count == submitted.correct_count
        outcomes.add(answered == "refused")
    assert outcomes  # at least one round ran; both outcomes are legitimate


def test_two_concurrent_practice_starts_land_on_one_practice(now):
    """A double click on "Practise" once gave an IntegrityError (a 500)."""
    blueprint = one_topic_blueprint(10)
    topic = blueprint.domains.get().topics.get()
    for n in range(5):
        user = UserFactory(username=f"clicker{n}")
        first, second = race(
            lambda user=user: services.start_practice(user=user, topic=topic, now=now),
            lambda user=user: services.start_practice(user=user, topic=topic, now=now),
        )
        assert first.pk == second.pk
        assert Attempt.objects.filter(user=user, state="in_progress").count() == 1
