"""Where a webhook may point: public addresses only (no server-side request forgery).

A webhook URL is resolved when it is saved and again at every delivery, and refused unless
every address its host resolves to is a public unicast address: never the cloud metadata
service (169.254.169.254, fd00:ec2::254), link-local, private (10/8, 172.16/12, 192.168/16,
fc00::/7), shared (100.64/10), loopback, multicast, reserved or documentation ranges, nor a
public-looking IPv6 address that embeds one of those (IPv4-mapped, 6to4, Teredo, NAT64).
Loopback is allowed only with ``NOTIFICATIONS_WEBHOOK_ALLOW_LOOPBACK`` (the tests' local
receivers); nothing else ever is.

A delivery connects to the very address that was checked (``pinned``): the host is resolved
once per attempt, and the connection goes to that IP with the URL's host name in ``Host`` and,
for https, in SNI and the certificate check. A DNS answer that changes between the check and
the connection (DNS rebinding) therefore cannot send the request elsewhere.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

NAT64 = ipaddress.ip_network("64:ff9b::/96")


class UnsafeDestination(ValueError):
    """The URL may not be used as a webhook; the message says why, without addresses."""


class UnresolvableHost(OSError):
    """The host name does not resolve (now): worth another try later."""


@dataclass(frozen=True)
class Destination:
    scheme: str
    host: str
    port: int
    target: str  # path and query, as sent in the request line
    address: str  # the checked IP the connection goes to


def allow_loopback() -> bool:
    return bool(getattr(settings, "NOTIFICATIONS_WEBHOOK_ALLOW_LOOPBACK", False))


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    found = []
    if ip.ipv4_mapped is not None:
        found.append(ip.ipv4_mapped)
    if ip.sixtofour is not None:
        found.append(ip.sixtofour)
    if ip.teredo is not None:
        found.extend(ip.teredo)
    if ip in NAT64:
        found.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    return found


def address_refusal(address: str, *, loopback_allowed: bool = False) -> str | None:
    """Why ``address`` may not receive webhooks, or None when it may."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return "not an IP address"
    if isinstance(ip, ipaddress.IPv6Address):
        for inner in _embedded_ipv4(ip):
            reason = address_refusal(str(inner), loopback_allowed=loopback_allowed)
            if reason:
                return reason
    if ip.is_loopback:
        return None if loopback_allowed else "a loopback address"
    if ip.is_link_local:
        return "a link-local address (cloud metadata lives there)"
    if ip.is_multicast:
        return "a multicast address"
    if not ip.is_global or ip.is_reserved or ip.is_unspecified:
        return "a private or reserved address"
    return None


def _split(url: str) -> tuple[str, str, int, str]:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise UnsafeDestination("not a valid URL") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise UnsafeDestination("only http(s) URLs")
    if parts.username is not None or parts.password is not None:
        raise UnsafeDestination("no credentials in the URL (the secret signs each request)")
    host = parts.hostname
    if not host:
        raise UnsafeDestination("the URL has no host")
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return scheme, host, port or (443 if scheme == "https" else 80), target


def resolve(url: str) -> Destination:
    """Resolve ``url``'s host and check every address; the first one is the one to use.

    Raises ``UnsafeDestination`` for a URL that may never be used and ``UnresolvableHost``
    when its host does not resolve.
    """
    scheme, host, port, target = _split(url)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise UnresolvableHost("the host does not resolve") from exc
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    if not addresses:
        raise UnresolvableHost("the host does not resolve")
    loopback = allow_loopback()
    for address in addresses:
        reason = address_refusal(address, loopback_allowed=loopback)
        if reason:
            # Every answer must be public: a mixed answer is how rebinding starts.
            raise UnsafeDestination(f"the host resolves to {reason}")
    return Destination(scheme, host, port, target, addresses[0])


def check_url(url: str) -> None:
    """What saving a webhook asks: raises ``UnsafeDestination`` (also when it does not
    resolve: a webhook is saved to be used)."""
    try:
        resolve(url)
    except UnresolvableHost:
        raise UnsafeDestination("the host does not resolve") from None


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, destination: Destination, timeout: float) -> None:
        super().__init__(destination.host, destination.port, timeout=timeout)
        self._address = destination.address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, destination: Destination, timeout: float) -> None:
        super().__init__(
            destination.host,
            destination.port,
            timeout=timeout,
            context=ssl.create_default_context(),
        )
        self._address = destination.address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        # The certificate is checked against the URL's host name, not the IP.
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def post(destination: Destination, body: bytes, headers: dict[str, str], timeout: float) -> int:
    """POST ``body`` to the pinned address; the answer's status code (redirects are answers,
    never followed). Raises ``OSError``/``http.client.HTTPException`` when no answer came."""
    connection_class = (
        _PinnedHTTPSConnection if destination.scheme == "https" else _PinnedHTTPConnection
    )
    connection = connection_class(destination, timeout)
    try:
        connection.request("POST", destination.target, body=body, headers=headers)
        response = connection.getresponse()
        status = response.status
        response.close()
        return status
    finally:
        connection.close()
