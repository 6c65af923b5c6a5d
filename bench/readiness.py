"""Readiness on simulated learners: how often the 90 % range holds the next mock's score, and
how far the predicted score lands from it, by scenario, against "the same as the last mock".

    .venv/bin/python bench/readiness.py [--learners 400] [--weeks 12] [--seed 2026]

No database: tests/quiz/readiness_simulation.py drives quiz/readiness.py directly. Prints a
Markdown table (the one in docs/mastery.md).
"""

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.quiz.readiness_simulation import figures, population  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=400)
    parser.add_argument("--weeks", type=int, default=12)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    start = time.perf_counter()
    outcomes = population(args.learners, weeks=args.weeks, seed=args.seed)
    table = figures(outcomes)
    seconds = time.perf_counter() - start
    print(
        f"{args.learners} simulated learners, {args.weeks} weekly mocks each, seed {args.seed}: "
        f"{len(outcomes)} predictions, each of the next mock ({seconds:.1f} s).\n"
    )
    print(
        "| learners | predictions | 90 % range holds the next mock | mean width "
        "| MAE | MAE, last mock's score | MAE, true abilities "
        "| previous method: range holds | previous method: MAE |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name in ("flat", "improving", "forgetting", "all"):
        row = table[name]
        print(
            f"| {name} | {row['predictions']} | {row['coverage']:.1%} | {row['width']:.0f} "
            f"| {row['mae']:.1f} | {row['last_mock_mae']:.1f} | {row['true_ability_mae']:.1f} "
            f"| {row['previous_coverage']:.1%} | {row['previous_mae']:.1f} |"
        )


if __name__ == "__main__":
    main()
