"""Feature-freeze exception rules (pure): when a request may be made, and its merge-by date.

The release process: after feature freeze only work granted an exception may merge, so an
exception is asked for from the freeze on (before it none is needed); the PTL may close requests
earlier (a cut-off, TripleO's "more conservative at the end of the cycle"); the work must merge
by RC1 at the latest ("after RC1 only release-critical fixes merge"). The page (to offer the
form or say why not), the API and the service all ask these same functions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class RequestFacts:
    """What decides whether an FFE may be requested for a blueprint on ``today``."""

    today: date
    series: str
    freeze: date | None
    rc1: date | None
    cutoff: date | None
    complete: bool
    has_open_request: bool


def request_refusal(facts: RequestFacts) -> str | None:
    """Why no FFE can be requested now, in words; None when a request is possible."""
    if facts.complete:
        return "The blueprint is already complete: no exception is needed."
    if facts.has_open_request:
        return "This blueprint already has an open FFE."
    if facts.freeze is None:
        return f"Series {facts.series} has no feature freeze in its schedule."
    if facts.today < facts.freeze:
        return (
            f"Feature freeze of {facts.series} is on {facts.freeze:%Y-%m-%d}: no exception is "
            "needed before it."
        )
    if facts.cutoff is not None and facts.today > facts.cutoff:
        return f"FFE requests for {facts.series} closed on {facts.cutoff:%Y-%m-%d}."
    return None


def merge_by_error(facts: RequestFacts, merge_by: date) -> str | None:
    """What is wrong with ``merge_by``, or None: not after RC1, not in the past."""
    if facts.rc1 is not None and merge_by > facts.rc1:
        return f"The merge-by date may not be after RC1 ({facts.rc1:%Y-%m-%d})."
    if merge_by < facts.today:
        return "The merge-by date is in the past."
    return None
