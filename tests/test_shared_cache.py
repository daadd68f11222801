"""The shared cache the login limiter and the API throttles count in (core.cache): one count
for every web process on Redis, still counting (per process, with a warning) while Redis is
down, and a clear() that leaves the broker's keys alone."""

from __future__ import annotations

import logging
import secrets

import pytest
from django.core.cache import cache
from django.test import Client, override_settings
from rest_framework.test import APIClient

from core.cache import FailoverRedisCache
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "right-password-123"


def shared(url: str, prefix: str) -> FailoverRedisCache:
    """What one web process builds from the settings."""
    return FailoverRedisCache(
        url,
        {
            "KEY_PREFIX": prefix,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        },
    )


def redis_cache_settings(url: str, prefix: str) -> dict:
    return {
        "default": {
            "BACKEND": "core.cache.FailoverRedisCache",
            "LOCATION": url,
            "KEY_PREFIX": prefix,
            "OPTIONS": {
                "socket_connect_timeout": 0.5,
                "socket_timeout": 0.5,
                "FAILOVER_RETRY_SECONDS": 60,
            },
        }
    }


@pytest.mark.services
def test_two_processes_see_one_count(redis_url):
    prefix = f"t-{secrets.token_hex(4)}"
    first, second = shared(redis_url, prefix), shared(redis_url, prefix)
    try:
        assert first.add("n", 1, timeout=60)
        assert second.incr("n") == 2
        assert first.incr("n") == 3
        assert second.get("n") == 3 and first.shared_available()
    finally:
        first.clear()


@pytest.mark.services
def test_clear_deletes_only_its_own_keys(redis_url):
    import redis

    prefix = f"t-{secrets.token_hex(4)}"
    client = redis.Redis.from_url(redis_url)
    broker_key = f"celery-like-{secrets.token_hex(4)}"
    client.set(broker_key, "queued work")
    mine = shared(redis_url, prefix)
    try:
        mine.set("a", 1)
        mine.clear()
        assert mine.get("a") is None
        assert client.get(broker_key) == b"queued work"
    finally:
        client.delete(broker_key)


def test_while_redis_is_down_counting_goes_on_in_the_process_with_a_warning(caplog):
    # given: a shared cache whose Redis does not answer (nothing listens on port 1)
    down = shared("redis://127.0.0.1:1/0", "t-down")
    with caplog.at_level(logging.WARNING, logger="core.cache"):
        assert down.add("n", 1, timeout=60)
        assert down.incr("n") == 2
        assert down.get("n") == 2
    # then: counted anyway, no error, and said so once
    assert not down.shared_available()
    warnings = [r for r in caplog.records if "Shared cache (Redis) unreachable" in r.message]
    assert len(warnings) == 1


def test_login_limits_hold_while_redis_is_down_and_nobody_is_locked_out():
    user = UserFactory(username="lead")
    user.set_password(PASSWORD)
    user.save()
    with override_settings(
        CACHES=redis_cache_settings("redis://127.0.0.1:1/0", "t-down-login"),
        LOGIN_FAILURE_LIMIT=3,
        LOGIN_FAILURE_WINDOW=60,
    ):
        # the right password gets in: the outage locks nobody out
        ok = Client(REMOTE_ADDR="10.0.1.1")
        assert ok.post("/accounts/login/", {"username": "lead", "password": PASSWORD}).status_code
        assert "_auth_user_id" in ok.session
        # and guessing is still limited
        attacker = Client(REMOTE_ADDR="10.0.1.2")
        for _ in range(3):
            attacker.post("/accounts/login/", {"username": "lead", "password": "guess"})
        attacker.post("/accounts/login/", {"username": "lead", "password": PASSWORD})
        assert "_auth_user_id" not in attacker.session
        # and the API keeps answering, throttled
        assert APIClient(REMOTE_ADDR="10.0.1.3").get("/api/v1/cycles/").status_code == 200
    cache.clear()
