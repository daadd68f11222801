"""Parse openstack/releases schedules (``doc/source/<series>/schedule.yaml`` + ``schedule.rst``).

Pure Python (PyYAML only, no ORM). The yaml lists Monday–Friday weeks and the event ids noted
in each; the rst gives each event id a label, a title and prose. This package turns the pair into
dated events, keeping which rule produced each date and where the sources disagree:

* ``yaml_source`` reads the weeks and listings, ``rst`` the labelled sections, ``prose`` the
  dates a paragraph states, ``kinds`` maps ids to kinds and teams, ``attribution`` decides the
  series an event is about, ``parse`` dates one series' events, ``merge`` joins every file's.

The rules (see docs/date-rules.md):

* Date: the day the event's prose states (``stated``); a range of days gives its first day
  (``stated-range``); otherwise the Thursday of the week the yaml lists the event in
  (``thursday``) -- "deadlines are generally the Thursday of the week on which they are noted"
  (every schedule.rst since ocata).
* Series: an event is about the series its title names; else the series whose initial letter
  starts its id, the one nearest (in series order) to the file's series.
* Conflicts: a stated date outside the listed week moves the event to the week containing the
  date; when two files date one event, a stated date beats a Thursday fallback and then the
  series' own file wins. Every disagreement is kept as a human-readable conflict string.
"""

from releases.schedule.attribution import series_for_key
from releases.schedule.files import MAX_SOURCE_BYTES, decode_utf8, read_source, read_text
from releases.schedule.kinds import event_kind
from releases.schedule.merge import merge_events
from releases.schedule.parse import load_schedule, parse_schedule
from releases.schedule.parsed import (
    DATE_RULE_STATED,
    DATE_RULE_STATED_RANGE,
    DATE_RULE_THURSDAY,
    RULE_LABELS,
    ParsedEvent,
    ParsedOccurrence,
    ParsedSchedule,
    ParsedWeek,
    ScheduleError,
)
from releases.schedule.prose import monday_of, stated_date, stated_range, thursday_of
from releases.schedule.yaml_source import (
    refuse_aliases,
    safe_compose,
    safe_load,
    series_order_from_status,
    yaml_error,
)

__all__ = [
    "MAX_SOURCE_BYTES",
    "DATE_RULE_STATED",
    "DATE_RULE_STATED_RANGE",
    "DATE_RULE_THURSDAY",
    "RULE_LABELS",
    "ParsedEvent",
    "ParsedOccurrence",
    "ParsedSchedule",
    "ParsedWeek",
    "ScheduleError",
    "decode_utf8",
    "event_kind",
    "load_schedule",
    "merge_events",
    "monday_of",
    "parse_schedule",
    "read_source",
    "read_text",
    "refuse_aliases",
    "safe_compose",
    "safe_load",
    "series_for_key",
    "series_order_from_status",
    "stated_date",
    "stated_range",
    "thursday_of",
    "yaml_error",
]
