"""`Idempotency-Key` for POSTs other than case submission (which passes the key to case_submit).

The first response is stored with the key; a retry — also one that arrives while the first is still
running — gets that response back and changes nothing. The row is inserted *before* the work, in the
same transaction, so a concurrent retry waits on the unique index and then reads the finished answer.
A refused request (a 4xx) rolls back with its row: retrying it simply tries again.
"""

import re
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from muling.errors import DomainError

from .models import IdempotentRequest

HEADER = "Idempotency-Key"
KEY_RE = re.compile(r"^[A-Za-z0-9_\-:.]{1,64}$")


class IdempotencyConflict(DomainError):
    status = 409


def key_of(request) -> str | None:
    """The request's key, None without one; refuses keys we cannot store faithfully."""
    raw = request.headers.get(HEADER)
    if raw is None or raw == "":
        return None
    if not KEY_RE.match(raw):
        raise DomainError(
            "bad_idempotency_key",
            _("Idempotency-Key 应为 1 到 64 个字母、数字或 -_:. 字符"),
            field=HEADER,
        )
    return raw


def replayable(request, run: Callable[[], tuple[int, Any]]) -> tuple[int, Any]:
    """Run `run` (which returns status and a JSON-able body) at most once per user and key."""
    key = key_of(request)
    if key is None:
        return run()
    user = request.auth
    method_path = f"{request.method} {request.path}"[:300]
    try:
        with transaction.atomic():
            record = IdempotentRequest.objects.create(
                key=key, user=user, method_path=method_path, status=0, body={}
            )
            status, body = run()
            record.status, record.body = status, body
            record.save(update_fields=["status", "body"])
            return status, body
    except IntegrityError:
        stored = IdempotentRequest.objects.filter(user=user, key=key).first()
        if stored is None:  # the integrity error came from the work itself
            raise
    if stored.method_path != method_path:
        raise IdempotencyConflict(
            "idempotency_key_reused", _("该 Idempotency-Key 已用于另一个请求"), field=HEADER
        )
    return stored.status, stored.body
