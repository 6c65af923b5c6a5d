"""Who is asking: the client's address and the username a log-in names."""

from ipaddress import ip_address

from django.conf import settings
from django.contrib.auth import get_user_model


def client_ip(request) -> str:
    """REMOTE_ADDR, or behind PROXY_COUNT trusted proxies the address the nearest proxy
    appended to X-Forwarded-For (entries to its left are whatever the client sent)."""
    remote = request.META.get("REMOTE_ADDR", "")
    if not settings.BEHIND_PROXY or settings.PROXY_COUNT < 1:
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    hops = [hop for hop in hops if hop]
    if len(hops) < settings.PROXY_COUNT:
        return remote
    candidate = hops[-settings.PROXY_COUNT]
    try:
        return str(ip_address(candidate))
    except ValueError:
        return remote


def login_username(request, credentials: dict | None) -> str:
    """The username a log-in attempt names, cut to the longest a user can have."""
    field = get_user_model().USERNAME_FIELD
    name = (credentials or {}).get(field) or request.POST.get(field, "")
    return str(name)[: get_user_model()._meta.get_field(field).max_length]
