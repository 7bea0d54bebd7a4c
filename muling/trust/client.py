"""The client's address, the same way for login throttling and report limits."""

import ipaddress

from django.conf import settings


def _valid(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_ip(request) -> str | None:
    """REMOTE_ADDR; behind our own reverse proxy (BEHIND_PROXY=1) the last X-Forwarded-For entry, which
    is the one the proxy appended — the earlier ones are whatever the client chose to send. None when
    there is no address (a request built in code, e.g. the test client's force_login)."""
    if getattr(settings, "BEHIND_PROXY", False):
        forwarded = [p for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if p.strip()]
        if forwarded and (last := _valid(forwarded[-1])):
            return last
    return _valid(request.META.get("REMOTE_ADDR") or "")
