# ruff: noqa: E501 - the base tree reads best as the files it writes
"""A small valid openstack/releases tree, written from inline text, that the bad-input corpus
breaks one file at a time (and the concurrency tests import)."""

from __future__ import annotations

import textwrap
from datetime import date
from pathlib import Path

import yaml

from releases.models import Series

# A made-up series (in 2044: same weekdays as 2016, newer than any real one), so the corpus coexists with the real openstack/releases data a session may
# have imported (tests/conftest.py real_releases): its rows are never touched.
SERIES = "zzbad"
STATUS = "data/series_status.yaml"
SCHEDULE = f"doc/source/{SERIES}/schedule.yaml"
RST = f"doc/source/{SERIES}/schedule.rst"
NOVA = f"deliverables/{SERIES}/nova.yaml"


def _text(value: str) -> str:
    return textwrap.dedent(value).lstrip("\n")


BASE: dict[str, str] = {
    SCHEDULE: _text(
        """
        start-week: '2044-11-07'
        release-week: '2044-11-28'
        cycle:
        - start: '2044-11-07'
          end: '2044-11-11'
          name: R-3
          x-project:
          - z-1
        - start: '2044-11-14'
          end: '2044-11-18'
          name: R-2
          x-project:
          - z-ff
        - start: '2044-11-21'
          end: '2044-11-25'
          name: R-1
        - start: '2044-11-28'
          end: '2044-12-02'
          name: R-0
          x-project:
          - z-release
        """
    ),
    RST: _text(
        """
        .. _z-1:

        First milestone
        ---------------

        The first milestone.

        .. _z-ff:

        Feature freeze
        --------------

        Featureful patches need an exception after it.

        .. _z-release:

        Coordinated release
        -------------------

        The release will happen on 30 November.
        """
    ),
    NOVA: _text(
        """
        launchpad: nova
        team: nova
        type: service
        release-model: cycle-with-rc
        releases:
          - version: 15.0.0
            projects:
              - repo: openstack/nova
                hash: 3a2b1c
        branches:
          - name: stable/zzbad
            location: 15.0.0
        """
    ),
}


def status_text() -> str:
    """``series_status.yaml``: our series (newest), after every series already stored, which keep
    their names, order and fields (a series' position is unique)."""
    entries: list[dict] = [
        {"name": SERIES, "status": "end of life", "initial-release": date(2045, 2, 22)}
    ]
    for series in Series.objects.exclude(name=SERIES).order_by("-position"):
        entry: dict = {"name": series.name, "status": series.status}
        if series.release_id:
            entry["release-id"] = series.release_id
        if series.initial_release:
            entry["initial-release"] = series.initial_release
        entries.append(entry)
    return yaml.safe_dump(entries, sort_keys=False)


def base_files() -> dict[str, str | bytes]:
    return {STATUS: status_text(), **BASE}


def write_tree(root: Path, files: dict[str, str | bytes]) -> Path:
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root
