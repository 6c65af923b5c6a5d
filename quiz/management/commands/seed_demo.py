import random
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from questions.models import Blueprint
from quiz import services

# Days ago, and the chance of a right answer in each domain: a learner who improves,
# strong in data engineering, weak in modeling.
MOCKS = [
    (40, {"1": 0.70, "2": 0.55, "3": 0.35, "4": 0.50}),
    (26, {"1": 0.75, "2": 0.62, "3": 0.45, "4": 0.55}),
    (12, {"1": 0.80, "2": 0.70, "3": 0.55, "4": 0.62}),
    (3, {"1": 0.85, "2": 0.75, "3": 0.62, "4": 0.70}),
]
PRACTICE = [(8, "3.4", 0.5), (2, "2.2", 0.8)]


class Command(BaseCommand):
    """Gives a newcomer a full dashboard at once: a demo learner with finished attempts."""

    help = "Create (or recreate) the demo learner with four mock exams and two practices."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="demo")
        parser.add_argument("--password", default="demo-pass-2026")
        parser.add_argument("--seed", type=int, default=7)

    @transaction.atomic
    def handle(self, *args, username, password, seed, verbosity, **options):
        blueprint = Blueprint.objects.default()
        if blueprint is None:
            raise CommandError("No default blueprint: run python manage.py migrate first.")
        User = get_user_model()
        User.objects.filter(username=username).delete()
        user = User.objects.create_user(username=username, password=password)
        rng = random.Random(seed)
        now = timezone.now()
        for days_ago, strength in MOCKS:
            start = now - timedelta(days=days_ago)
            try:
                attempt = services.start_attempt(user=user, blueprint=blueprint, now=start, rng=rng)
            except services.BankTooSmall as error:
                raise CommandError(f"{error} Load the bank first: manage.py load_bank.") from error
            self._answer_all(attempt, strength, start, rng)
            services.submit_attempt(
                attempt=attempt, now=start + timedelta(minutes=rng.randint(95, 170))
            )
        for days_ago, topic_code, chance in PRACTICE:
            start = now - timedelta(days=days_ago)
            topic = blueprint.domains.get(code=topic_code.split(".")[0]).topics.get(code=topic_code)
            attempt = services.start_practice(user=user, topic=topic, now=start, size=8, rng=rng)
            self._answer_all(attempt, {topic.domain.code: chance}, start, rng)
            services.submit_attempt(attempt=attempt, now=start + timedelta(minutes=20))
        if verbosity >= 1:
            self.stdout.write(f"Demo learner ready. Log in as {username} / {password}")

    @staticmethod
    def _answer_all(attempt, strength_by_domain, start, rng):
        for item in attempt.items.all():
            correct = sorted(item.correct_indexes)
            wrong = sorted(set(range(len(item.choices))) - item.correct_indexes)
            selected = correct if rng.random() < strength_by_domain[item.domain_code] else wrong[:1]
            services.answer_item(
                item=attempt.items.get(position=item.position),
                selected=selected,
                now=start + timedelta(minutes=item.position),
            )
