from dataclasses import replace
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from questions.bank import load_questions
from questions.interchange import Imported, parse_gift, parse_moodle_xml, size_problem
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
        topics = dict(
            Topic.objects.filter(domain__blueprint=blueprint).values_list("code", "domain__code")
        )
        if topic is not None and topic not in topics:
            raise CommandError(f"No topic {topic} in {blueprint.code}.")
        imported = self.read(Path(file), format, topics=topics, default_topic=topic)
        if verbosity >= 1:
            for skipped in imported.skipped:
                self.stdout.write(f"Skipped {skipped}")
        if status == Question.Status.PUBLISHED and imported.questions:
            imported.problems.append(
                "published questions need references, which GIFT and Moodle XML do not carry: "
                "import as drafts, add a reference to each, then publish"
            )
        if imported.problems:
            raise CommandError(
                f"Nothing was loaded: {len(imported.problems)} problem(s):\n"
                + "\n".join(imported.problems)
            )
        with transaction.atomic():
            report = load_questions(
                [replace(question, status=status) for question in imported.questions],
                blueprint=blueprint,
            )
            if dry_run:
                transaction.set_rollback(True)
        if verbosity >= 1:
            prefix = "Dry run, nothing saved: " if dry_run else ""
            self.stdout.write(
                f"{prefix}{len(report.created)} created, {len(report.updated)} updated, "
                f"{len(report.unchanged)} unchanged, {len(imported.skipped)} skipped."
            )
        if verbosity >= 2:
            for qid in report.created:
                self.stdout.write(f"  created {qid}")
            for qid in report.updated:
                self.stdout.write(f"  updated {qid}")

    def read(self, path: Path, format: str, **options) -> Imported:
        try:
            problem = size_problem(path.stat().st_size)
            if problem:
                raise CommandError(f"Nothing was loaded: {path.name}: {problem}")
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}") from error
        if format == "moodle-xml":
            return parse_moodle_xml(data, source=path.name, **options)
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise CommandError(f"Nothing was loaded: {path.name} is not UTF-8: {error}") from error
        return parse_gift(text, source=path.name, **options)
