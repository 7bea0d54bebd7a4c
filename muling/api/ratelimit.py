"""Fixed-window rate limits in the shared cache (Redis in production), one counter per key and minute.

A fixed window lets a client send up to twice the limit across a window boundary; that is accepted in
exchange for one atomic INCR per request, which works the same with any number of web processes.
"""

import contextlib
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
        self.keys: list[str] = []  # the counters hit_all incremented


def hit(bucket: str, *, limit: int, window: int = 60) -> None:
    """Count one request for `bucket`; raise RateLimited when the window's count passes `limit`."""
    hit_all([(bucket, limit)], window=window)


def hit_all(buckets: list[tuple[str, int]], *, window: int = 60) -> list[str]:
    """Count one request in each (bucket, limit) — one round trip on Redis — and return the counters'
    cache keys. Raise RateLimited when any count passes its limit; every bucket is counted either way,
    and the exception's `keys` let a caller give the counts back with `release`."""
    buckets = [(bucket, limit) for bucket, limit in buckets if limit > 0]
    if not buckets:
        return []
    now = int(time.time())
    slot = now // window
    keys = [f"ratelimit:{bucket}:{slot}" for bucket, _limit in buckets]
    if on_redis():
        counts = _count_on_redis(keys, window + 5)
    else:
        counts = [_count_in_cache(key, window + 5) for key in keys]
    if any(count > limit for count, (_bucket, limit) in zip(counts, buckets, strict=True)):
        refused = RateLimited(retry_after=(slot + 1) * window - now)
        refused.keys = keys  # what was counted, for a caller that gives it back
        raise refused
    return keys


def hit_and_read(bucket: str, *, limit: int, read: str, window: int = 60):
    """hit(), and the value of the cache key `read` fetched in the same round trip on Redis."""
    if not on_redis() or limit <= 0:
        hit(bucket, limit=limit, window=window)
        return cache.get(read)
    now = int(time.time())
    slot = now // window
    (count,), value = _count_on_redis([f"ratelimit:{bucket}:{slot}"], window + 5, read=read)
    if count > limit:
        raise RateLimited(retry_after=(slot + 1) * window - now)
    return value


def release(keys: list[str]) -> None:
    """Give back one count in each of `keys` (from hit_all)."""
    for key in keys:
        with contextlib.suppress(ValueError):  # the window already ended
            cache.decr(key)


def on_redis() -> bool:
    return isinstance(caches["default"], RedisCache)


def _count_on_redis(cache_keys: list[str], ttl: int, *, read: str | None = None):
    """INCR and EXPIRE of every key in one round trip (the generic cache API needs three per key: add,
    exists, incr), and GET of `read` in the same round trip when given: returns the counts, or (counts,
    value). The counters stay readable through the cache API: Django's Redis backend stores integers
    as such."""
    backend = caches["default"]
    pipe = _redis_client(backend).pipeline(transaction=False)
    for key in map(backend.make_and_validate_key, cache_keys):
        pipe.incr(key)
        pipe.expire(key, ttl, nx=True)
    if read is not None:
        pipe.get(backend.make_and_validate_key(read))
    replies = pipe.execute()
    counts = [int(count) for count in replies[: 2 * len(cache_keys) : 2]]
    if read is None:
        return counts
    value = replies[-1]
    return counts, None if value is None else backend._cache._serializer.loads(value)


def _redis_client(backend):
    """A client on the cache's write pool, made once per cache backend and kept on it (a threaded
    server has one backend per thread; the client goes with it). Django's backend builds a new
    redis.Redis for every call, and its constructor (response callbacks, ~170 entries) cost more than
    the round trip it serves on the busiest paths."""
    client = getattr(backend, "_muling_redis_client", None)
    if client is None:
        client = backend._cache._client(connection_pool=backend._cache._get_connection_pool(True))
        backend._muling_redis_client = client
    return client


def _count_in_cache(cache_key: str, ttl: int) -> int:
    if cache.add(cache_key, 1, timeout=ttl):
        return 1
    try:
        return cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.add(cache_key, 1, timeout=ttl)
        return 1
