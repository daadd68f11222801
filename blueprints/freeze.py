"""Feature-freeze checks of a blueprint (pure rules, no ORM).

After feature freeze only work with a granted feature-freeze exception may merge (the release
process; ``FeatureFreezeException``). The feature freeze that applies to a blueprint is its
series' ``feature-freeze`` event, else its ``milestone-3`` (``blueprints.selectors``). Flags:

* ``target-after-freeze``: targeted at a milestone after the freeze, not complete and no FFE
  granted: the plan itself breaks the freeze.
* ``implemented-after-freeze``: completed after the freeze without a granted FFE.
* ``implemented-after-merge-by``: an FFE was granted but the work completed after its merge-by.
* ``open-after-freeze``: on the day asked about the freeze has passed, the blueprint is not
  complete and has no granted (or requested) FFE: request one or move it to the next cycle.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

GRANTED = ("Granted", "Merged", "Expired")  # was granted at some point
OPEN_REQUEST = ("Requested",)


@dataclass(frozen=True)
class FreezeFacts:
    as_of: date
    freeze: date | None
    complete: bool
    completed_on: date | None = None
    target_date: date | None = None
    target_label: str = ""
    ffe_status: str = ""  # the latest FFE's status, "" when none
    ffe_merge_by: date | None = None
    deferred: bool = False  # implementation status Deferred: out of this cycle


@dataclass(frozen=True)
class FreezeProblem:
    code: str
    message: str

    def as_dict(self) -> dict:
        return {"code": self.code, "message": self.message}


def freeze_problems(facts: FreezeFacts) -> list[FreezeProblem]:
    """Every freeze rule the blueprint breaks, each with its explanation."""
    freeze = facts.freeze
    if freeze is None:
        return []
    problems: list[FreezeProblem] = []
    granted = facts.ffe_status in GRANTED
    ff = f"feature freeze ({freeze:%d %b %Y})"
    if (
        facts.target_date is not None
        and facts.target_date > freeze
        and not facts.complete
        and not facts.deferred
        and not granted
    ):
        problems.append(
            FreezeProblem(
                "target-after-freeze",
                f"targeted at {facts.target_label or 'a milestone'} "
                f"({facts.target_date:%d %b %Y}), after the {ff}, without a granted FFE",
            )
        )
    if facts.complete and facts.completed_on is not None and facts.completed_on > freeze:
        if not granted:
            problems.append(
                FreezeProblem(
                    "implemented-after-freeze",
                    f"implemented on {facts.completed_on:%d %b %Y}, after the {ff}, "
                    "without a granted FFE",
                )
            )
        elif facts.ffe_merge_by is not None and facts.completed_on > facts.ffe_merge_by:
            problems.append(
                FreezeProblem(
                    "implemented-after-merge-by",
                    f"implemented on {facts.completed_on:%d %b %Y}, after its FFE's merge-by "
                    f"date ({facts.ffe_merge_by:%d %b %Y})",
                )
            )
    if (
        not facts.complete
        and not facts.deferred
        and facts.as_of > freeze
        and not granted
        and facts.ffe_status not in OPEN_REQUEST
    ):
        problems.append(
            FreezeProblem(
                "open-after-freeze",
                f"not complete after the {ff} and no FFE granted: request one or move it to "
                "the next cycle",
            )
        )
    return problems
