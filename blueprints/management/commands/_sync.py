"""What the sync commands share: the series argument, a progress bar, the report's lines."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from releases import selectors as release_selectors
from releases.models import Series


def series_named(name: str | None) -> Series:
    """``--series NAME``, or the current series (``releases.selectors.current_series``)."""
    if name:
        series = Series.objects.filter(name=name).first()
        if series is None:
            raise CommandError(f"unknown series {name!r}: import the release schedule first")
        return series
    series = release_selectors.current_series()
    if series is None:
        raise CommandError("no series has a schedule: import the release schedule first")
    return series


@contextmanager
def progress_bar(
    command: BaseCommand, *, enabled: bool, unit: str, desc: str
) -> Iterator[Callable[[int, int | None], None] | None]:
    """A tqdm bar on stderr when it is a terminal (and not switched off), else nothing."""
    if not enabled or not sys.stderr.isatty():
        yield None
        return
    from tqdm import tqdm

    bar = tqdm(total=None, unit=unit, desc=desc, leave=False, file=sys.stderr)

    def progress(done: int, total: int | None) -> None:
        if total is not None and bar.total != total:
            bar.total = total
        bar.n = done
        bar.refresh()

    try:
        yield progress
    finally:
        bar.close()


def write_report(command: BaseCommand, report: Any, *, verbosity: int) -> None:
    """Conflicts, problems and notes on stderr always; each change and what was left out on
    stdout with ``-v 2``."""
    for conflict in getattr(report, "conflicts", []):
        command.stderr.write(command.style.WARNING(f"conflict: {conflict}"))
    for line in [*map(str, report.problems), *getattr(report, "notes", [])]:
        command.stderr.write(command.style.WARNING(line))
    if verbosity >= 2:
        for line in report.details():
            command.stdout.write(line)
