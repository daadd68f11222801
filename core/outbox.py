"""Enqueue Celery work so that a write never fails because the broker (Redis) is down.

``enqueue_on_commit(task, *args, **kwargs) -> bool`` is the one call services use instead of
``task.delay_on_commit``. The work is sent after the transaction commits; when the broker cannot
be reached it is kept as a ``PendingTask`` row (written in the caller's transaction, so it exists
exactly when the write does) and sent later by ``send_pending()``: from the periodic task
``core.tasks.send_pending_tasks`` (beat), at a worker's start and after the next enqueue that
reaches the broker. The return value tells the caller whether the work is on its way (True) or
pending until the broker is back (False), so an API can answer ``"recompute": "pending"``.
"""

from __future__ import annotations

import logging
import socket
import uuid
from typing import Any

from celery import Task, current_app
from django.db import transaction
from kombu.exceptions import OperationalError as KombuOperationalError

try:
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError
except ImportError:  # pragma: no cover - redis is a dependency
    RedisConnectionError = RedisTimeoutError = OSError  # type: ignore[misc, assignment]

logger = logging.getLogger(__name__)

# What a dead or unreachable broker raises, at connect or at publish.
BROKER_ERRORS: tuple[type[BaseException], ...] = (
    KombuOperationalError,
    RedisConnectionError,
    RedisTimeoutError,
    ConnectionError,
    socket.timeout,
    OSError,
)


def _app() -> Any:
    # The project's Celery app (created by the project package at start-up) is the current one;
    # core reaches it without importing the package above it.
    return current_app


def _eager(task: Task) -> bool:
    return bool(task.app.conf.task_always_eager)


def broker_available(timeout: float = 2.0) -> bool:
    """Whether the broker answers now (always True when tasks run eagerly)."""
    app = _app()
    if app.conf.task_always_eager:
        return True
    try:
        with app.connection_for_write() as conn:
            # max_retries=0: one attempt; kombu would otherwise wait seconds between tries.
            conn.ensure_connection(max_retries=0, timeout=timeout)
        return True
    except BROKER_ERRORS as exc:
        logger.warning("broker unreachable: %s", exc, extra={"event": "broker_down"})
        return False


def _send(task_name: str, args: list, kwargs: dict, task_id: str) -> None:
    """Publish once, without kombu's publish retries: a dead broker fails fast."""
    app = _app()
    task = app.tasks.get(task_name)
    if task is not None and app.conf.task_always_eager:
        task.apply_async(args=args, kwargs=kwargs, task_id=task_id)
        return
    app.send_task(task_name, args=args, kwargs=kwargs, task_id=task_id, retry=False)


def _record(task_name: str, args: list, kwargs: dict, task_id: str, error: str) -> None:
    from core.models import PendingTask

    PendingTask.objects.update_or_create(
        task_id=task_id,
        defaults={"task_name": task_name, "args": args, "kwargs": kwargs, "last_error": error},
    )


def enqueue_on_commit(task: Task, *args: Any, **kwargs: Any) -> bool:
    """Send ``task(*args, **kwargs)`` once the current transaction commits (now, outside one).

    Returns True when the broker was reachable (the work is sent at commit), False when it was
    not: the work is then recorded as a ``PendingTask`` in the same transaction and runs when
    the broker is back. Never raises for a broker outage, so the caller's write succeeds.
    Arguments must be JSON-serialisable (ids, not model instances).
    """
    name, task_id = task.name, str(uuid.uuid4())
    args_list, kwargs_dict = list(args), dict(kwargs)
    if not broker_available():
        _record(name, args_list, kwargs_dict, task_id, "broker unreachable at enqueue")
        logger.warning(
            "broker down: %s recorded as pending",
            name,
            extra={"event": "task_pending", "task": name, "task_id": task_id},
        )
        return False

    def send() -> None:
        try:
            _send(name, args_list, kwargs_dict, task_id)
        except BROKER_ERRORS as exc:
            # The broker went away between the check and the commit: keep the work.
            _record(name, args_list, kwargs_dict, task_id, repr(exc))
            logger.warning(
                "broker down at commit: %s recorded as pending (%s)",
                name,
                exc,
                extra={"event": "task_pending", "task": name, "task_id": task_id},
            )
            return
        if not _eager(task):
            _send_pending_soon()

    transaction.on_commit(send, robust=False)
    return True


def _send_pending_soon() -> None:
    """After a successful publish, send any work left over from an outage (cheap when none)."""
    from core.models import PendingTask

    if PendingTask.objects.exists():
        send_pending()


def send_pending(limit: int = 500) -> int:
    """Send recorded work (oldest first) and delete each row sent; stop at the first failure.

    Safe to run from several processes at once: rows are claimed with ``SKIP LOCKED`` on
    PostgreSQL. Returns how many tasks were sent.
    """
    from django.db import connection

    from core.models import PendingTask

    sent = 0
    while sent < limit:
        with transaction.atomic():
            rows = PendingTask.objects.order_by("created_at", "id")
            if connection.vendor == "postgresql":
                rows = rows.select_for_update(skip_locked=True)
            row = rows.first()
            if row is None:
                break
            try:
                _send(row.task_name, list(row.args), dict(row.kwargs), row.task_id)
            except BROKER_ERRORS as exc:
                PendingTask.objects.filter(pk=row.pk).update(
                    attempts=row.attempts + 1, last_error=repr(exc)[:2000]
                )
                logger.warning("broker still down, %s stays pending: %s", row.task_name, exc)
                break
            row.delete()
            sent += 1
    if sent:
        logger.info("sent %d pending task(s)", sent, extra={"event": "pending_sent", "sent": sent})
    return sent


def pending_count() -> int:
    """How much work waits for the broker (shown by /healthz)."""
    from core.models import PendingTask

    return PendingTask.objects.count()
