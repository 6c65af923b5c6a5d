from django.core.management.base import BaseCommand

from questions.bank import export_bank
from questions.models import Question


class Command(BaseCommand):
    """Writes the bank back out, so questions edited in the admin can be reviewed and versioned."""

    help = "Print questions as a JSON or YAML list, one object per question, sorted by id."

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=["json", "yaml"], default="json")
        parser.add_argument(
            "--status", choices=Question.Status.values, default=Question.Status.PUBLISHED
        )

    def handle(self, *args, format, status, **options):
        self.stdout.write(export_bank(format, status=status), ending="")
