"""Fixed-window rate limits in the shared cache (Redis in production), one counter per key and minute.

A fixed window lets a client send up to twice the limit across a window boundary; that is accepted in
exchange for one atomic INCR per request, which works the same with any number of web processes.
"""

import time

from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
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
    count = _count_on_redis(cache_key, window + 5) if _on_redis() else _count_in_cache(cache_key, window + 5)
    if count > limit:
        raise RateLimited(retry_after=(slot + 1) * window - now)


def _on_redis() -> bool:
    return isinstance(caches["default"], RedisCache)


def _count_on_redis(cache_key: str, ttl: int) -> int:
    """INCR and EXPIRE in one round trip (the generic cache API needs three: add, exists, incr). The
    counter stays readable through the cache API: Django's Redis backend stores integers as such."""
    backend = caches["default"]
    key = backend.make_and_validate_key(cache_key)
    client = backend._cache.get_client(key, write=True)
    pipe = client.pipeline(transaction=False)
    pipe.incr(key)
    pipe.expire(key, ttl, nx=True)
    return int(pipe.execute()[0])


def _count_in_cache(cache_key: str, ttl: int) -> int:
    if cache.add(cache_key, 1, timeout=ttl):
        return 1
    try:
        return cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.add(cache_key, 1, timeout=ttl)
        return 1
