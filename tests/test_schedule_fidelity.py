"""Every event the published schedules list, on every day they list it (the real snapshot).

For every series with a ``schedule.yaml``, each (event id, week) listing must be covered by a
row of that cycle's milestones API (``?team=all``) overlapping the week, or carry a conflict
note naming the file and the week. Then one test per way the import used to lose an event:
repeated listings, spans, other series' events in a cycle's schedule, and another file's week
overriding the event's own prose.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from django.db.models import F
from rest_framework.test import APIClient

from releases.models import Occurrence, Series
from releases.schedule.yaml_source import parse_yaml

pytestmark = pytest.mark.django_db


def rows(cycle: str, **query: str) -> list[dict]:
    response = APIClient().get(f"/api/v1/cycles/{cycle}/milestones/", query)
    assert response.status_code == 200, response.content[:300]
    return response.json()


def listings(tree: Path, series: str) -> list[tuple[str, date, date]]:
    """(event id, Monday, Friday) of every week ``series``' schedule.yaml lists an id in."""
    source = f"doc/source/{series}/schedule.yaml"
    _, _, _, found, _ = parse_yaml((tree / source).read_text(), source)
    return sorted({(item.key, item.week.start, item.week.end) for item in found})


def covers(row: dict, start: date, end: date) -> bool:
    first, last = date.fromisoformat(row["date"]), date.fromisoformat(row["end_date"])
    return first <= end + timedelta(days=2) and last >= start  # the weekend counts with it


def test_every_listing_of_every_schedule_is_covered(real_releases, releases_tree):
    scheduled = sorted(
        p.parent.name for p in (releases_tree / "doc" / "source").glob("*/schedule.yaml")
    )
    assert len(scheduled) == 21
    missing, total = [], 0
    for series in scheduled:
        source = f"doc/source/{series}/schedule.yaml"
        shown = rows(series, team="all")
        for key, start, end in listings(releases_tree, series):
            total += 1
            mine = [r for r in shown if r["key"] == key]
            if any(covers(r, start, end) for r in mine):
                continue
            if any(source in note and str(start) in note for r in mine for note in r["conflicts"]):
                continue
            missing.append(f"{series}: {key} in week {start}")
    assert total > 700
    assert not missing, f"{len(missing)}/{total} listings uncovered: {missing[:20]}"


def test_an_event_listed_in_several_weeks_happens_in_each(real_releases):
    # epoxy's Nova spec review day: "On 12 Nov 2024 and 11 Dec 2024", listed in both weeks
    review = [r for r in rows("epoxy", team="nova") if r["key"] == "e-nova-spec-review-day"]
    assert [(r["date"], r["rule"]) for r in review] == [
        ("2024-11-12", "stated"),
        ("2024-12-11", "stated"),
    ]
    # bobcat lists the next series' election voting in two weeks and states no day
    voting = [r for r in rows("bobcat") if r["key"] == "c-election-voting"]
    assert [(r["date"], r["rule"], r["series"]) for r in voting] == [
        ("2023-09-14", "thursday", "caracal"),
        ("2023-09-21", "thursday", "caracal"),
    ]


def test_a_stated_span_is_one_occurrence_over_its_days(real_releases):
    # ocata's prose: the Pike PTG is "20-24 February 2017"
    ptg = [r for r in rows("pike") if r["key"] == "p-ptg0"]
    assert [(r["date"], r["end_date"], r["rule"]) for r in ptg] == [
        ("2017-02-20", "2017-02-24", "stated-range")
    ]
    occurrence = Occurrence.objects.filter(event__key="p-ptg0", primary=True).get()
    assert occurrence.days == 5


def test_a_cycle_lists_the_other_series_events_its_schedule_lists(real_releases):
    ocata = {(r["key"], r["series"]) for r in rows("ocata")}
    # the next series' PTG and PTL nominations, the previous series' release
    assert {("p-ptg0", "pike"), ("n-release", "newton")} <= ocata
    assert any(series == "pike" and "ptl" in key for key, series in ocata), sorted(ocata)
    # and the owning series still lists its own event, once
    assert [r["key"] for r in rows("pike")].count("p-ptg0") == 1
    # ?series= narrows to one owner; ?kind= alone keeps the cycle's own event of that kind
    assert {r["series"] for r in rows("ocata", series="pike")} == {"pike"}
    assert [r["key"] for r in rows("ocata", kind="release")] == ["o-release"]


def test_the_own_series_prose_wins_over_another_files_week(real_releases):
    # dalmatian's prose states Wednesday 2 October 2024; epoxy's yaml lists d-final in the week
    # of 30 September, whose Thursday is the 3rd
    epoxy = next(r for r in rows("epoxy") if r["key"] == "d-final")
    assert epoxy["series"] == "dalmatian"
    assert (epoxy["date"], epoxy["rule"], epoxy["source"]) == (
        "2024-10-02",
        "stated",
        "doc/source/epoxy/schedule.yaml",
    )
    assert any("epoxy/schedule.yaml gives 2024-10-03" in note for note in epoxy["conflicts"])
    # no occurrence anywhere takes its date from another file when the own prose states one
    stated_own = Occurrence.objects.filter(
        event__series_id=F("listing_id"), rule__startswith="stated"
    )
    for own in stated_own.select_related("event"):
        others = Occurrence.objects.filter(event=own.event, ordinal=own.ordinal).exclude(
            listing_id=own.listing_id
        )
        assert all((o.date, o.end_date) == (own.date, own.end_date) for o in others), own


def test_occurrences_gained_per_series(real_releases):
    # every scheduled cycle shows at least as many rows as it has events, and some more
    gained = {}
    for series in Series.objects.filter(start_week__isnull=False):
        shown = len(rows(series.name, team="all"))
        assert shown >= series.events.count(), series.name
        gained[series.name] = shown - series.events.count()
    assert sum(gained.values()) > 100, gained
