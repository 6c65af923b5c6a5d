import getpass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

INSTRUCTORS = "Instructors"


class Command(BaseCommand):
    """Makes an instructor account in one step: staff, in the Instructors group, not superuser."""

    help = "Create (or promote) a user who can write and curate questions in the admin."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--email", default="")
        parser.add_argument(
            "--password", help="Password (default: asked for, or unchanged for an existing user)."
        )

    def handle(self, *args, username, email, password, verbosity, **options):
        user, created = get_user_model().objects.get_or_create(
            username=username, defaults={"email": email}
        )
        if created and password is None:
            password = getpass.getpass(f"Password for {username}: ")
            if getpass.getpass("The same password again: ") != password:
                user.delete()
                raise CommandError("The two passwords differ; nothing was created.")
        if password is not None:
            try:
                validate_password(password, user)
            except ValidationError as error:
                if created:
                    user.delete()
                raise CommandError(" ".join(error.messages)) from error
            user.set_password(password)
        user.is_staff = True
        user.save()
        user.groups.add(Group.objects.get(name=INSTRUCTORS))
        if verbosity >= 1:
            action = "Created" if created else "Updated"
            self.stdout.write(f"{action} instructor {username}. Log in at /admin/.")
