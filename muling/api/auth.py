"""Who is calling the API: a personal token (`Authorization: Bearer mlt_…`) or the browser session.

The token is tried first so that a program sending a token is never asked for a CSRF token; a session
request must carry one on every unsafe method (ninja's SessionAuth runs Django's CSRF check).
Both count against a per-minute limit in the shared cache.
"""

from django.conf import settings
from ninja.security import HttpBearer, SessionAuth

from . import ratelimit, services


def token_rate_limit() -> int:
    return int(getattr(settings, "API_TOKEN_RATE_LIMIT_PER_MINUTE", 120))


def session_rate_limit() -> int:
    return int(getattr(settings, "API_SESSION_RATE_LIMIT_PER_MINUTE", 600))


class TokenAuth(HttpBearer):
    def authenticate(self, request, token: str):
        found = services.token_authenticate(token.strip(), rate_limit=token_rate_limit())
        if found is None:
            return None
        request.user = found.user  # handlers and rules read request.user either way
        request.api_token = found
        return found.user


class SessionUserAuth(SessionAuth):
    def authenticate(self, request, key):
        user = super().authenticate(request, key)
        if user is not None:
            ratelimit.hit(f"user:{user.pk}", limit=session_rate_limit())
        return user


api_auth = [TokenAuth(), SessionUserAuth()]
