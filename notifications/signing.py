"""Webhook signatures (pure): ``X-Planner-Signature: sha256=<hex HMAC-SHA256(secret, body)>``,
as GitHub's ``X-Hub-Signature-256``; receivers compare with ``hmac.compare_digest``."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder

SIGNATURE_HEADER = "X-Planner-Signature"
EVENT_HEADER = "X-Planner-Event"
DELIVERY_HEADER = "X-Planner-Delivery"


def body_of(payload: Any) -> bytes:
    """The exact bytes sent (and signed): compact JSON with sorted keys, the same every attempt."""
    return json.dumps(
        payload, cls=DjangoJSONEncoder, sort_keys=True, separators=(",", ":")
    ).encode()


def signature(body: bytes, secret: str) -> str:
    """``sha256=`` and the hex HMAC-SHA256 of the raw body keyed with the webhook's secret."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify(body: bytes, secret: str, header: str) -> bool:
    """What a receiver does: recompute and compare in constant time."""
    return hmac.compare_digest(signature(body, secret), header or "")
