"""Throttles on actions that create rows or guess passwords, per client address and per
account, with the rates in settings.THROTTLES (django-ratelimit counts in a shared cache)."""

from django.conf import settings
from django.shortcuts import render
from django_ratelimit.core import get_usage


def seconds_to_wait(request, scope: str) -> int:
    """Count this request against the scope's rate; 0 when allowed, else seconds until the
    window that refused it ends."""
    keys = ["ip", "user"] if request.user.is_authenticated else ["ip"]
    waits = []
    for key in keys:
        usage = get_usage(
            request, group=scope, key=key, rate=settings.THROTTLES[scope], increment=True
        )
        if usage and usage["should_limit"]:
            waits.append(usage["time_left"])
    return max(waits, default=0)


def too_many(request, seconds: int):
    minutes = max(1, -(-seconds // 60))
    response = render(request, "too_many.html", {"minutes": minutes}, status=429)
    response["Retry-After"] = str(seconds)
    return response
