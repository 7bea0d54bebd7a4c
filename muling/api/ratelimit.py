"""Fixed-window rate limits in the shared cache (Redis in production), one counter per key and minute.

A fixed window lets a client send up to twice the limit across a window boundary; that is accepted in
exchange for one atomic INCR per request, which works the same with any number of web processes.
"""

import time

from django.core.cache import cache
from django.utils.translation import gettext as _

from muling.errors import DomainError


class RateLimited(DomainError):
    status = 429

    def __init__(self, retry_after: int):
        super().__init__("rate_limited", _("请求过于频繁，请稍后再试"))
        self.retry_after = retry_after


def hit(bucket: str, *, limit: int, window: int = 60) -> None:
    """Count one request for `bucket`; raise RateLimited when the window's count passes `limit`."""
    if limit <= 0:
        return
    now = int(time.time())
    slot = now // window
    cache_key = f"ratelimit:{bucket}:{slot}"
    if cache.add(cache_key, 1, timeout=window + 5):
        count = 1
    else:
        try:
            count = cache.incr(cache_key)
        except ValueError:  # expired between add and incr
            cache.add(cache_key, 1, timeout=window + 5)
            count = 1
    if count > limit:
        raise RateLimited(retry_after=(slot + 1) * window - now)
