"""The server's clock: the one source of "today" for writes and for pages shown without ?as_of.

In production it is the real date. A demo of a past cycle sets ``PLANNER_TODAY`` (``make run``
sets 2017-01-12 for the Ocata demo), so requesting, granting and merging FFEs work as on that
day. A request never chooses the day a write happens on: ``?as_of=`` only changes what a page
shows.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date

from django.conf import settings
from django.utils import timezone

_replayed: ContextVar[date | None] = ContextVar("replayed_day", default=None)


@contextmanager
def replaying(day: date | None) -> Iterator[None]:
    """Inside, ``today()`` is ``day``: for trusted server processes that replay a past cycle
    (the demo loader writes each step on the day it happened). Never driven by a request."""
    token = _replayed.set(day)
    try:
        yield
    finally:
        _replayed.reset(token)


def today() -> date:
    """The day being replayed, else ``PLANNER_TODAY`` when the server sets one, else the real
    local date."""
    replayed = _replayed.get()
    if replayed is not None:
        return replayed
    fixed = getattr(settings, "PLANNER_TODAY", None)
    if fixed:
        return fixed if isinstance(fixed, date) else date.fromisoformat(str(fixed))
    return timezone.localdate()
