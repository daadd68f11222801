"""The shared cache: Redis for every web process, this process's memory while Redis is down.

The login limiter and the API throttles count in Django's default cache. Counted per process
(a memory cache), a limit multiplies by the number of gunicorn workers and an attacker picks
the worker with the most allowance left; counted in Redis, every process sees one count.

While Redis cannot be reached the counting neither stops (limiting would be silently off) nor
fails (every login would answer 500, locking everyone out): it goes on in this process's
memory, a warning is logged, and Redis is tried again every ``FAILOVER_RETRY_SECONDS``
(default 5). Limits are then per process again until Redis is back, and counts made during
the outage are not carried over.

``clear()`` deletes this cache's own keys only (its ``KEY_PREFIX``): Django's ``RedisCache``
flushes the whole database, which would drop the Celery broker's queues sharing it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from django.core.exceptions import ImproperlyConfigured

logger = logging.getLogger(__name__)


def _redis_errors() -> tuple[type[BaseException], ...]:
    import redis

    return (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError)


def _failover(name: str) -> Callable[..., Any]:
    def method(self: FailoverRedisCache, *args: Any, **kwargs: Any) -> Any:
        if not self.shared_available():
            return getattr(self.fallback, name)(*args, **kwargs)
        try:
            return getattr(RedisCache, name)(self, *args, **kwargs)
        except self._errors as exc:
            self._mark_down(exc)
            return getattr(self.fallback, name)(*args, **kwargs)

    method.__name__ = name
    method.__doc__ = f"``{name}`` in Redis, or in this process's memory while Redis is down."
    return method


class FailoverRedisCache(RedisCache):
    """Django's Redis cache that keeps answering from process memory while Redis is down."""

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        params = dict(params)
        options = dict(params.get("OPTIONS") or {})
        self.retry_seconds = float(options.pop("FAILOVER_RETRY_SECONDS", 5))
        params["OPTIONS"] = options
        super().__init__(server, params)
        if not self.key_prefix:
            raise ImproperlyConfigured(
                "FailoverRedisCache needs a KEY_PREFIX: clear() deletes the keys under it."
            )
        self.fallback = LocMemCache(
            f"failover-{self.key_prefix}",
            {k: v for k, v in params.items() if k in {"TIMEOUT", "KEY_PREFIX", "VERSION"}},
        )
        self._down_until = 0.0
        self._errors = _redis_errors()

    def shared_available(self) -> bool:
        """False while Redis is considered down (after a failure, until the retry time)."""
        return time.monotonic() >= self._down_until

    def _mark_down(self, exc: BaseException) -> None:
        if self.shared_available():
            logger.warning(
                "Shared cache (Redis) unreachable (%s): login limits and API throttles count in"
                " this process only; retrying Redis in %.0f s",
                type(exc).__name__,
                self.retry_seconds,
            )
        self._down_until = time.monotonic() + self.retry_seconds

    add = _failover("add")
    get = _failover("get")
    set = _failover("set")
    touch = _failover("touch")
    delete = _failover("delete")
    get_many = _failover("get_many")
    has_key = _failover("has_key")
    incr = _failover("incr")
    set_many = _failover("set_many")
    delete_many = _failover("delete_many")

    def clear(self) -> None:
        """Delete this cache's keys (``KEY_PREFIX:*``), never the rest of the database."""
        self.fallback.clear()
        if not self.shared_available():
            return
        try:
            client = self._cache.get_client(None, write=True)
            batch: list[bytes] = []
            for key in client.scan_iter(match=f"{self.key_prefix}:*", count=500):
                batch.append(key)
                if len(batch) >= 500:
                    client.delete(*batch)
                    batch.clear()
            if batch:
                client.delete(*batch)
        except self._errors as exc:
            self._mark_down(exc)
