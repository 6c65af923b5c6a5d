"""Prepare a benchmark database: migrate, load the shipped bank, create the bench learners."""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.core.management import call_command  # noqa: E402

call_command("migrate", verbosity=0)
call_command("load_bank", verbosity=0)
count = int(os.environ.get("BENCH_USERS_AVAILABLE", "600"))
password = make_password(os.environ.get("BENCH_PASSWORD", "bench-pass-2026"))
User = get_user_model()
User.objects.bulk_create(
    [User(username=f"bench{n:04d}", password=password) for n in range(count)],
    ignore_conflicts=True,
)
print(f"prepared {User.objects.filter(username__startswith='bench').count()} bench learners")
