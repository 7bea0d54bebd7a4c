from axes.backends import AxesStandaloneBackend
from django.contrib.auth import get_user_model
from django.db.models import Q


class LoginThrottleBackend(AxesStandaloneBackend):
    """django-axes' lockout check, first in AUTHENTICATION_BACKENDS.

    Only web logins are throttled: a call without a request (management commands, the demo's checks,
    the test client's login) has no client to lock out, so it passes on to the next backend instead of
    raising as axes' own backend does."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def lockout_username(request, credentials) -> str | None:
    """One account, one counter: a phone number and the username of the same account count together,
    so switching between them does not buy an attacker more guesses."""
    typed = (credentials or {}).get("username") or ""
    if not typed and request is not None and request.method == "POST":
        typed = request.POST.get("username", "")
    if not typed:
        return None
    found = (
        get_user_model()
        .objects.filter(Q(username=typed) | Q(phone=typed))
        .order_by("id")
        .values_list("username", flat=True)
        .first()
    )
    return found or typed
