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
