from django.core.management.base import BaseCommand
from django.utils import timezone

from quiz.models import Attempt
from quiz.services import close_expired_attempts


class Command(BaseCommand):
    """Scores attempts whose time ran out while nobody was looking (run it from cron)."""

    help = "Close and score every in-progress attempt past its deadline and grace period."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Only count the attempts to close."
        )

    def handle(self, *args, dry_run, verbosity, **options):
        now = timezone.now()
        if dry_run:
            count = Attempt.objects.past_deadline(now).count()
            verb = "Would close"
        else:
            count = close_expired_attempts(now=now)
            verb = "Closed"
        if verbosity >= 1:
            self.stdout.write(f"{verb} {count} attempt(s).")
