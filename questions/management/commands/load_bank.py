from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from questions.bank import BankError, load_bank
from questions.models import Blueprint


class Command(BaseCommand):
    """Loads bank files so the bank lives in version control and reaches every install alike."""

    help = (
        "Load questions from bank files (default: the shipped bank in questions/bank/). "
        "All files load in one transaction; a file with any problem loads nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="*", help="YAML or JSON files, or folders of them.")
        parser.add_argument("--blueprint", help="Blueprint code (default: the default blueprint).")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check and report, then roll back."
        )

    def handle(self, *args, paths, blueprint, dry_run, verbosity, **options):
        if blueprint:
            chosen = Blueprint.objects.filter(code=blueprint).first()
        else:
            chosen = Blueprint.objects.default()
        if chosen is None:
            raise CommandError(f"No blueprint {blueprint or '(default)'}.")
        try:
            with transaction.atomic():
                report = load_bank(paths or None, blueprint=chosen)
                if dry_run:
                    transaction.set_rollback(True)
        except BankError as error:
            raise CommandError(
                f"Nothing was loaded: {len(error.problems)} problem(s):\n" + str(error)
            ) from error
        for line in report.lines(dry_run=dry_run, verbosity=verbosity):
            self.stdout.write(line)
