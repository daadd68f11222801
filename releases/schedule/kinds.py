"""Event ids → kinds and teams (``o-ff`` is a feature freeze, ``o-nova-spec-freeze`` a nova
deadline). The kinds themselves are ``releases.kinds.EventKind``."""

from __future__ import annotations

import re

from releases.kinds import KIND_BY_PREFIX, KIND_BY_WORDS, EventKind

# Team words seen in project-specific ids -> team name ("key" is ocata's keystone).
_TEAMS: dict[str, str] = {
    name: name
    for name in (
        "cinder",
        "glance",
        "horizon",
        "ironic",
        "keystone",
        "manila",
        "neutron",
        "nova",
        "openstackclient",
        "oslo",
        "sahara",
        "swift",
        "trove",
    )
} | {"key": "keystone"}
# Team events that are gatherings rather than deadlines.
_PROJECT_EVENT_WORDS = ("review-day", "bugsquash", "hackathon", "mid-cycle")

#: An upstream event id: ``<series letter>-<words>`` (``o-ff``, ``p-nova-spec-freeze``).
EVENT_ID_RE = re.compile(r"^[a-z][-_][a-z0-9]+(?:[-_][a-z0-9]+)*$")


def event_kind(key: str) -> tuple[str, str]:
    """Canonical kind and team ('' = cross-project) of an upstream event id.

    Ids are ``<series letter>-<kind words>`` (openstack/releases ``doc/source/*/schedule.yaml``);
    project-specific ids put the team first (``o-nova-spec-freeze``). Team events are
    ``project-deadline`` (or ``project-event`` for review days, bug squashes, hackathons and
    mid-cycles); unknown words give ``other``.

    >>> event_kind("o-ff"), event_kind("o-nova-spec-freeze")
    (('feature-freeze', ''), ('project-deadline', 'nova'))
    """
    words = key.lower()[2:].replace("_", "-")
    first = words.split("-", 1)[0]
    if first in _TEAMS and words not in KIND_BY_WORDS:
        team = _TEAMS[first]
        if any(w in words for w in _PROJECT_EVENT_WORDS):
            return EventKind.PROJECT_EVENT, team
        return EventKind.PROJECT_DEADLINE, team
    if words in KIND_BY_WORDS:
        return KIND_BY_WORDS[words], ""
    if first in KIND_BY_PREFIX:
        return KIND_BY_PREFIX[first], ""
    return EventKind.OTHER, ""
