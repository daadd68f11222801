"""``?as_of=YYYY-MM-DD``: the day a page or endpoint shows the cycle as it stood.

A parameter that is given must be a day: ``?as_of=garbage`` is an error naming the parameter
(400 on the API, a message on pages), never silently "today". Days are bounded to
``EARLIEST``..``LATEST``: the schedule arithmetic works weeks around the day, and at the ends of
the calendar (``0001-01-01``, ``9999-12-31``) that overflows.
"""

from __future__ import annotations

import re
from datetime import date

EARLIEST = date(1900, 1, 1)
LATEST = date(2999, 12, 31)
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
#: What ``parse_day`` accepts, as an OpenAPI schema (the schema is the behaviour): a date of
#: the years ``EARLIEST``..``LATEST``.
DAY_SCHEMA = {
    "type": "string",
    "format": "date",
    "pattern": r"^(19[0-9]{2}|2[0-9]{3})-[0-9]{2}-[0-9]{2}$",
}


class BadQueryParameter(ValueError):
    """A query (or form) parameter that cannot be used; says which and why.

    ``core.exceptions.exception_handler`` answers it with a 400 naming the parameter on the
    API, ``core.middleware.RequestHygieneMiddleware`` with a 400 page elsewhere."""

    def __init__(self, name: str, message: str) -> None:
        self.name = name
        self.message = message
        super().__init__(f"{name}: {message}")


def bounded_day(day: date, *, name: str) -> date:
    """``day`` if it lies within ``EARLIEST``..``LATEST``; ``BadQueryParameter`` otherwise."""
    if not EARLIEST <= day <= LATEST:
        raise BadQueryParameter(name, f"{day.isoformat()} is outside {EARLIEST}..{LATEST}.")
    return day


def parse_day(value: str | None, *, name: str) -> date | None:
    """None for an absent or empty parameter; the day for ``YYYY-MM-DD`` within bounds;
    ``BadQueryParameter`` naming ``name`` for anything else."""
    if value is None or value.strip() == "":
        return None
    text = value.strip()
    try:
        if not _DAY.fullmatch(text):
            raise ValueError(text)
        day = date.fromisoformat(text)
    except ValueError:
        shown = text if len(text) <= 40 else text[:40] + "…"
        raise BadQueryParameter(name, f"{shown!r} is not a day (YYYY-MM-DD).") from None
    return bounded_day(day, name=name)


def parse_as_of(value: str | None) -> date | None:
    """``?as_of=2017-01-10`` shows the cycle as it stood that day (e.g. the Ocata demo);
    absent or empty means today (None); anything else raises ``BadQueryParameter``."""
    return parse_day(value, name="as_of")
