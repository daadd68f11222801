"""Throttling and auth hardening: API throttles, login attempt limiting, CSRF
on every form, revocable tokens. Rates and limits are lowered per test (the suite itself runs
with rates no test reaches, see settings.TESTING)."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.contrib import admin
from django.core.cache import cache
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver
from knox.models import AuthToken
from rest_framework.test import APIClient

from tests.conftest import ROOT
from tests.factories import UserFactory, api_token

PASSWORD = "right-password-123"


def user_with_password(username: str | None = None):
    user = UserFactory(**({"username": username} if username else {}))
    user.set_password(PASSWORD)
    user.save()
    return user


pytestmark = pytest.mark.django_db

API = "/api/v1/cycles/"


def rates(anon: str, user: str) -> override_settings:
    return override_settings(
        REST_FRAMEWORK={
            **settings.REST_FRAMEWORK,
            "DEFAULT_THROTTLE_RATES": {"anon": anon, "user": user},
        }
    )


@pytest.fixture(autouse=True)
def fresh_counters():
    cache.clear()
    yield
    cache.clear()


def test_anonymous_api_use_is_throttled_per_client_address():
    client = APIClient(REMOTE_ADDR="10.0.0.1")
    with rates(anon="3/min", user="100/min"):
        assert [client.get(API).status_code for _ in range(3)] == [200, 200, 200]
        throttled = client.get(API)
        assert throttled.status_code == 429
        assert int(throttled["Retry-After"]) > 0
        # another address has its own allowance
        assert APIClient(REMOTE_ADDR="10.0.0.2").get(API).status_code == 200


def test_authenticated_api_use_is_throttled_per_user():
    alice, bob = UserFactory(), UserFactory()
    with rates(anon="1/min", user="4/min"):
        client = APIClient(REMOTE_ADDR="10.0.0.3")
        client.force_authenticate(alice)
        # a signed-in user gets the user allowance, not the (lower) anonymous one
        assert [client.get(API).status_code for _ in range(4)] == [200] * 4
        assert client.get(API).status_code == 429
        other = APIClient(REMOTE_ADDR="10.0.0.3")
        other.force_authenticate(bob)
        assert other.get(API).status_code == 200


def test_default_rates_come_from_the_environment_and_are_high_in_tests():
    configured = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    assert set(configured) == {"anon", "user"}
    assert settings.REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"] == [
        "core.throttling.AnonRateThrottle",
        "core.throttling.UserRateThrottle",
    ]
    # DRF reads X-Forwarded-For only behind the configured proxies, as the limiter does
    assert settings.REST_FRAMEWORK["NUM_PROXIES"] == settings.NUM_PROXIES == 0


def login(client: Client, username: str, password: str = PASSWORD, path: str = "/accounts/login/"):
    response = client.post(path, {"username": username, "password": password})
    return response, "_auth_user_id" in client.session


@override_settings(LOGIN_FAILURE_LIMIT=3, LOGIN_FAILURE_WINDOW=60, LOGIN_FAILURE_BACKOFF=30)
def test_login_is_refused_after_too_many_failures_even_with_the_right_password():
    user_with_password("lead")
    client = Client(REMOTE_ADDR="10.0.0.4")
    for _ in range(3):
        response, logged_in = login(client, "lead", "wrong")
        assert response.status_code == 200 and not logged_in
    # when: the right password after the limit, from the same address
    response, logged_in = login(client, "lead")
    # then: refused, with the same message as a wrong password (no hint the account exists)
    assert response.status_code == 200 and not logged_in
    assert b"Please enter a correct username and password" in response.content
    # the admin login goes through the same backend
    _, logged_in = login(client, "lead", path="/admin/login/?next=/admin/")
    assert not logged_in
    # when the counters expire, the user gets in
    cache.clear()
    response, logged_in = login(client, "lead")
    assert response.status_code == 302 and logged_in


@override_settings(LOGIN_FAILURE_LIMIT=3, LOGIN_FAILURE_WINDOW=60, LOGIN_ADDRESS_FAILURE_LIMIT=3)
def test_one_address_guessing_many_usernames_is_stopped():
    user_with_password("victim")
    client = Client(REMOTE_ADDR="10.0.0.6")
    for name in ("a", "b", "c"):
        login(client, name, "guess")
    response, logged_in = login(client, "victim")
    assert not logged_in and response.status_code == 200
    # the victim, from their own address, is not locked out by the attacker's guesses
    response, logged_in = login(Client(REMOTE_ADDR="10.0.0.7"), "victim")
    assert response.status_code == 302 and logged_in


@override_settings(LOGIN_FAILURE_LIMIT=3, LOGIN_FAILURE_WINDOW=60)
def test_failures_for_a_username_from_one_address_do_not_lock_it_elsewhere():
    # given: an attacker failing as the PTL, over and over, from their own address
    user_with_password("ptl")
    attacker = Client(REMOTE_ADDR="203.0.113.9")
    for _ in range(10):
        login(attacker, "ptl", "guess")
    assert not login(attacker, "ptl")[1]
    # then: the PTL, from any other address, logs in
    assert login(Client(REMOTE_ADDR="198.51.100.20"), "ptl")[1]


@override_settings(
    LOGIN_FAILURE_LIMIT=3, LOGIN_FAILURE_WINDOW=60, NUM_PROXIES=1, LOGIN_ADDRESS_FAILURE_LIMIT=5
)
def test_behind_the_proxy_each_client_is_counted_at_its_own_address():
    # given: every request arrives from the TLS proxy, which appends the client's address
    user_with_password("ptl")
    user_with_password("lead")

    def through_proxy(client_ip: str, forged: str = "") -> Client:
        forwarded = f"{forged}, {client_ip}" if forged else client_ip
        return Client(REMOTE_ADDR="172.18.0.2", HTTP_X_FORWARDED_FOR=forwarded)

    # when: one client fails many times as many users (forging X-Forwarded-For each time)
    for i in range(20):
        login(through_proxy("203.0.113.9", forged=f"10.9.9.{i}"), ("ptl", "lead")[i % 2], "x")
    # then: it is held (its real address is counted, not the forged one) ...
    assert not login(through_proxy("203.0.113.9", forged="10.1.1.1"), "ptl")[1]
    # ... and everybody else behind the same proxy logs in, the PTL included
    assert login(through_proxy("198.51.100.20"), "ptl")[1]
    assert login(through_proxy("198.51.100.21"), "lead")[1]


@override_settings(
    LOGIN_FAILURE_LIMIT=2,
    LOGIN_FAILURE_WINDOW=600,
    LOGIN_FAILURE_BACKOFF=10,
    LOGIN_FAILURE_MAX_LOCKOUT=35,
)
def test_each_failure_past_the_limit_doubles_the_wait_up_to_the_cap(monkeypatch):
    from core import throttling

    clock = [1_000_000.0]
    monkeypatch.setattr(throttling, "_now", lambda: clock[0])
    user_with_password("lead")
    client = Client(REMOTE_ADDR="10.0.0.8")

    def wait() -> float:
        request = client.get("/").wsgi_request
        return throttling.login_wait(request, "lead")

    login(client, "lead", "x")
    assert wait() == 0
    login(client, "lead", "x")  # the limit: 10 s
    assert wait() == 10
    assert not login(client, "lead")[1]  # a refused attempt does not count ...
    clock[0] += 10
    assert wait() == 0  # ... and the wait is over
    login(client, "lead", "x")
    assert wait() == 20
    clock[0] += 20
    login(client, "lead", "x")
    assert wait() == 35  # 40, capped
    clock[0] += 35
    assert login(client, "lead")[1]  # then the right password gets in
    assert wait() == 0  # and the pair's count is forgotten


@override_settings(NUM_PROXIES=1)
def test_anonymous_throttling_counts_the_client_behind_the_proxy_not_forged_headers():
    with rates(anon="3/min", user="100/min"):
        codes = [
            APIClient(REMOTE_ADDR="172.18.0.2", HTTP_X_FORWARDED_FOR=f"10.8.0.{i}, 203.0.113.9")
            .get(API)
            .status_code
            for i in range(5)
        ]
        assert codes == [200, 200, 200, 429, 429]
        other = APIClient(REMOTE_ADDR="172.18.0.2", HTTP_X_FORWARDED_FOR="198.51.100.20")
        assert other.get(API).status_code == 200


def test_without_trusted_proxies_x_forwarded_for_is_ignored():
    with rates(anon="2/min", user="100/min"):
        codes = [
            APIClient(REMOTE_ADDR="10.0.0.9", HTTP_X_FORWARDED_FOR=f"10.8.0.{i}")
            .get(API)
            .status_code
            for i in range(3)
        ]
    assert codes == [200, 200, 429]


def test_the_login_form_needs_its_csrf_token():
    user_with_password("lead")
    client = Client(enforce_csrf_checks=True)
    credentials = {"username": "lead", "password": "right-password-123"}
    assert client.post("/accounts/login/", credentials).status_code == 403
    page = client.get("/accounts/login/")
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.content)[1]
    response = client.post(
        "/accounts/login/", {**credentials, "csrfmiddlewaretoken": token.decode()}
    )
    assert response.status_code == 302


def test_every_post_form_in_the_templates_carries_a_csrf_token():
    forms = 0
    for template in (ROOT / "templates").rglob("*.html"):
        text = template.read_text()
        for form in re.findall(r"<form\b[^>]*>.*?</form>", text, flags=re.S | re.I):
            if re.search(r'method=["\']?post', form, flags=re.I):
                forms += 1
                assert "{% csrf_token %}" in form, (
                    f"{template.name}: a POST form without csrf_token"
                )
    assert forms >= 2  # login and logout at least


def _views(resolver: URLResolver, prefix: str = "") -> list[tuple[str, object]]:
    found = []
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            found += _views(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            found.append((prefix + str(entry.pattern), entry.callback))
    return found


def test_no_page_view_is_exempt_from_csrf():
    exempt = [
        route
        for route, view in _views(get_resolver())
        if getattr(view, "csrf_exempt", False) and not hasattr(view, "cls")  # DRF: see below
    ]
    assert exempt == []


def test_api_writes_with_a_session_need_the_csrf_token():
    user = user_with_password()
    client = APIClient(enforce_csrf_checks=True)
    client.login(username=user.username, password="right-password-123")
    response = client.post("/api/v1/squads/", {"name": "x"}, format="json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"], response.json()


def test_a_revoked_token_no_longer_authenticates():
    user = UserFactory()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token(user)}")
    assert client.post("/api/v1/squads/", {}, format="json").status_code != 401
    # when: revoked (DELETE /api/v1/tokens/{token_key}/, the admin's token page, or the row)
    AuthToken.objects.filter(user=user).delete()
    # then: 401 with the scheme to use (the token scheme is the API's first)
    response = client.post("/api/v1/squads/", {}, format="json")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Token"
    assert response.json()["detail"] == "Invalid token."
    assert AuthToken in admin.site._registry  # revocation is there in the admin


def test_a_deactivated_users_token_no_longer_authenticates():
    user = UserFactory()
    token = api_token(user)
    user.is_active = False
    user.save()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    response = client.post("/api/v1/squads/", {}, format="json")
    assert response.status_code == 401
    assert response.json()["detail"] == "User inactive or deleted."
