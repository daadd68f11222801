"""``?as_of=YYYY-MM-DD``: the day a page or endpoint shows the cycle as it stood."""

from __future__ import annotations

from datetime import date


def parse_as_of(value: str | None) -> date | None:
    """``?as_of=2017-01-10`` shows the cycle as it stood that day (e.g. the Ocata demo)."""
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None
