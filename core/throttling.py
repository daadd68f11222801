"""API throttles and login attempt limiting.

Both count in Django's default cache (a per-process memory cache, see settings.CACHES), so they
keep working while Redis is down. Rates and limits are read from settings on every request,
which lets tests lower them with ``override_settings``.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from rest_framework import throttling
from rest_framework.settings import api_settings


class _SettingsRateMixin:
    scope: str

    def get_rate(self) -> str | None:
        # DRF binds THROTTLE_RATES at import time; read the live setting instead.
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)


class AnonRateThrottle(_SettingsRateMixin, throttling.AnonRateThrottle):
    """Anonymous API use, per client address (``DJANGO_THROTTLE_ANON``, e.g. ``300/min``)."""


class UserRateThrottle(_SettingsRateMixin, throttling.UserRateThrottle):
    """Authenticated API use, per user (``DJANGO_THROTTLE_USER``, e.g. ``1200/min``)."""


def _failure_keys(request: HttpRequest | None, username: str | None) -> list[str]:
    keys = []
    if username:
        digest = hashlib.sha256(username.strip().lower().encode()).hexdigest()[:32]
        keys.append(f"login-fail:user:{digest}")
    address = request.META.get("REMOTE_ADDR") if request is not None else None
    if address:
        keys.append(f"login-fail:addr:{address}")
    return keys


def login_failures(request: HttpRequest | None, username: str | None) -> int:
    """The highest failure count among the username's and the client address's."""
    counts = cache.get_many(_failure_keys(request, username))
    return max(counts.values(), default=0)


def _record_failure(request: HttpRequest | None, username: str | None) -> None:
    window = settings.LOGIN_FAILURE_WINDOW
    for key in _failure_keys(request, username):
        # add() starts the window; incr() keeps its expiry (a fixed window per key).
        if not cache.add(key, 1, timeout=window):
            try:
                cache.incr(key)
            except ValueError:  # expired between add() and incr()
                cache.add(key, 1, timeout=window)


class LoginLimitedModelBackend(ModelBackend):
    """The model backend, refusing a username or client address after too many failures.

    Covers every password login: the login form, the admin, DRF's session and basic auth.
    A refused attempt looks like a wrong password (no hint that the account exists); the
    limit lifts when ``LOGIN_FAILURE_WINDOW`` seconds have passed since the first failure.
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
        if login_failures(request, username) >= settings.LOGIN_FAILURE_LIMIT:
            # PermissionDenied stops every other backend and fires user_login_failed.
            raise PermissionDenied("too many failed login attempts")
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None and password is not None:
            _record_failure(request, username)
        return user

    @staticmethod
    def _username_field() -> str:
        from django.contrib.auth import get_user_model

        return get_user_model().USERNAME_FIELD
