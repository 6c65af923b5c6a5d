from django.core.management.base import BaseCommand

from questions.bank import export_bank, export_rows
from questions.interchange import export_gift, export_moodle_xml
from questions.models import Question

WRITERS = {"gift": export_gift, "moodle-xml": export_moodle_xml}


class Command(BaseCommand):
    """Writes the bank back out, so questions edited in the admin can be reviewed and versioned,
    or taken to Moodle as GIFT or Moodle XML."""

    help = (
        "Print questions sorted by id: as a JSON or YAML list, one object per question, "
        "or as GIFT or Moodle XML for Moodle."
    )

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=["json", "yaml", *WRITERS], default="json")
        parser.add_argument("--domain", help="Only the questions of this domain code, e.g. 3.")
        parser.add_argument("--topic", help="Only the questions of this topic code, e.g. 3.2.")
        parser.add_argument(
            "--status", choices=Question.Status.values, default=Question.Status.PUBLISHED
        )

    def handle(self, *args, format, domain, topic, status, **options):
        filters = {"domain": domain, "topic": topic, "status": status}
        if format in WRITERS:
            text = WRITERS[format](export_rows(**filters))
        else:
            text = export_bank(format, **filters)
        self.stdout.write(text, ending="")
