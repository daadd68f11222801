"""Domain events of the blueprints app, sent by the services once their transaction commits.

Receivers (notifications' webhooks) learn what happened from the arguments, never by reading the
audit trail back. Each event carries a ``change_id``, unique per change, that receivers use to
act on it once however often it reaches them.

``blueprint_status_changed``: ``blueprint_id``, ``old``, ``new`` (implementation statuses),
``actor_id`` (None for a system process), ``at`` (aware datetime), ``change_id``.

``ffe_decided``: ``ffe_id``, ``old`` (Requested), ``status`` (Granted or Denied), ``actor_id``,
``at``, ``change_id``.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from django.db import transaction
from django.dispatch import Signal

blueprint_status_changed = Signal()
ffe_decided = Signal()


def send_on_commit(signal: Signal, *, sender: type, at: datetime, **data: Any) -> str:
    """Send ``signal`` after the current transaction commits (at once outside one); a rolled
    back write sends nothing. Returns the change id the event carries."""
    change_id = uuid.uuid4().hex
    transaction.on_commit(
        lambda: signal.send(sender=sender, at=at, change_id=change_id, **data), robust=False
    )
    return change_id
