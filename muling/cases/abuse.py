"""Abuse limits on reporting: how many reports one user and one client address may file per hour, and a
flag on a reporter's near-identical repeats (Beijing 接诉即办 regulation art. 9).

Called by the doors residents use (the web report form and the API's submit), never from
`services.case_submit` itself: imports, the hotline, the demo and staff registering other people's calls
must not be counted against anyone.

The counters are the API's fixed windows (muling/api/ratelimit.py) with a one-hour window in the shared
cache, so they hold across any number of web processes. A slot is taken before the submission (one
atomic INCR, no check-then-act) and given back when nothing new was accepted — a refused form or an
idempotent retry that returned the first case — so only accepted reports count.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from rapidfuzz import fuzz, process

from muling.api import ratelimit
from muling.trust.client import client_ip
from muling.trust.models import FlagReason, SubmissionFlag

from .models import Case
from .services import STAFF_CHANNELS  # staff record other people's problems: a hotline shift takes dozens

HOUR = 3600


class ReportRateLimited(ratelimit.RateLimited):
    """429: too many reports from this account or this address in the current hour."""

    def __init__(self, retry_after: int):
        super().__init__(retry_after=retry_after)
        self.code = "report_rate_limited"
        minutes = max(1, (retry_after + 59) // 60)
        self.message = _(
            "您在一小时内提交的诉求过多，请 %(minutes)s 分钟后再试。紧急情况请直接拨打 12345 或联系网格员。"
        ) % {"minutes": minutes}


@dataclass
class Reservation:
    """The hour slots taken for one submission; `release` gives them back."""

    keys: list[str] = field(default_factory=list)

    def release(self) -> None:
        ratelimit.release(self.keys)
        self.keys = []


def _limits(user, address: str) -> list[tuple[str, int]]:
    buckets = []
    per_user = int(getattr(settings, "REPORT_LIMIT_PER_USER_PER_HOUR", 10))
    per_address = int(getattr(settings, "REPORT_LIMIT_PER_ADDRESS_PER_HOUR", 30))
    if user is not None and user.is_authenticated and per_user > 0:
        buckets.append((f"report:user:{user.pk}", per_user))
    if per_address > 0:
        buckets.append((f"report:addr:{address}", per_address))
    return buckets


def reserve(request, user) -> Reservation:
    """Take one report slot for the user and one for the client address (one round trip); raise
    ReportRateLimited (and keep nothing) when either is used up for this hour."""
    buckets = _limits(user, client_ip(request) or "unknown")
    try:
        return Reservation(keys=ratelimit.hit_all(buckets, window=HOUR))
    except ratelimit.RateLimited as exc:
        ratelimit.release(exc.keys)  # a refused report takes no slot
        raise ReportRateLimited(retry_after=exc.retry_after) from None


def submit_limited(request, user, submit: Callable[[], Case | None], *, channel: str = "") -> Case | None:
    """Run one submission (`submit` returns the case, or None when the form refused it) under the
    reporter's hourly limits. Raises ReportRateLimited before anything is submitted when a limit is
    reached. The look for malicious repeats (flag_if_repeated) runs after commit with the new case's
    notifications: the doors ask case_submit for it with check_repeats=True."""
    if channel in STAFF_CHANNELS:
        return submit()
    reservation = reserve(request, user)
    started = timezone.now()
    try:
        case = submit()
    except BaseException:
        reservation.release()
        raise
    if case is None or case.created_at < started:  # refused, or a retry that returned the first case
        reservation.release()
    return case


def flag_if_repeated(case: Case) -> SubmissionFlag | None:
    """Flag `case` when its reporter already filed more than REPORT_REPEAT_LIMIT_PER_DAY near-identical
    texts in the 24 hours before it. The case stays accepted and is handled as usual; the flag only puts
    it in front of a supervisor (admin → 可疑提交标记)."""
    limit = int(getattr(settings, "REPORT_REPEAT_LIMIT_PER_DAY", 3))
    threshold = int(getattr(settings, "REPORT_REPEAT_SIMILARITY", 90))
    if case.reporter_id is None or limit <= 0:
        return None
    earlier = (
        Case.objects.filter(
            reporter_id=case.reporter_id,
            created_at__gte=case.created_at - timedelta(days=1),
            created_at__lte=case.created_at,
        )
        .exclude(pk=case.pk)
        .values_list("text", flat=True)[:200]
    )
    # One call into rapidfuzz's C loop over up to 200 texts, not 200 calls from Python.
    repeats = len(
        process.extract(case.text, list(earlier), scorer=fuzz.ratio, score_cutoff=threshold, limit=None)
    )
    if repeats < limit:
        return None
    flag, _created = SubmissionFlag.objects.get_or_create(
        case=case,
        reason=FlagReason.REPEATED_TEXT,
        defaults={"detail": _("24 小时内已有 %(n)s 件相似诉求") % {"n": repeats}},
    )
    return flag
