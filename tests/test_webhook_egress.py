"""Webhooks cannot be turned against the inside (server-side request forgery), their delivery
log tells nothing about ports, who reads it needs a permission, their signatures cannot be
replayed, and their secret never shows again once saved."""

from __future__ import annotations

import json
import re
import socket
import threading
import time

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from notifications import egress, signing
from notifications.models import Delivery, DeliveryStatus, Webhook
from notifications.services import delivery_attempt, event_publish
from tests.factories import UserFactory
from tests.support.webhooks import SECRET, Receiver

pytestmark = pytest.mark.django_db

REFUSED = [
    "169.254.169.254",  # the cloud metadata service
    "fd00:ec2::254",  # its IPv6 twin
    "169.254.10.1",  # link-local
    "fe80::1",
    "10.0.0.5",  # private
    "172.16.3.4",
    "192.168.1.10",
    "fc00::1",
    "100.64.0.1",  # carrier-grade NAT
    "127.0.0.1",  # loopback (not allowed here)
    "127.10.0.1",
    "::1",
    "0.0.0.0",
    "::",
    "224.0.0.1",  # multicast
    "255.255.255.255",
    "192.0.2.1",  # documentation
    "240.0.0.1",  # reserved
    "::ffff:127.0.0.1",  # IPv4-mapped loopback
    "::ffff:169.254.169.254",
    "2002:a9fe:a9fe::1",  # 6to4 around the metadata address
    "64:ff9b::a9fe:a9fe",  # NAT64 around it
    "2001:0:4136:e378:8000:63bf:f5fe:fefe",  # Teredo whose client is 10.1.1.1
]
PUBLIC = ["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111"]


@pytest.mark.parametrize("address", REFUSED)
def test_non_public_addresses_are_refused(address):
    assert egress.address_refusal(address) is not None


@pytest.mark.parametrize("address", PUBLIC)
def test_public_addresses_are_allowed(address):
    assert egress.address_refusal(address) is None


def test_loopback_only_is_allowed_by_the_setting():
    assert egress.address_refusal("127.0.0.1", loopback_allowed=True) is None
    assert egress.address_refusal("::1", loopback_allowed=True) is None
    for address in ("169.254.169.254", "10.0.0.5", "::ffff:10.0.0.5"):
        assert egress.address_refusal(address, loopback_allowed=True) is not None


def admin_client() -> Client:
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def add_webhook(client: Client, url: str, secret: str = SECRET):
    return client.post(
        "/admin/notifications/webhook/add/",
        {"name": "hook", "url": url, "secret": secret, "events": '["digest"]', "active": "on"},
    )


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
        "http://[fd00:ec2::254]/latest/meta-data/",
        "http://127.0.0.1:5432/",  # the database port
        "http://127.0.0.1:6379/",  # Redis
        "http://localhost:8000/admin/",
        "http://2130706433/",  # 127.0.0.1 as one number
        "http://0x7f.1/",  # and in hex
        "http://[::ffff:127.0.0.1]:8000/",
        "http://10.0.0.5/",
        "http://192.168.1.1/",
        "http://user:pw@93.184.216.34/",  # credentials in the URL
        "ftp://93.184.216.34/",
        "http://no-such-host.invalid/",
    ],
)
def test_the_admin_refuses_to_save_a_webhook_to_the_inside(url):
    response = add_webhook(admin_client(), url)
    assert response.status_code == 200  # the form again, with the error
    assert not Webhook.objects.exists()
    errors = response.context["adminform"].form.errors
    assert list(errors) == ["url"], errors
    assert re.search(r"Refused|Enter a valid URL|Only http", errors["url"][0])


def test_the_admin_saves_a_public_webhook(monkeypatch):
    monkeypatch.setattr(
        egress.socket,
        "getaddrinfo",
        lambda host, port, **kw: [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", port))
        ],
    )
    response = add_webhook(admin_client(), "https://hooks.example.org/planner")
    assert response.status_code == 302, response.content[:2000]
    assert Webhook.objects.get().url == "https://hooks.example.org/planner"


def test_a_webhook_that_now_points_inside_is_refused_when_sending(
    django_capture_on_commit_callbacks,
):
    # given: a webhook saved to a URL that reaches a local service (loopback is not allowed)
    with Receiver() as inside:
        Webhook.objects.create(name="x", url=inside.url, secret=SECRET, events=["digest"])
        with django_capture_on_commit_callbacks(execute=True):
            [delivery_id] = event_publish(event="digest", source="t:ssrf", data={"x": 1})
        # then: nothing reached it, the delivery failed at once (no retries), coarsely
        assert inside.requests == []
    delivery = Delivery.objects.get(pk=delivery_id)
    assert (delivery.status, delivery.attempts, delivery.response_code) == (
        DeliveryStatus.FAILED,
        1,
        None,
    )
    assert delivery.last_error == "refused: the host resolves to a loopback address"
    assert str(inside.server.server_address[1]) not in delivery.last_error


def test_dns_rebinding_cannot_move_the_connection_to_a_checked_away_address(monkeypatch, settings):
    # given: a host that resolves to a public address once, then to the local receiver
    settings.NOTIFICATIONS_WEBHOOK_ALLOW_LOOPBACK = False
    with Receiver() as inside:
        port = inside.server.server_address[1]
        answers = ["93.184.216.34", "127.0.0.1", "127.0.0.1"]
        lookups, connects = [], []

        def rebinding_getaddrinfo(host, port_, **kwargs):
            lookups.append(host)
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (answers.pop(0), port_))]

        def no_network(address, timeout=None, *args):
            connects.append(address)
            raise ConnectionRefusedError("no network in tests")

        monkeypatch.setattr(egress.socket, "getaddrinfo", rebinding_getaddrinfo)
        monkeypatch.setattr(egress.socket, "create_connection", no_network)
        hook = Webhook.objects.create(
            name="rebind",
            url=f"http://rebind.example:{port}/hook",
            secret=SECRET,
            events=["digest"],
        )
        delivery = Delivery.objects.create(webhook=hook, event="digest", source="t:rb", payload={})
        # when: one attempt
        with pytest.raises(Exception, match="delivery"):
            delivery_attempt(delivery_id=delivery.pk)
        # then: one lookup, and the connection went to the address that was checked
        assert lookups == ["rebind.example"]
        assert connects == [("93.184.216.34", port)]
        assert inside.requests == []
        # and the next attempt, now resolving to loopback, is refused before connecting
        assert delivery_attempt(delivery_id=delivery.pk).status == DeliveryStatus.FAILED
        assert connects == [("93.184.216.34", port)] and inside.requests == []


def test_a_mixed_dns_answer_is_refused(monkeypatch):
    monkeypatch.setattr(
        egress.socket,
        "getaddrinfo",
        lambda host, port, **kw: [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", port)),
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.5", port)),
        ],
    )
    with pytest.raises(egress.UnsafeDestination):
        egress.resolve("http://mixed.example/")


# --- the delivery log tells nothing about ports -------------------------------------------------
class _SilentServer:
    """Accepts connections and either closes them at once (a non-HTTP service) or never
    answers (a filtered port, seen as a timeout)."""

    def __init__(self, *, close: bool) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.close = close
        self.held: list[socket.socket] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            if self.close:
                conn.sendall(b"\x00\x01 not http\r\n")
                conn.close()
            else:
                self.held.append(conn)

    def stop(self) -> None:
        self.sock.close()
        for conn in self.held:
            conn.close()


def test_closed_open_and_filtered_ports_fail_with_the_same_error(settings):
    settings.NOTIFICATIONS_WEBHOOK_ALLOW_LOOPBACK = True
    settings.NOTIFICATIONS_WEBHOOK_TIMEOUT = 0.5
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    closed_port = closed.getsockname()[1]
    closed.close()  # nothing listens there now
    talker, mute = _SilentServer(close=True), _SilentServer(close=False)
    errors = {}
    try:
        for name, port in (("closed", closed_port), ("not-http", talker.port), ("mute", mute.port)):
            hook = Webhook.objects.create(
                name=name, url=f"http://127.0.0.1:{port}/", secret=SECRET, events=["digest"]
            )
            delivery = Delivery.objects.create(
                webhook=hook, event="digest", source=name, payload={}
            )
            with pytest.raises(Exception, match="delivery"):
                delivery_attempt(delivery_id=delivery.pk)
            delivery.refresh_from_db()
            errors[name] = (delivery.last_error, delivery.response_code)
    finally:
        talker.stop()
        mute.stop()
    assert len(set(errors.values())) == 1, errors
    assert errors["closed"] == ("no HTTP answer (connection failed or timed out)", None)


# --- who reads the log ----------------------------------------------------------------------------
def test_staff_without_the_permission_reads_no_delivery_log():
    hook = Webhook.objects.create(name="h", url="http://93.184.216.34/", secret=SECRET)
    Delivery.objects.create(webhook=hook, event="digest", source="s", payload={"secret": "x"})
    client = Client()
    client.force_login(UserFactory(is_staff=True))
    assert client.get("/api/v1/webhook-deliveries/").status_code == 403
    assert client.get(f"/api/v1/webhook-deliveries/{Delivery.objects.get().pk}/").status_code == 403
    assert client.get("/admin/notifications/delivery/").status_code == 403
    reader = UserFactory(is_staff=True)
    reader.user_permissions.add(Permission.objects.get(codename="view_delivery"))
    client.force_login(reader)
    assert client.get("/api/v1/webhook-deliveries/").json()["count"] == 1


# --- signatures ---------------------------------------------------------------------------------
def test_a_captured_delivery_cannot_be_replayed_later():
    body = signing.body_of({"event": "ffe.decision", "data": {"new": "Granted"}})
    header = signing.signature(body, SECRET, timestamp=1_700_000_000)
    assert re.fullmatch(r"t=1700000000,v1=[0-9a-f]{64}", header)
    assert signing.verify(body, SECRET, header, now=1_700_000_000 + 299)
    # replayed six minutes later: refused
    assert not signing.verify(body, SECRET, header, now=1_700_000_000 + 360)
    # a fresh timestamp on the captured MAC: refused
    forged = header.replace("t=1700000000", "t=1700000360")
    assert not signing.verify(body, SECRET, forged, now=1_700_000_000 + 360)
    # another body, another secret: refused
    assert not signing.verify(body + b" ", SECRET, header, now=1_700_000_000)
    assert not signing.verify(body, "other", header, now=1_700_000_000)


def test_each_attempt_is_signed_with_its_own_time(settings, django_capture_on_commit_callbacks):
    settings.NOTIFICATIONS_WEBHOOK_ALLOW_LOOPBACK = True
    with Receiver(codes=[500]) as server:
        Webhook.objects.create(name="r", url=server.url, secret=SECRET, events=["digest"])
        with django_capture_on_commit_callbacks(execute=True):
            event_publish(event="digest", source="t:sig", data={})
    first, second = (r["headers"][signing.SIGNATURE_HEADER] for r in server.requests)
    assert all(r["verified"] for r in server.requests)
    stamp = int(first.split(",")[0][2:])
    assert abs(stamp - time.time()) < 60
    assert json.loads(server.requests[0]["body"]) == json.loads(server.requests[1]["body"])
    assert second.startswith("t=")


# --- the secret in the admin --------------------------------------------------------------------
def test_the_admin_never_shows_the_secret_and_keeps_it_when_left_empty(monkeypatch):
    monkeypatch.setattr(
        egress.socket,
        "getaddrinfo",
        lambda host, port, **kw: [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", port))
        ],
    )
    client = admin_client()
    hook = Webhook.objects.create(
        name="h", url="https://hooks.example.org/", secret="the-real-secret-42", events=["digest"]
    )
    page = client.get(f"/admin/notifications/webhook/{hook.pk}/change/")
    assert page.status_code == 200
    assert b"the-real-secret-42" not in page.content
    assert re.search(rb'<input type="password" name="secret"[^>]*>', page.content)
    # saving without typing a secret keeps it
    form = {"name": "h", "url": "https://hooks.example.org/", "secret": "", "events": '["digest"]'}
    assert client.post(f"/admin/notifications/webhook/{hook.pk}/change/", form).status_code == 302
    hook.refresh_from_db()
    assert hook.secret == "the-real-secret-42" and not hook.active
    # typing one replaces it
    form["secret"] = "a-new-secret"
    client.post(f"/admin/notifications/webhook/{hook.pk}/change/", form)
    hook.refresh_from_db()
    assert hook.secret == "a-new-secret"
    assert (
        b"a-new-secret" not in client.get(f"/admin/notifications/webhook/{hook.pk}/change/").content
    )
