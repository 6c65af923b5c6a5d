import pytest

from tests.factories import fill_bank


@pytest.fixture
def bank(mls):
    """Published questions for every topic of MLS-C01, a few more than one mock needs."""
    return fill_bank(mls, {"1": 14, "2": 17, "3": 24, "4": 14})
