"""The client's address, API throttles and login attempt limiting.

**The client's address.** Behind ``NUM_PROXIES`` trusted proxies (``DJANGO_NUM_PROXIES``, 0 by
default: clients reach the server directly) each proxy appends the address it received the
request from to ``X-Forwarded-For``; the client's address is the entry the outermost trusted
proxy appended, the ``NUM_PROXIES``-th from the right. Entries to its left are whatever the
client sent and are never believed, so rotating ``X-Forwarded-For`` changes nothing.

**Counting.** Throttles and the limiter count in Django's default cache, the shared cache
(``core.cache.FailoverRedisCache`` on Redis when ``REDIS_URL`` is set, so every web process sees
one count; this process's memory while Redis is down, see that module).

**Login limiting.** Failures are counted per (username, client address): a wrong password
typed from one address never locks the account for anyone else, and behind the proxy nobody
shares an address with an attacker. After ``LOGIN_FAILURE_LIMIT`` failures of a pair, each
further attempt of that pair must wait ``LOGIN_FAILURE_BACKOFF`` seconds, doubled at each new
failure, up to ``LOGIN_FAILURE_MAX_LOCKOUT``; counts are forgotten ``LOGIN_FAILURE_WINDOW``
seconds after the last failure, and a successful login forgets the pair's. One address trying
many usernames is held the same way after ``LOGIN_ADDRESS_FAILURE_LIMIT`` failures (0: off).
Rates and limits are read from settings on every request (tests lower them).
"""

from __future__ import annotations

import hashlib
import ipaddress
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from rest_framework import throttling
from rest_framework.settings import api_settings


def client_address(request: HttpRequest | None) -> str:
    """The address of the client, as the outermost of ``NUM_PROXIES`` trusted proxies saw it."""
    if request is None:
        return ""
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = int(getattr(settings, "NUM_PROXIES", 0) or 0)
    if proxies <= 0:
        return remote
    hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    hops = [h for h in hops if h]
    if not hops:
        return remote
    candidate = hops[-min(proxies, len(hops))]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:  # not an address: a misconfigured proxy, never trusted
        return remote


class _SettingsRateMixin:
    scope: str

    def get_rate(self) -> str | None:
        # DRF binds THROTTLE_RATES at import time; read the live setting instead.
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def get_ident(self, request: Any) -> str:
        return client_address(request)


class AnonRateThrottle(_SettingsRateMixin, throttling.AnonRateThrottle):
    """Anonymous API use, per client address (``DJANGO_THROTTLE_ANON``, e.g. ``300/min``)."""


class UserRateThrottle(_SettingsRateMixin, throttling.UserRateThrottle):
    """Authenticated API use, per user (``DJANGO_THROTTLE_USER``, e.g. ``1200/min``)."""


# --- login limiting ---------------------------------------------------------------------------
def _now() -> float:
    return time.time()


@dataclass(frozen=True)
class _Counter:
    key: str
    limit: int


def _digest(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:32]


def _counters(request: HttpRequest | None, username: str | None) -> list[_Counter]:
    address = client_address(request)
    name = (username or "").strip().lower()
    counters = [_Counter(f"login-fail:pair:{_digest(name, address)}", settings.LOGIN_FAILURE_LIMIT)]
    address_limit = int(getattr(settings, "LOGIN_ADDRESS_FAILURE_LIMIT", 0) or 0)
    if address and address_limit > 0:
        counters.append(_Counter(f"login-fail:addr:{_digest(address)}", address_limit))
    return counters


def lockout_seconds(failures: int, limit: int) -> float:
    """How long a pair waits after its ``failures``-th failure: nothing below the limit, then
    ``LOGIN_FAILURE_BACKOFF`` doubled at each failure past it, capped."""
    if failures < limit:
        return 0.0
    backoff = float(settings.LOGIN_FAILURE_BACKOFF) * 2 ** min(failures - limit, 32)
    return min(backoff, float(settings.LOGIN_FAILURE_MAX_LOCKOUT))


def login_wait(request: HttpRequest | None, username: str | None) -> float:
    """Seconds before this (username, client address) may try again; 0 when it may now."""
    counters = _counters(request, username)
    keys = [c.key for c in counters] + [f"{c.key}:at" for c in counters]
    values = cache.get_many(keys)
    wait = 0.0
    for counter in counters:
        failures = int(values.get(counter.key) or 0)
        last = float(values.get(f"{counter.key}:at") or 0)
        wait = max(wait, last + lockout_seconds(failures, counter.limit) - _now())
    return max(wait, 0.0)


def _record_failure(request: HttpRequest | None, username: str | None) -> None:
    now = _now()
    for counter in _counters(request, username):
        # add() then incr(): atomic in Redis, so concurrent failures in several processes
        # all count.
        if cache.add(counter.key, 1, timeout=settings.LOGIN_FAILURE_WINDOW):
            failures = 1
        else:
            try:
                failures = cache.incr(counter.key)
            except ValueError:  # expired between add() and incr()
                cache.add(counter.key, 1, timeout=settings.LOGIN_FAILURE_WINDOW)
                failures = 1
        keep = int(settings.LOGIN_FAILURE_WINDOW + lockout_seconds(failures, counter.limit))
        cache.touch(counter.key, keep)
        cache.set(f"{counter.key}:at", now, timeout=keep)


def _forget_pair(request: HttpRequest | None, username: str | None) -> None:
    pair = _counters(request, username)[0]
    cache.delete_many([pair.key, f"{pair.key}:at"])


class LoginLimitedModelBackend(ModelBackend):
    """The model backend, making a (username, client address) wait after too many failures.

    Covers every password login: the login form, the admin, DRF's session and basic auth.
    A refused attempt looks like a wrong password (no hint that the account exists) and does
    not count as a failure (waiting is the point, not a longer lock).
    """

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Any:
        if username is None:
            username = kwargs.get(self._username_field())
        if login_wait(request, username) > 0:
            # PermissionDenied stops every other backend and fires user_login_failed.
            raise PermissionDenied("too many failed login attempts")
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None and password is not None:
            _record_failure(request, username)
        elif user is not None:
            _forget_pair(request, username)
        return user

    @staticmethod
    def _username_field() -> str:
        from django.contrib.auth import get_user_model

        return get_user_model().USERNAME_FIELD
