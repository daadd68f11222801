"""The review's attacks, run as an attacker would: over HTTP against gunicorn in production
settings (DEBUG off, PostgreSQL, Redis, two worker processes) behind a "TLS proxy" that
appends the client's address to X-Forwarded-For (``DJANGO_NUM_PROXIES=1``).

Each attack must fail: login lock-outs of other users, limits dodged by rotating headers or by
landing on another worker, 500s from bad query values, pages without a Content-Security-Policy.
"""

from __future__ import annotations

import json
import re
import urllib.parse

import pytest

from tests.conftest import need, redis_reachable
from tests.support.deploy import http, postgres_reachable, running_stack

pytestmark = pytest.mark.services

PROXY_ADDRESS = "127.0.0.1"  # every request reaches gunicorn from the proxy on the host
ATTACKER = "203.0.113.66"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    import os

    url = os.environ.get("REDIS_URL", "")
    need("Redis", bool(url) and redis_reachable(url), "REDIS_URL is unset or unreachable")
    need("PostgreSQL", postgres_reachable(), "cannot connect to PostgreSQL")
    with running_stack(
        tmp_path_factory.mktemp("hardened"),
        url,
        workers=2,
        extra_env={
            "DJANGO_NUM_PROXIES": "1",
            "DJANGO_LOGIN_FAILURE_LIMIT": "3",
            "DJANGO_LOGIN_ADDRESS_FAILURE_LIMIT": "8",
            "DJANGO_THROTTLE_ANON": "6/min",
        },
    ) as stack:
        yield stack


def via_proxy(client: str, forged: str = "") -> dict[str, str]:
    """What the TLS proxy forwards: the client's own header (forged or not) plus its address."""
    return {
        "X-Forwarded-Proto": "https",
        "X-Forwarded-For": f"{forged}, {client}" if forged else client,
    }


def login(server, username: str, password: str, client: str, forged: str = "") -> bool:
    headers = via_proxy(client, forged)
    status, got, body = http(server.base_url + "/accounts/login/", headers=headers)
    assert status == 200, body[:300]
    cookie = re.search(r"csrftoken=([^;]+)", got["Set-Cookie"])[1]
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)[1].decode()
    form = {"username": username, "password": password, "csrfmiddlewaretoken": token}
    status, got, _ = http(
        server.base_url + "/accounts/login/",
        method="POST",
        data=urllib.parse.urlencode(form).encode(),
        headers={
            **headers,
            "Cookie": f"csrftoken={cookie}",
            "Content-Type": "application/x-www-form-urlencoded",
            "Referer": f"https://{server.base_url.split('://', 1)[1]}/accounts/login/",
        },
    )
    assert status in (200, 302), status  # a wrong or refused login shows the form again
    return status == 302 and got["Location"] == "/"


def test_nobody_can_lock_the_ptl_out_from_behind_the_shared_proxy(server):
    assert login(server, "ptl", "demo", "198.51.100.7")  # the PTL logs in
    # when: an attacker fails as the PTL over and over, forging X-Forwarded-For each time,
    # spread over both gunicorn workers
    for i in range(12):
        assert not login(server, "ptl", "guess", ATTACKER, forged=f"10.20.{i}.1")
    # then: the attacker is held, even with the right password and another forged header ...
    for i in range(4):
        assert not login(server, "ptl", "demo", ATTACKER, forged=f"10.30.{i}.1")
    # ... and the PTL, and everyone else behind the same proxy, still log in
    assert login(server, "ptl", "demo", "198.51.100.7")
    assert login(server, "ci-lead", "demo", "198.51.100.8")


def test_anonymous_throttling_counts_the_client_not_its_forged_header_in_every_worker(server):
    codes = [
        server.get("/api/v1/cycles/", headers={"X-Forwarded-For": f"10.40.{i}.9, 203.0.113.77"})[0]
        for i in range(12)
    ]
    # 6 per minute for that client, whichever worker answered and whatever it claimed
    assert codes[:6] == [200] * 6 and set(codes[6:]) == {429}, codes
    assert server.get("/api/v1/cycles/", headers={"X-Forwarded-For": "198.51.100.9"})[0] == 200


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("/api/v1/problems/?as_of=garbage", "as_of"),
        ("/api/v1/problems/?as_of=0001-01-01", "as_of"),
        ("/api/v1/cycles/ocata/forecast/?as_of=9999-12-31", "as_of"),
        ("/api/v1/blueprints/?limit=99999999999999999999", "limit"),
        ("/api/v1/blueprints/?offset=99999999999999999999", "offset"),
        ("/api/v1/work-items/?blueprint=99999999999999999999", "blueprint"),
        ("/api/v1/cycles/ocata/replan/?shift_days=1000000000", "shift_days"),
        ("/api/v1/cycles/ocata/milestones/?team=%00", "team"),
        ("/api/v1/blueprints/?squad=c%00i", "squad"),
    ],
)
def test_bad_query_values_are_400s_naming_the_parameter_on_postgresql(server, path, name):
    client = f"198.51.100.{40 + sum(map(ord, path)) % 200}"  # one client per case: no throttling
    status, _, body = server.get(path, headers={"X-Forwarded-For": client})
    assert status == 400, body[:300]
    assert name in json.loads(body)


@pytest.mark.parametrize(
    "path",
    ["/cycles/ocata/?as_of=garbage", "/cycles/ocata/?as_of=0001-01-01", "/cycles/ocata/?squad=%00"],
)
def test_bad_query_values_on_pages_are_400_pages(server, path):
    status, headers, body = server.get(path)
    assert status == 400 and b"<code>" in body
    assert headers["Content-Security-Policy"].startswith("default-src 'self'")


def test_every_page_sends_the_content_security_policy(server):
    for path in ("/", "/cycles/ocata/", "/squads/", "/accounts/login/", "/api/v1/cycles/"):
        status, headers, _ = server.get(path, headers={"X-Forwarded-For": "198.51.100.31"})
        assert status == 200, path
        assert headers["Content-Security-Policy"].startswith("default-src 'self';"), path
        assert "unsafe" not in headers["Content-Security-Policy"], path
