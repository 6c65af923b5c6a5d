from datetime import UTC, datetime

import pytest
from django.core.cache import caches
from django.core.cache.backends.db import DatabaseCache

from questions.models import Blueprint
from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def fresh_caches():
    """Throttle counts, sessions and cached values of one test never reach the next: Redis
    and the in-memory cache outlive a test's transaction (a database cache rolls back)."""
    for cache in caches.all():
        if not isinstance(cache, DatabaseCache):
            cache.clear()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def now():
    return datetime(2026, 5, 4, 9, 0, tzinfo=UTC)


@pytest.fixture
def mls(db):
    """The MLS-C01 blueprint that the migrations create."""
    return Blueprint.objects.get(code="mls-c01")


@pytest.fixture
def learner(db):
    return UserFactory(username="ada")


@pytest.fixture
def other_learner(db):
    return UserFactory(username="grace")


@pytest.fixture
def client_in(client, learner):
    """The test client, logged in as ``learner``."""
    client.force_login(learner)
    return client
