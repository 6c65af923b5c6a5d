from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from questions.importing import import_questions
from questions.interchange import size_problem
from questions.models import Blueprint, Question, Topic


class Command(BaseCommand):
    """Imports questions written for Moodle, so instructors can bring the bank they already
    have; they land as drafts to review unless --status says otherwise."""

    help = (
        "Import the multiple-choice questions of a GIFT or Moodle XML file into the default "
        "blueprint. Other question types are listed as skipped; any problem loads nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="A GIFT (.txt, .gift) or Moodle XML (.xml) file.")
        parser.add_argument("--format", choices=["gift", "moodle-xml"], required=True)
        parser.add_argument(
            "--topic", help="Topic code for questions whose category names no topic, e.g. 3.2."
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Check and report, then roll back."
        )
        parser.add_argument(
            "--status",
            choices=[Question.Status.DRAFT, Question.Status.PUBLISHED],
            default=Question.Status.DRAFT,
        )

    def handle(self, *args, file, format, topic, dry_run, status, verbosity, **options):
        blueprint = Blueprint.objects.default()
        if blueprint is None:
            raise CommandError("No default blueprint.")
        if (
            topic is not None
            and not Topic.objects.filter(domain__blueprint=blueprint, code=topic).exists()
        ):
            raise CommandError(f"No topic {topic} in {blueprint.code}.")
        path = Path(file)
        try:
            problem = size_problem(path.stat().st_size)
            if problem:
                raise CommandError(f"Nothing was loaded: {path.name}: {problem}")
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}") from error
        imported, report = import_questions(
            data=data, format=format, default_topic=topic, status=status, source=path.name,
            save=not dry_run,
        )  # fmt: skip
        if verbosity >= 1:
            for skipped in imported.skipped:
                self.stdout.write(f"Skipped {skipped}")
        if imported.problems:
            raise CommandError(
                f"Nothing was loaded: {len(imported.problems)} problem(s):\n"
                + "\n".join(imported.problems)
            )
        skipped = f", {len(imported.skipped)} skipped"
        for line in report.lines(dry_run=dry_run, verbosity=verbosity, also=skipped):
            self.stdout.write(line)
