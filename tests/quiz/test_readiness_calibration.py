"""The readiness range means what it says: on simulated learners it holds the next mock's score
about 9 times in 10, and its score is closer to that mock than the last mock's score is."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from quiz.selectors import dashboard
from tests.factories import fill_bank

from .readiness_simulation import SCENARIOS, figures, population


@pytest.fixture(scope="module")
def simulated():
    """120 learners (40 flat, 40 improving, 40 forgetting), 12 weekly mocks: 1,320 predictions."""
    return figures(population(120, weeks=12, seed=11))


def test_the_90_percent_range_holds_the_next_mock_9_times_in_10(simulated):
    assert 0.85 <= simulated["all"]["coverage"] <= 0.95
    for scenario in SCENARIOS:
        assert 0.80 <= simulated[scenario]["coverage"] <= 0.97, scenario


def test_readiness_predicts_the_next_mock_better_than_the_last_mock_does(simulated):
    assert simulated["all"]["mae"] < simulated["all"]["last_mock_mae"]
    for scenario in SCENARIOS:
        assert simulated[scenario]["mae"] < simulated[scenario]["last_mock_mae"], scenario


@pytest.mark.parametrize("seed", [7, 1, 4])  # 7: the demo of `manage.py seed_demo`
def test_the_demo_learners_range_holds_their_latest_mock(mls, seed):
    fill_bank(mls, 40)
    call_command("seed_demo", seed=seed, verbosity=0)
    demo = get_user_model().objects.get(username="demo")
    page = dashboard(demo, mls, now=timezone.now())
    latest = max(page["counted_mocks"], key=lambda mock: mock.started_at)
    ready = page["readiness"]
    assert ready.low <= latest.scaled_score <= ready.high
