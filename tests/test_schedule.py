"""releases.schedule on the real openstack/releases schedules and on small inline sources.

Pure Python: run with ``pytest -p no:django tests/test_schedule.py``.
"""

from __future__ import annotations

import textwrap
from datetime import date, timedelta
from pathlib import Path

import pytest

from releases.kinds import EventKind
from releases.schedule import (
    DATE_RULE_STATED,
    DATE_RULE_STATED_RANGE,
    DATE_RULE_THURSDAY,
    RULE_LABELS,
    ParsedEvent,
    ParsedSchedule,
    ScheduleError,
    event_kind,
    load_schedule,
    merge_events,
    parse_schedule,
    series_for_key,
    series_order_from_status,
    stated_date,
    stated_range,
    thursday_of,
)
from tests.conftest import RELEASES_TREE

RELEASES = RELEASES_TREE
DOCS = RELEASES / "doc" / "source"

YAML_SERIES = [
    "ocata", "pike", "queens", "rocky", "stein", "train", "ussuri", "victoria", "wallaby",
    "xena", "yoga", "zed", "antelope", "bobcat", "caracal", "dalmatian", "epoxy", "flamingo",
    "gazpacho", "hibiscus", "indri",
]  # fmt: skip

# The real data: without it these tests skip saying how to get it, and fail under
# REQUIRE_SERVICES=1 (tests.conftest.releases_tree), so CI cannot pass without them.
needs_data = pytest.mark.usefixtures("releases_tree")


# --- real data --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def order(releases_tree: Path) -> list[str]:
    return series_order_from_status((releases_tree / "data" / "series_status.yaml").read_text())


@pytest.fixture(scope="module")
def schedules(order: list[str]) -> dict[str, ParsedSchedule]:
    return {name: load_schedule(DOCS / name, order) for name in YAML_SERIES}


@pytest.fixture(scope="module")
def merged(schedules: dict[str, ParsedSchedule]) -> dict[tuple[str, str], ParsedEvent]:
    events = merge_events(schedules.values())
    return {(e.series, e.key): e for e in events}


def _event(schedule: ParsedSchedule, key: str) -> ParsedEvent:
    return next(e for e in schedule.events if e.key == key)


@needs_data
def test_series_order_oldest_first(order: list[str]) -> None:
    assert order[0] == "austin"
    assert order[-1] == "indri"
    assert order.index("zed") + 1 == order.index("antelope")
    assert set(YAML_SERIES) <= set(order)


@needs_data
def test_ocata_dates_kinds_and_rules(schedules: dict[str, ParsedSchedule]) -> None:
    ocata = schedules["ocata"]
    expected = {
        # key: (date, kind, rule)
        "o-1": (date(2016, 11, 17), "milestone-1", DATE_RULE_STATED),
        "o-2": (date(2016, 12, 15), "milestone-2", DATE_RULE_STATED),
        "o-3": (date(2017, 1, 26), "milestone-3", DATE_RULE_STATED),
        "o-ff": (date(2017, 1, 26), "feature-freeze", DATE_RULE_THURSDAY),
        "o-rc1": (date(2017, 2, 2), "rc1", DATE_RULE_STATED),
        "o-finalrc": (date(2017, 2, 16), "final-rc", DATE_RULE_THURSDAY),  # "The week of 13-17"
        "o-release": (date(2017, 2, 22), "release", DATE_RULE_STATED),
        "o-trailing": (date(2017, 3, 9), "trailing", DATE_RULE_STATED),
        "o-glance-spec-prop": (date(2016, 11, 10), "project-deadline", DATE_RULE_STATED),
        "o-cinder-spec-freeze": (date(2016, 12, 14), "project-deadline", DATE_RULE_STATED),
        "o-horizon-ff": (date(2017, 1, 19), "project-deadline", DATE_RULE_THURSDAY),
    }
    for key, (day, kind, rule) in expected.items():
        event = _event(ocata, key)
        assert (event.date, event.kind, event.rule) == (day, kind, rule), key
        assert event.series == "ocata"
    assert _event(ocata, "o-cinder-spec-freeze").team == "cinder"
    assert _event(ocata, "o-key-spec-prop").team == "keystone"
    assert _event(ocata, "o-ff").cross_project
    assert _event(ocata, "o-1").title == "Ocata-1 milestone"
    assert _event(ocata, "o-1").week_name == "R-14"


@needs_data
def test_ocata_2_prose_date_wins_over_its_yaml_week(schedules: dict[str, ParsedSchedule]) -> None:
    o2 = _event(schedules["ocata"], "o-2")
    assert o2.date == date(2016, 12, 15)
    assert o2.week_start == date(2016, 12, 12)  # moved from the listed week 2016-12-05
    assert o2.week_name == "R-10"
    assert len(o2.conflicts) == 1
    assert "2016-12-05" in o2.conflicts[0] and "2016-12-15" in o2.conflicts[0]


@needs_data
def test_ocata_duplicate_and_unsorted_weeks(schedules: dict[str, ParsedSchedule]) -> None:
    ocata = schedules["ocata"]
    starts = [w.start for w in ocata.weeks]
    assert starts == sorted(starts)
    assert starts.count(date(2016, 10, 31)) == 1  # listed twice upstream, merged
    assert [e.key for e in ocata.events].count("n-release") == 1
    assert _event(ocata, "o-goals-research").week_start == date(2016, 10, 31)


@needs_data
@pytest.mark.parametrize(
    ("series", "key", "day", "rule"),
    [
        # dates read from each series' schedule.rst prose
        ("pike", "p-1", date(2017, 4, 13), DATE_RULE_STATED),  # "13 April 2017"
        ("pike", "p-release", date(2017, 8, 30), DATE_RULE_STATED),  # "on 30 August 2017"
        ("pike", "p-cinder-spec-freeze", date(2017, 6, 7), DATE_RULE_STATED),  # "the 7th of June"
        ("train", "t-2", date(2019, 7, 25), DATE_RULE_STATED),  # "25 July, 2019"
        ("train", "t-final", date(2019, 10, 16), DATE_RULE_STATED),  # "on 16 October 2019"
        ("zed", "z-final", date(2022, 10, 5), DATE_RULE_STATED),  # "Wednesday, 05 October, 2022"
        ("zed", "z-ptg", date(2022, 4, 4), DATE_RULE_STATED_RANGE),  # "April 04-08, 2022"
        ("antelope", "a-2", date(2023, 1, 5), DATE_RULE_STATED),  # "05 January, 2023"
        ("epoxy", "e-2", date(2025, 1, 9), DATE_RULE_STATED),  # "January 9, 2025 is ..."
        ("epoxy", "e-final", date(2025, 4, 2), DATE_RULE_STATED),  # "Wednesday, April 2, 2025"
        ("epoxy", "e-vptg", date(2024, 10, 21), DATE_RULE_STATED_RANGE),  # "October 21 to 25"
        ("epoxy", "e-nova-spec-review-day", date(2024, 11, 12), DATE_RULE_STATED),
        ("flamingo", "f-1", date(2025, 5, 15), DATE_RULE_STATED),  # "May 15, 2025"
        ("flamingo", "f-final", date(2025, 10, 1), DATE_RULE_STATED),
        ("dalmatian", "e-election-email-deadline", date(2024, 8, 28), DATE_RULE_STATED),  # ISO
        # Thursday rule: "The week of March 10, 2025" names a week, not a day
        ("epoxy", "e-rc1", date(2025, 3, 13), DATE_RULE_THURSDAY),
        ("epoxy", "e-ff", date(2025, 2, 27), DATE_RULE_THURSDAY),
        ("train", "t-rc1", date(2019, 9, 26), DATE_RULE_THURSDAY),  # "week of September 23-27"
        # far-away prose dates are not the event's: "merged before 11 March 2021" (client libs)
        ("wallaby", "w-cinder-feature-checkpoint", date(2021, 2, 11), DATE_RULE_THURSDAY),
    ],
)
def test_dates_from_other_series(
    schedules: dict[str, ParsedSchedule], series: str, key: str, day: date, rule: str
) -> None:
    event = _event(schedules[series], key)
    assert (event.date, event.rule) == (day, rule)


@needs_data
def test_year_typos_in_prose_are_corrected_and_recorded(
    schedules: dict[str, ParsedSchedule],
) -> None:
    q_ptg = _event(schedules["queens"], "q-ptg")  # "11-15 September 2018", listed 2017-09-11
    assert (q_ptg.date, q_ptg.rule) == (date(2017, 9, 11), DATE_RULE_STATED_RANGE)
    assert any("2018" in c for c in q_ptg.conflicts)
    spec = _event(schedules["caracal"], "c-cinder-spec-freeze")  # "Friday 22 December 2022"
    assert spec.date == date(2023, 12, 22)
    assert spec.conflicts


@needs_data
def test_all_series_parse_and_dates_sit_in_their_week(
    schedules: dict[str, ParsedSchedule],
) -> None:
    for name, schedule in schedules.items():
        assert schedule.series == name
        assert schedule.events, name
        weeks = {w.start: w for w in schedule.weeks}
        for prev, nxt in zip(schedule.weeks, schedule.weeks[1:], strict=False):
            assert prev.end < nxt.start, name
        for event in schedule.events:
            assert event.rule in RULE_LABELS
            assert event.kind in EventKind.values
            if event.week_start is None:  # prose-only label, dated by its prose
                assert event.rule != DATE_RULE_THURSDAY
                assert event.conflicts
                continue
            week = weeks[event.week_start]
            assert week.start <= event.date <= week.start + timedelta(days=6), event.key
            assert event.week_name == week.name
            if event.rule == DATE_RULE_THURSDAY:
                assert event.date.weekday() == 3


@needs_data
def test_counts_and_rules(schedules: dict[str, ParsedSchedule]) -> None:
    total = sum(len(s.events) for s in schedules.values())
    stated = sum(1 for s in schedules.values() for e in s.events if e.rule != DATE_RULE_THURSDAY)
    assert total > 700
    assert 150 < stated < total / 2
    assert len(schedules["ocata"].events) == 40  # distinct ids in ocata/schedule.yaml


@needs_data
def test_every_series_has_the_core_kinds_after_merge(
    merged: dict[tuple[str, str], ParsedEvent],
) -> None:
    core = {"milestone-1", "milestone-2", "milestone-3", "feature-freeze", "rc1", "release"}
    for name in YAML_SERIES:
        kinds = {e.kind for (series, _), e in merged.items() if series == name}
        assert core <= kinds, (name, core - kinds)
    assert len(merged) == len(set(merged))


@needs_data
def test_attribution(
    schedules: dict[str, ParsedSchedule], merged: dict[tuple[str, str], ParsedEvent]
) -> None:
    # the title names the series
    assert _event(schedules["epoxy"], "e-cycle-trail").series == "dalmatian"
    assert _event(schedules["antelope"], "a-cycle-trail").series == "zed"
    assert _event(schedules["ocata"], "p-ptl-nomination").series == "pike"
    # the letter, resolved next to the file's series
    assert _event(schedules["ocata"], "n-release").series == "newton"
    assert _event(schedules["ocata"], "p-ptg0").series == "pike"
    assert _event(schedules["epoxy"], "d-final").series == "dalmatian"
    # letters repeat after zed: a = antelope, not austin
    assert _event(schedules["bobcat"], "a-final").series == "antelope"
    assert _event(schedules["antelope"], "a-1").series == "antelope"
    assert ("newton", "n-release") in merged
    assert merged[("dalmatian", "e-cycle-trail")].date == date(2024, 12, 5)


@needs_data
def test_merge_keeps_own_file_and_records_the_other(
    merged: dict[tuple[str, str], ParsedEvent],
) -> None:
    d_final = merged[("dalmatian", "d-final")]
    assert d_final.date == date(2024, 10, 2)
    assert "dalmatian/schedule.yaml" in d_final.source
    assert any("epoxy/schedule.yaml" in c and "2024-10-03" in c for c in d_final.conflicts)
    o_release = merged[("ocata", "o-release")]
    assert o_release.date == date(2017, 2, 22)
    assert any("pike/schedule.yaml" in c for c in o_release.conflicts)
    # pike's own file only lists p-ptg0 (Thursday); ocata's prose states "20-24 February 2017"
    ptg = merged[("pike", "p-ptg0")]
    assert (ptg.date, ptg.rule) == (date(2017, 2, 20), DATE_RULE_STATED_RANGE)
    assert ptg.title == "Pike Project Team Gathering (PTG)"
    assert any("2017-02-23" in c for c in ptg.conflicts)


@needs_data
def test_prose_only_labels(schedules: dict[str, ParsedSchedule]) -> None:
    queens = schedules["queens"]
    trailing = _event(queens, "q-trailing-release")  # "is set to May 30th, 2018", in no week
    assert (trailing.date, trailing.week_start) == (date(2018, 5, 30), None)
    assert "q-goals-ack" in queens.unplaced
    assert "v-mf" in schedules["victoria"].unplaced


@needs_data
def test_schedule_level_conflicts(schedules: dict[str, ParsedSchedule]) -> None:
    # ussuri's first week reads 2019-10-14 - 2019-10-28: read as Monday-Friday
    assert schedules["ussuri"].weeks[0].end == date(2019, 10, 18)
    assert any("2019-10-28" in c for c in schedules["ussuri"].conflicts)
    # wallaby: release-week 2021-05-03 but the release happened on 2021-04-14
    assert any("2021-05-03" in c for c in schedules["wallaby"].conflicts)
    assert _event(schedules["wallaby"], "w-final").conflicts


# --- pure rules -------------------------------------------------------------------------------


def test_thursday_of() -> None:
    assert thursday_of(date(2017, 1, 23)) == date(2017, 1, 26)  # Monday
    assert thursday_of(date(2017, 1, 26)) == date(2017, 1, 26)
    assert thursday_of(date(2017, 1, 27)) == date(2017, 1, 26)  # Friday
    assert thursday_of(date(2017, 1, 29)) == date(2017, 1, 26)  # Sunday: the week before


@pytest.mark.parametrize(
    ("prose", "near", "expected"),
    [
        ("17 November is the ocata-1 milestone", date(2016, 11, 17), date(2016, 11, 17)),
        ("with a deadline of 2 February.", date(2017, 2, 2), date(2017, 2, 2)),
        ("will happen on 22 February.", date(2017, 2, 23), date(2017, 2, 22)),
        ("cycle is 9 March.", date(2017, 3, 9), date(2017, 3, 9)),
        ("January 9, 2025 is the Epoxy-2 milestone.", date(2025, 1, 9), date(2025, 1, 9)),
        ("will happen on Wednesday, April 2, 2025.", date(2025, 4, 3), date(2025, 4, 2)),
        ("approved by 14th\nDecember, 2016.", date(2016, 12, 8), date(2016, 12, 14)),
        ("by 23:59 UTC on Thursday 10 November 2016.", date(2016, 11, 10), date(2016, 11, 10)),
        ("must be approved by the 7th of June, 2017.", date(2017, 6, 8), date(2017, 6, 7)),
        ("by 2024-08-28 00:00 UTC", date(2024, 8, 29), date(2024, 8, 28)),
        # year inferred near the week: December listed in a January week is the year before
        ("approved by 30 December", date(2017, 1, 5), date(2016, 12, 30)),
        # several days: the one nearest the listed week
        ("On 12 Nov 2024 and 11 Dec 2024, specs", date(2024, 12, 12), date(2024, 12, 11)),
        # a deadline phrase beats a bare mention
        ("Due to the 7 September holiday, merge by 10 September", date(2020, 9, 10),
         date(2020, 9, 10)),
        # weeks, spans, nothing, far away: no stated day
        ("The week of 30 January - 3 February is the target", date(2017, 2, 2), None),
        ("The week of March 10, 2025 is the target date", date(2025, 3, 13), None),
        ("The week of 13-17 February is the last week", date(2017, 2, 16), None),
        ("for the Pike release 20-24 February 2017 in Atlanta", date(2017, 2, 23), None),
        ("approved by the TC by (TBD)", date(2017, 1, 5), None),
        ("merged before 11 March 2021.", date(2021, 2, 11), None),
        ("Meeting these requirements on the 14th does not", date(2016, 12, 8), None),
    ],
)  # fmt: skip
def test_stated_date(prose: str, near: date, expected: date | None) -> None:
    assert stated_date(prose, near) == expected


def test_stated_range() -> None:
    near = date(2017, 2, 23)
    assert stated_range("release 20-24 February 2017 in Atlanta", near) == (
        date(2017, 2, 20),
        date(2017, 2, 24),
    )
    assert stated_range("From October 21 to 25 we'll", date(2024, 10, 24)) == (
        date(2024, 10, 21),
        date(2024, 10, 25),
    )
    assert stated_range("The week of 13-17 February is", date(2017, 2, 16)) is None
    assert stated_range("will happen on 22 February.", near) is None


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("o-ff", ("feature-freeze", "")),
        ("o-1", ("milestone-1", "")),
        ("e-final", ("release", "")),
        ("o-release", ("release", "")),
        ("o-finalrc", ("final-rc", "")),
        ("o-trailing", ("trailing", "")),
        ("u-cycle-trail", ("trailing", "")),
        ("p-trailing-release", ("trailing", "")),
        ("o-soft-sf", ("soft-string-freeze", "")),
        ("o-hard-sf", ("hard-string-freeze", "")),
        ("o-rf", ("requirements-freeze", "")),
        ("o-mf", ("membership-freeze", "")),
        ("o-final-lib", ("final-lib", "")),
        ("o-final-clientlib", ("final-clientlib", "")),
        ("p-ptg0", ("ptg", "")),
        ("e-vptg", ("ptg", "")),
        ("b-summit", ("summit", "")),
        ("o-goals-ack", ("goals", "")),
        ("f-election-voting", ("election", "")),
        ("p-ptl-nomination", ("election", "")),
        ("r-email-deadline", ("election", "")),
        ("u_cycle-highlights", ("cycle-highlights", "")),
        ("e-extra-acs", ("extra-atcs", "")),
        ("o-nova-spec-freeze", ("project-deadline", "nova")),
        ("o-cinder-nddeadline", ("project-deadline", "cinder")),
        ("o-key-spec-prop", ("project-deadline", "keystone")),
        ("e-manila-bugsquash", ("project-event", "manila")),
        ("u-py-drop-1", ("other", "")),
    ],
)
def test_event_kind(key: str, expected: tuple[str, str]) -> None:
    assert event_kind(key) == expected
    assert expected[0] in EventKind.values


def test_series_for_key() -> None:
    order = ["austin", "bexar", "newton", "ocata", "pike", "zed", "antelope", "bobcat"]
    assert series_for_key("a-final", "", "bobcat", order) == "antelope"
    assert series_for_key("b-1", "", "bexar", order) == "bexar"
    assert series_for_key("e-cycle-trail", "2024.2 Dalmatian", "epoxy", order) == "epoxy"
    assert series_for_key("a-cycle-trail", "Zed Cycle-Trailing", "antelope", order) == "zed"
    assert series_for_key("n-release", "", "ocata", order) == "newton"
    assert series_for_key("q-x", "", "ocata", order) == "ocata"  # no series with that letter


def test_series_order_from_status() -> None:
    text = "- name: bobcat\n  release-id: 2023.2\n- name: antelope\n- name: zed\n"
    assert series_order_from_status(text) == ["zed", "antelope", "bobcat"]


# --- small inline sources ---------------------------------------------------------------------

ORDER = ["newton", "ocata", "pike"]

GOOD_YAML = """\
start-week: 2016-11-07
release-week: '2016-11-21'
cycle:
- start: '2016-11-14'
  end: '2016-11-18'
  name: R-1
  x-project:
  - o-1
  project-specific:
  - o-nova-spec-freeze
- start: 2016-11-07
  end: 2016-11-11
  x-project:
  - n-release
- start: '2016-11-14'
  end: '2016-11-18'
  x-project:
  - o-ff
"""

GOOD_RST = """\
===========
 Schedule
===========

.. _o-1:

Ocata-1 milestone
-----------------

17 November is the ocata-1 milestone window for projects.

.. _o-ff:

Feature freeze
--------------

The ocata-1 milestone marks
feature freeze.

Nova
----

.. _o-nova-spec-freeze:

Nova Spec Freeze
^^^^^^^^^^^^^^^^

All Nova specs must be approved by 16th November, 2016.

.. _o-extra:

Something else
--------------

No date here.
"""


def test_parse_inline_schedule() -> None:
    schedule = parse_schedule("ocata", GOOD_YAML, GOOD_RST, source="s.yaml", series_order=ORDER)
    assert schedule.start_week == date(2016, 11, 7)
    assert schedule.release_week == date(2016, 11, 21)
    assert [(w.start, w.name, w.line) for w in schedule.weeks] == [
        (date(2016, 11, 7), "", 11),
        (date(2016, 11, 14), "R-1", 4),
    ]
    events = {e.key: e for e in schedule.events}
    assert set(events) == {"o-1", "o-ff", "o-nova-spec-freeze", "n-release"}
    assert (events["o-1"].date, events["o-1"].rule, events["o-1"].line) == (
        date(2016, 11, 17),
        DATE_RULE_STATED,
        8,
    )
    assert events["o-ff"].rule == DATE_RULE_THURSDAY
    assert events["o-ff"].description == "The ocata-1 milestone marks feature freeze."
    assert events["o-nova-spec-freeze"].date == date(2016, 11, 16)
    assert events["o-nova-spec-freeze"].team == "nova"
    assert events["n-release"].series == "newton"
    assert events["n-release"].title == "Newton coordinated release"
    assert events["n-release"].date == date(2016, 11, 10)
    assert schedule.unplaced == ("o-extra",)
    assert not any(e.conflicts for e in schedule.events)


def test_parse_without_rst_uses_thursdays() -> None:
    schedule = parse_schedule("ocata", GOOD_YAML, None, source="s.yaml", series_order=ORDER)
    assert {e.rule for e in schedule.events} == {DATE_RULE_THURSDAY}


def _error(yaml_text: str) -> ScheduleError:
    with pytest.raises(ScheduleError) as info:
        parse_schedule(
            "ocata", textwrap.dedent(yaml_text), None, source="doc/x.yaml", series_order=ORDER
        )
    return info.value


@pytest.mark.parametrize(
    ("yaml_text", "line", "words"),
    [
        ("start-week: 2016-11-07\ncycle: [\n", 3, "invalid YAML"),
        ("start-week: 2016-11-07\ncycle: []\n", 1, "release-week"),
        ("release-week: 2016-11-07\ncycle: []\n", 1, "start-week"),
        ("start-week: 2016-11-07\nrelease-week: 2016-11-07\n", 1, "cycle"),
        ("start-week: 2016-11-07\nrelease-week: 2016-11-07\ncycle: {}\n", 3, "list"),
        ("start-week: 2016-11-07\nrelease-week: 2016-11-07\ncycle:\n- 2016-11-07\n", 4, "mapping"),
        ("start-week: nope\nrelease-week: 2016-11-07\ncycle: []\n", 1, "start-week"),
        ("- a\n- b\n", 1, "mapping"),
        (
            "start-week: 2016-11-07\nrelease-week: 2016-11-07\ncycle:\n"
            "- start: 2016-11-07\n  end: 2016-11-11\n- end: 2016-11-18\n",
            6,
            "'start'",
        ),
        (
            "start-week: 2016-11-07\nrelease-week: 2016-11-07\ncycle:\n"
            "- start: 2016-11-07\n  end: 2016-11-11\n- start: 2016-11-14\n",
            6,
            "'end'",
        ),
        (
            "start-week: 2016-11-07\nrelease-week: 2016-11-07\ncycle:\n"
            "- start: 2016-11-07\n  end: 2016-11-11\n- start: 2016-11-14\n  end: 2016-11-13\n",
            6,
            "before",
        ),
        (
            "start-week: 2016-11-07\nrelease-week: 2016-11-07\ncycle:\n"
            "- start: 2016-11-07\n  end: 2016-11-11\n- start: '2016-11-15'\n  end: '2016-11-18'\n",
            6,
            "Monday",
        ),
        (
            "start-week: 2016-11-07\nrelease-week: 2016-11-07\ncycle:\n"
            "- start: 2016-11-07\n  end: 2016-11-11\n- start: 2016-11-07\n  end: 2016-11-10\n",
            6,
            "overlaps",
        ),
        (
            "start-week: 2016-11-07\nrelease-week: 2016-11-07\ncycle:\n"
            "- start: 2016-11-07\n  end: 2016-11-11\n  x-project:\n  - o-1\n  - Bad Id\n",
            8,
            "not an event id",
        ),
        (
            "start-week: 2016-11-07\nrelease-week: 2016-11-07\ncycle:\n"
            "- start: 2016-11-07\n  end: 2016-11-11\n  project-specific: o-nova\n",
            6,
            "list",
        ),
        (
            "start-week: 2016-11-07\nrelease-week: 2016-11-07\ncycle:\n"
            "- start: 2016-11-07\n  end: [2016-11-11]\n",
            5,
            "week end",
        ),
    ],
)
def test_validation_errors_name_file_and_line(yaml_text: str, line: int, words: str) -> None:
    error = _error(yaml_text)
    assert isinstance(error, ValueError)
    assert error.path == "doc/x.yaml"
    assert error.line == line, str(error)
    assert words in error.message
    assert str(error).startswith(f"doc/x.yaml:{line}: ")


def test_exact_duplicate_weeks_merge() -> None:
    text = (
        "start-week: 2016-11-07\nrelease-week: 2016-11-07\ncycle:\n"
        "- start: 2016-11-07\n  end: 2016-11-11\n  x-project: [o-1]\n"
        "- start: '2016-11-07'\n  end: '2016-11-11'\n  x-project: [o-1, o-2]\n"
    )
    schedule = parse_schedule("ocata", text, None, source="x", series_order=ORDER)
    assert len(schedule.weeks) == 1
    assert sorted(e.key for e in schedule.events) == ["o-1", "o-2"]


def test_schedule_error_str_without_line() -> None:
    assert str(ScheduleError("a/b.yaml", None, "boom")) == "a/b.yaml: boom"
    assert str(ScheduleError("a/b.yaml", 3, "boom")) == "a/b.yaml:3: boom"


def test_load_schedule_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ScheduleError) as info:
        load_schedule(tmp_path / "ocata", ORDER)
    assert "schedule.yaml" in info.value.path
