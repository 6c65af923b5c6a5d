import csv
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from questions.models import Question
from quiz import item_analysis

COLUMNS = [
    "question", "version", "n", "facility", "discrimination", "upper_lower", "mean_seconds",
    "median_seconds", "flags",
]  # fmt: skip


def figure(value, digits: int = 2) -> str:
    return "" if value is None else f"{value:.{digits}f}"


class Command(BaseCommand):
    """Recomputes the item analysis of every question over finished full mocks and stores it
    for the admin, so instructors find the questions that are too easy, too hard, fail to
    separate strong from weak learners (or are miskeyed), or carry a distractor nobody picks.
    Run it from cron, or by hand after a batch of mocks."""

    help = (
        "Item analysis over finished full mocks (submitted or expired, not set aside): n, "
        "facility, corrected point-biserial, upper-lower 27 % index, option counts per "
        f"version, time. Flags (from --min-n learners): facility above "
        f"{item_analysis.TOO_EASY_ABOVE} or below {item_analysis.TOO_HARD_BELOW}, "
        f"discrimination below {item_analysis.LOW_DISCRIMINATION_BELOW}, a distractor nobody "
        "picked. Stores the figures, prints a table worst first, and writes --csv."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--csv", dest="csv_path", metavar="PATH", help="Also write the table to this file."
        )
        parser.add_argument(
            "--min-n",
            type=int,
            metavar="N",
            default=item_analysis.MIN_N,
            help=f"Learners a question needs before it is flagged (default {item_analysis.MIN_N}).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Compute and print, but store nothing."
        )

    def handle(self, *args, csv_path, min_n, dry_run, verbosity, **options):
        if min_n < 1:
            raise CommandError("--min-n must be at least 1.")
        if csv_path and not Path(csv_path).parent.is_dir():
            raise CommandError(f"No folder {Path(csv_path).parent} for the CSV file.")
        compute = item_analysis.build_statistics if dry_run else item_analysis.refresh
        rows = item_analysis.worst_first(compute(now=timezone.now(), min_n=min_n))
        names = dict(
            Question.objects.filter(pk__in=[row.question_id for row in rows]).values_list(
                "pk", "external_id"
            )
        )
        table = [
            [
                names[row.question_id], str(row.question_version), str(row.n),
                figure(row.facility), figure(row.discrimination), figure(row.upper_lower),
                figure(row.mean_seconds, 0), figure(row.median_seconds, 0), " ".join(row.flags),
            ]
            for row in rows
        ]  # fmt: skip
        if csv_path:
            self.write_csv(Path(csv_path), table)
        if verbosity >= 1:
            self.print_table(table)
            flagged = sum(bool(row.flags) for row in rows)
            stored = "nothing stored (dry run)" if dry_run else "stored"
            self.stdout.write(
                f"{len(rows)} question(s) analysed, {flagged} flagged (flags from n = {min_n}); "
                f"{stored}."
            )
        if verbosity >= 2:
            for row in rows:
                for version in row.option_counts:
                    picks = "; ".join(f"{o['text'][:40]}: {o['count']}" for o in version["options"])
                    self.stdout.write(f"{names[row.question_id]} v{version['version']}: {picks}")
        if csv_path and verbosity >= 1:
            self.stdout.write(f"Wrote {csv_path}.")

    def write_csv(self, path: Path, table: list[list[str]]) -> None:
        try:
            with path.open("w", newline="") as out:
                writer = csv.writer(out)
                writer.writerow(COLUMNS)
                writer.writerows(table)
        except OSError as error:
            raise CommandError(f"Cannot write {path}: {error}") from error

    def print_table(self, table: list[list[str]]) -> None:
        widths = [max(len(c), *(len(r[i]) for r in table)) for i, c in enumerate(COLUMNS)]
        for line in [COLUMNS, *table]:
            self.stdout.write("  ".join(v.ljust(w) for v, w in zip(line, widths, strict=True)))
