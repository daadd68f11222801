"""Webhook signatures (pure), as Stripe signs its webhooks:

``X-Planner-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>." + raw body)>``

The timestamp is part of what is signed, so a receiver that refuses a signature older than a
few minutes (``verify``'s ``tolerance``, 5 minutes) cannot be fed a captured delivery again
later; it de-duplicates on ``X-Planner-Delivery`` within that window. Each attempt is signed
anew (same body, new time). Receivers compare with ``hmac.compare_digest``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder

SIGNATURE_HEADER = "X-Planner-Signature"
EVENT_HEADER = "X-Planner-Event"
DELIVERY_HEADER = "X-Planner-Delivery"
SCHEME = "v1"
DEFAULT_TOLERANCE = 300


def body_of(payload: Any) -> bytes:
    """The exact bytes sent (and signed): compact JSON with sorted keys, the same every attempt."""
    return json.dumps(
        payload, cls=DjangoJSONEncoder, sort_keys=True, separators=(",", ":")
    ).encode()


def _mac(body: bytes, secret: str, timestamp: int) -> str:
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def signature(body: bytes, secret: str, *, timestamp: int | None = None) -> str:
    """The header value: ``t=<timestamp>,v1=<hex HMAC-SHA256 of "<timestamp>." + body>``."""
    timestamp = int(time.time()) if timestamp is None else int(timestamp)
    return f"t={timestamp},{SCHEME}={_mac(body, secret, timestamp)}"


def verify(
    body: bytes,
    secret: str,
    header: str,
    *,
    tolerance: int = DEFAULT_TOLERANCE,
    now: float | None = None,
) -> bool:
    """What a receiver does: the signature matches and is at most ``tolerance`` seconds old."""
    fields: dict[str, list[str]] = {}
    for part in (header or "").split(","):
        key, _, value = part.strip().partition("=")
        fields.setdefault(key, []).append(value)
    try:
        timestamp = int(fields["t"][0])
    except (KeyError, ValueError):
        return False
    current = time.time() if now is None else now
    if abs(current - timestamp) > tolerance:
        return False
    expected = _mac(body, secret, timestamp)
    return any(hmac.compare_digest(expected, given) for given in fields.get(SCHEME, []))
