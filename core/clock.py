"""The server's clock: the one source of "today" for writes and for pages shown without ?as_of.

In production it is the real date. A demo of a past cycle sets ``PLANNER_TODAY`` (``make run``
sets 2017-01-12 for the Ocata demo), so requesting, granting and merging FFEs work as on that
day. A request never chooses the day a write happens on: ``?as_of=`` only changes what a page
shows.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.utils import timezone


def today() -> date:
    """``PLANNER_TODAY`` when the server sets one, else the real local date."""
    fixed = getattr(settings, "PLANNER_TODAY", None)
    if fixed:
        return fixed if isinstance(fixed, date) else date.fromisoformat(str(fixed))
    return timezone.localdate()
