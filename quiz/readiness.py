"""Readiness: the scaled score of the learner's next full mock, and a range that should hold it
9 times in 10.

Pure arithmetic on dated answers, without the database or Django, so that the dashboard and the
simulated learners of tests/quiz/readiness_simulation.py and bench/readiness.py run the same
code. docs/mastery.md explains the method and gives its figures on simulated learners.

The prediction is the share of the next mock answered right, domain by domain:

* Level: a domain's rate is the mean of its topics' rates (a mock spreads a domain's questions
  evenly over its topics); a topic's recency-weighted rate is pulled toward the mean of its
  domain's answered topics by TOPIC_PULL answers, so a topic with few answers borrows from its
  neighbours and drilling one weak topic does not drag the whole domain down.
* Trend: one learning rate (share per week), fitted by weighted least squares to how answers
  within each topic change over time and shrunk toward no change (a normal prior of standard
  deviation TREND_PRIOR). A level describes the learner at the mean date of its evidence; the
  trend carries it to the latest answer, then HORIZON_DAYS on to the next mock.

The range is the prediction ± Z90 standard deviations of three independent parts: (a) the
estimate, the sampling variance of level and trend from each answer's weight plus what their
priors still hold; (b) the exam, binomial in each domain's quota of a full mock; (c) drift,
changes a straight line misses: DRIFT_PER_WEEK² for each week from the evidence to the mock.
"""

from dataclasses import dataclass, field
from datetime import date
from math import sqrt

HALF_LIFE_DAYS = 30  # as mastery's
PRIOR = 1.0  # Beta(1, 1), as mastery's
TOPIC_PULL = 8.0
TREND_PRIOR = 0.02
HORIZON_DAYS = 7
DRIFT_PER_WEEK = 0.012
Z90 = 1.645
UNIFORM_VARIANCE = 1 / 12


@dataclass(frozen=True)
class Evidence:
    """Answers to one topic on one day: how many, and how many were right."""

    day: date
    answered: int
    correct: int


@dataclass(frozen=True)
class DomainEvidence:
    """A domain of the blueprint: its weight (percent) and each of its topics' evidence."""

    weight: int
    topics: tuple[tuple[Evidence, ...], ...]


@dataclass(frozen=True)
class Exam:
    question_count: int
    score_min: int
    score_max: int

    def scaled(self, share: float) -> int:
        """A share of right answers on the exam's scale, as quiz.scoring.scaled_score does."""
        span = self.score_max - self.score_min
        return self.score_min + round(span * min(1.0, max(0.0, share)))


@dataclass(frozen=True)
class Prediction:
    """The next mock's scaled score and its 90 % range; the parts of its spread, in share."""

    score: int
    low: int
    high: int
    share: float
    estimate_sd: float
    exam_sd: float
    drift_sd: float


def quotas(weights: list[int], total: int) -> list[int]:
    """Questions per domain of a full mock: ``total`` split by weight, largest remainder first,
    ties to the earlier domain (quiz.drawing.domain_quotas, with domains in code order)."""
    weight_sum = sum(weights) or 1
    exact = [total * w / weight_sum for w in weights]
    counts = [int(x) for x in exact]
    by_remainder = sorted(range(len(weights)), key=lambda i: (-(exact[i] - counts[i]), i))
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    return counts


@dataclass
class _Topic:
    """One topic's answers, weighted by recency: sums over answers (w), right answers (w·c),
    and answer times (w·t, in weeks from today)."""

    cells: list[tuple[float, float, int, int]] = field(default_factory=list)  # weeks, w, n, c
    weight: float = 0.0
    right: float = 0.0
    time: float = 0.0

    def add(self, weeks: float, weight: float, answered: int, correct: int) -> None:
        self.cells.append((weeks, weight, answered, correct))
        self.weight += weight * answered
        self.right += weight * correct
        self.time += weight * answered * weeks

    @property
    def smoothed(self) -> float:
        return (PRIOR + self.right) / (2 * PRIOR + self.weight)

    @property
    def centre(self) -> float:
        return self.time / self.weight


def _clip(p: float) -> float:
    return min(0.99, max(0.01, p))


def predict(
    domains: list[DomainEvidence], exam: Exam, *, today: date, horizon_days: int = HORIZON_DAYS
) -> Prediction | None:
    """The score of a full mock ``horizon_days`` after ``today``, from the answers up to today.

    None without a single answer. A domain without answers counts at 50 % with a uniform
    distribution's variance. An answer dated after ``today`` counts as today's, as in mastery.
    """
    topics = [[_Topic() for _ in domain.topics or [()]] for domain in domains]
    for domain, domain_topics in zip(domains, topics, strict=True):
        for evidence, topic in zip(domain.topics, domain_topics, strict=False):
            for e in evidence:
                age = max(0, (today - e.day).days)
                if e.answered > 0:
                    topic.add(-age / 7, 0.5 ** (age / HALF_LIFE_DAYS), e.answered, e.correct)
    answered = [t for domain_topics in topics for t in domain_topics if t.weight]
    if not answered:
        return None
    counts = quotas([d.weight for d in domains], exam.question_count)
    shares = [n / (sum(counts) or 1) for n in counts]
    horizon = horizon_days / 7
    latest = max(weeks for t in answered for weeks, *_ in t.cells)

    # Trend: weighted least squares of right answers on time, centred within each topic.
    sxx = sum(w * n * (x - t.centre) ** 2 for t in answered for x, w, n, _ in t.cells)
    sxy = sum(w * c * (x - t.centre) for t in answered for x, w, _, c in t.cells)
    overall = (PRIOR + sum(t.right for t in answered)) / (
        2 * PRIOR + sum(t.weight for t in answered)
    )
    ridge = overall * (1 - overall) / TREND_PRIOR**2
    trend = sxy / (sxx + ridge)

    # Level of each domain: the mean of its topics' rates, each pulled toward the mean of the
    # domain's answered topics; carried by the trend from the evidence's mean date to the
    # latest answer, then on to the mock (days without answers add drift, not trend).
    levels, ahead = [], []
    for domain_topics in topics:
        seen = [t for t in domain_topics if t.weight]
        if not seen:
            levels.append(None)
            ahead.append(0.0)
            continue
        centre = sum(t.smoothed for t in seen) / len(seen)
        rates = [(TOPIC_PULL * centre + t.right) / (TOPIC_PULL + t.weight) for t in domain_topics]
        levels.append(sum(rates) / len(rates))
        ahead.append(latest - sum(t.centre for t in seen) / len(seen) + horizon)
    predicted = [
        0.5 if level is None else _clip(level + trend * lead)
        for level, lead in zip(levels, ahead, strict=True)
    ]
    share = sum(s * p for s, p in zip(shares, predicted, strict=True))

    # (a) The estimate: each answer's coefficient in the predicted share, times its variance,
    # plus the part of each prior still in the estimate.
    reach = sum(s * lead for s, lead in zip(shares, ahead, strict=True))
    variance = (reach * ridge / (sxx + ridge) * TREND_PRIOR) ** 2
    for s, domain_topics, level in zip(shares, topics, levels, strict=True):
        seen = [t for t in domain_topics if t.weight]
        if level is None:
            variance += s**2 * UNIFORM_VARIANCE
            continue
        pulled = sum(TOPIC_PULL / (TOPIC_PULL + t.weight) for t in domain_topics)
        pulled /= len(domain_topics)
        for t in seen:
            p = _clip(t.smoothed)
            via_centre = pulled / (len(seen) * (2 * PRIOR + t.weight))
            own = 1 / (len(domain_topics) * (TOPIC_PULL + t.weight))
            for x, w, n, _ in t.cells:
                coefficient = w * (s * (own + via_centre) + reach * (x - t.centre) / (sxx + ridge))
                variance += coefficient**2 * n * p * (1 - p)
        prior = pulled * sum(2 * PRIOR / (2 * PRIOR + t.weight) for t in seen) / len(seen)
        variance += (s * prior) ** 2 * UNIFORM_VARIANCE
    estimate_sd = sqrt(variance)

    # (b) The exam: binomial in each domain's quota.
    exam_sd = sqrt(sum(n * p * (1 - p) for n, p in zip(counts, predicted, strict=True)))
    exam_sd /= sum(counts) or 1

    # (c) Drift, over the weeks from the evidence's mean date to the mock.
    away = sum(
        s * (lead - latest)
        for s, lead, level in zip(shares, ahead, levels, strict=True)
        if level is not None
    )
    drift_sd = DRIFT_PER_WEEK * sqrt(away)

    spread = Z90 * sqrt(estimate_sd**2 + exam_sd**2 + drift_sd**2)
    return Prediction(
        score=exam.scaled(share),
        low=exam.scaled(share - spread),
        high=exam.scaled(share + spread),
        share=share,
        estimate_sd=estimate_sd,
        exam_sd=exam_sd,
        drift_sd=drift_sd,
    )
