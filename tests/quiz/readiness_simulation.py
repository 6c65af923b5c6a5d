"""Simulated learners with known per-topic ability, to check the readiness range against the
score of each learner's next mock.

No database: learners answer questions drawn as the app draws them (a full mock by the
blueprint's domain quotas, spread evenly over each domain's topics; topic practices of eight
questions, mostly on the weakest topic), the answers are kept as the app keeps them (per topic
and day), and quiz.readiness.predict is asked after every mock about the next one.

Three scenarios, one learner in three each:

* flat: abilities do not change;
* improving: abilities rise toward a plateau (pace of 3 to 13 weeks), and each practice
  lifts the practised topic a little more;
* forgetting: abilities decline toward a floor (the learner has stopped studying).

On top of this, each sitting has a "form on the day" (a shared shift of FORM_SD logits), which
a real learner has and a binomial model does not.
"""

import math
import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from statistics import mean

from quiz.readiness import DomainEvidence, Evidence, Exam, Prediction, predict, quotas

WEIGHTS = (20, 24, 36, 20)
TOPICS = (3, 3, 5, 4)
EXAM = Exam(question_count=65, score_min=100, score_max=1000)
SCENARIOS = ("flat", "improving", "forgetting")
START = date(2026, 1, 5)
PRACTICE_SIZE = 8
PRACTICE_GAIN = 0.08
FORM_SD = 0.1


def logistic(x: float) -> float:
    return 1 / (1 + math.exp(-x))


@dataclass
class Learner:
    scenario: str
    ability: list[list[float]]  # logit of the chance of a right answer, per topic, on day 0
    change: float  # logits gained (or lost) on the way to the plateau
    pace_days: float
    practices_a_week: int
    boost: dict = field(default_factory=dict)  # extra logits per topic from practice

    def chance(self, domain: int, topic: int, day: int, form: float) -> float:
        drift = self.change * (1 - math.exp(-day / self.pace_days))
        return logistic(
            self.ability[domain][topic] + drift + self.boost.get((domain, topic), 0.0) + form
        )


def make_learner(rng: random.Random, scenario: str) -> Learner:
    base = rng.gauss(0.4, 0.6)
    ability = []
    for n_topics in TOPICS:
        domain = base + rng.gauss(0, 0.35)
        ability.append([domain + rng.gauss(0, 0.35) for _ in range(n_topics)])
    change = {
        "flat": 0.0,
        "improving": rng.uniform(0.6, 2.0),
        "forgetting": -rng.uniform(0.3, 0.9),
    }[scenario]
    return Learner(
        scenario=scenario,
        ability=ability,
        change=change,
        pace_days=rng.uniform(20, 90),
        practices_a_week=rng.choice([0, 1, 1, 2, 3]),
    )


class Record:
    """The answers as the app stores them: per (domain, topic), per day, answered and right."""

    def __init__(self):
        self.cells: dict[tuple[int, int], dict[int, list[int]]] = defaultdict(
            lambda: defaultdict(lambda: [0, 0])
        )

    def add(self, domain: int, topic: int, day: int, right: bool) -> None:
        cell = self.cells[(domain, topic)][day]
        cell[0] += 1
        cell[1] += right

    def evidence(self, up_to_day: int) -> list[DomainEvidence]:
        return [
            DomainEvidence(
                weight=weight,
                topics=tuple(
                    tuple(
                        Evidence(START + timedelta(days=day), answered, correct)
                        for day, (answered, correct) in sorted(self.cells[(d, t)].items())
                        if day <= up_to_day
                    )
                    for t in range(n_topics)
                ),
            )
            for d, (weight, n_topics) in enumerate(zip(WEIGHTS, TOPICS, strict=True))
        ]

    def weakest_topic(self) -> tuple[int, int]:
        """The seen topic with the lowest Beta(1, 1) mean, as the dashboard suggests."""

        def mean_rate(key):
            answered = sum(a for a, _ in self.cells[key].values())
            correct = sum(c for _, c in self.cells[key].values())
            return (1 + correct) / (2 + answered)

        seen = [key for key in self.cells if self.cells[key]]
        return min(seen, key=mean_rate)


def sit_mock(learner: Learner, record: Record, day: int, rng: random.Random) -> int:
    """A full mock on ``day``: quotas per domain, round-robin over the domain's topics."""
    form = rng.gauss(0, FORM_SD)
    right = 0
    for d, quota in enumerate(quotas(list(WEIGHTS), EXAM.question_count)):
        order = list(range(TOPICS[d]))
        rng.shuffle(order)
        for i in range(quota):
            topic = order[i % len(order)]
            correct = rng.random() < learner.chance(d, topic, day, form)
            record.add(d, topic, day, correct)
            right += correct
    return EXAM.scaled(right / EXAM.question_count)


def expected_score(learner: Learner, day: int) -> float:
    """The mean scaled score of a mock on ``day`` (topics of a domain in equal shares)."""
    share = 0.0
    for d, quota in enumerate(quotas(list(WEIGHTS), EXAM.question_count)):
        chances = [learner.chance(d, t, day, 0.0) for t in range(TOPICS[d])]
        share += quota * mean(chances) / EXAM.question_count
    return EXAM.score_min + (EXAM.score_max - EXAM.score_min) * share


def practise(learner: Learner, record: Record, day: int, rng: random.Random) -> None:
    """A topic practice: mostly the weakest topic so far, sometimes another one."""
    if rng.random() < 0.7:
        d, topic = record.weakest_topic()
    else:
        d = rng.randrange(len(TOPICS))
        topic = rng.randrange(TOPICS[d])
    form = rng.gauss(0, FORM_SD)
    for _ in range(PRACTICE_SIZE):
        record.add(d, topic, day, rng.random() < learner.chance(d, topic, day, form))
    if learner.scenario == "improving":
        learner.boost[(d, topic)] = learner.boost.get((d, topic), 0.0) + PRACTICE_GAIN


@dataclass(frozen=True)
class Outcome:
    """One prediction, made on the day of a mock, against the score of the next mock."""

    scenario: str
    week: int
    prediction: Prediction
    previous_method: tuple[int, int, int]
    last_mock: int
    next_mock: int
    expected: float  # the next mock's expected scaled score, from the true abilities

    @property
    def covered(self) -> bool:
        return self.prediction.low <= self.next_mock <= self.prediction.high


def run_learner(learner: Learner, weeks: int, rng: random.Random) -> list[Outcome]:
    """A mock a week (a day early or late at times) with practices between; a prediction
    after each mock but the last."""
    record = Record()
    mock_days = [0] + [7 * k + rng.choice((-1, 0, 0, 0, 1)) for k in range(1, weeks)]
    scores: list[int] = []
    expected: list[float] = []
    outcomes = []
    for k, day in enumerate(mock_days):
        if k:
            between = range(mock_days[k - 1] + 1, day)
            for practice_day in sorted(rng.choices(between, k=learner.practices_a_week)):
                practise(learner, record, practice_day, rng)
        expected.append(expected_score(learner, day))
        scores.append(sit_mock(learner, record, day, rng))
    for k, day in enumerate(mock_days[:-1]):
        evidence = record.evidence(up_to_day=day)
        today = START + timedelta(days=day)
        prediction = predict(evidence, EXAM, today=today)
        outcomes.append(
            Outcome(
                scenario=learner.scenario,
                week=k,
                prediction=prediction,
                previous_method=previous_method(evidence, today=today),
                last_mock=scores[k],
                next_mock=scores[k + 1],
                expected=expected[k + 1],
            )
        )
    return outcomes


def population(size: int, *, weeks: int = 12, seed: int = 2026) -> list[Outcome]:
    """``size`` learners (flat, improving, forgetting in turn), ``weeks`` mocks each."""
    rng = random.Random(seed)
    outcomes = []
    for n in range(size):
        learner = make_learner(rng, SCENARIOS[n % len(SCENARIOS)])
        outcomes += run_learner(learner, weeks, rng)
    return outcomes


def previous_method(domains: list[DomainEvidence], *, today: date) -> tuple[int, int, int]:
    """The readiness of before (score, low, high): the mastery estimate of each domain (half-life
    30 days, Beta(1, 1) prior) weighted by the blueprint, with only the estimate's variance."""
    total_weight = sum(d.weight for d in domains)
    share = variance = 0.0
    for domain in domains:
        s = domain.weight / total_weight
        right = wrong = 0.0
        for evidence in domain.topics:
            for e in evidence:
                w = 0.5 ** ((today - e.day).days / 30)
                right += w * e.correct
                wrong += w * (e.answered - e.correct)
        a, b = 1 + right, 1 + wrong
        share += s * a / (a + b)
        variance += s**2 * a * b / ((a + b) ** 2 * (a + b + 1))
    spread = 1.645 * math.sqrt(variance)
    return EXAM.scaled(share), EXAM.scaled(share - spread), EXAM.scaled(share + spread)


def figures(outcomes: list[Outcome]) -> dict[str, dict[str, float]]:
    """Coverage of the 90 % range and mean absolute error, per scenario and for all: of this
    method, of the previous one, of "the same as the last mock", and of the expected score
    from the true abilities (the best any method could do)."""
    groups = {"all": outcomes}
    for scenario in SCENARIOS:
        groups[scenario] = [o for o in outcomes if o.scenario == scenario]
    table = {}
    for name, group in groups.items():
        if not group:
            continue
        table[name] = {
            "predictions": len(group),
            "coverage": mean(o.covered for o in group),
            "mae": mean(abs(o.prediction.score - o.next_mock) for o in group),
            "width": mean(o.prediction.high - o.prediction.low for o in group),
            "previous_coverage": mean(
                o.previous_method[1] <= o.next_mock <= o.previous_method[2] for o in group
            ),
            "previous_mae": mean(abs(o.previous_method[0] - o.next_mock) for o in group),
            "last_mock_mae": mean(abs(o.last_mock - o.next_mock) for o in group),
            "true_ability_mae": mean(abs(o.expected - o.next_mock) for o in group),
        }
    return table
