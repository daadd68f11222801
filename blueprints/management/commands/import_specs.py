"""``manage.py import_specs PATH --project NAME [--series NAME]``."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from blueprints.specs import SpecError
from blueprints.specs_import import SpecsImportError, SpecsImportReport, specs_import
from squads.models import Project

COLUMNS = (
    ("series", "series"),
    ("specs", "specs"),
    ("linked_by_url", "by URL"),
    ("linked_by_file_name", "by file name"),
    ("created", "created"),
    ("updated", "updated"),
    ("unchanged", "unchanged"),
    ("skipped", "skipped"),
    ("problems", "problems"),
)


class Command(BaseCommand):
    help = (
        "Import a specs repository (specs/<series>/*.rst): each spec becomes or updates the "
        "blueprint it links. All or nothing: an unreadable file stops the import with its file "
        "and line, writing nothing; what the import had to bend is listed per file and line."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="A checkout of a specs repository.")
        parser.add_argument("--project", required=True, help="The planner's project, e.g. tripleo.")
        parser.add_argument("--series", default=None, help="Only this series, e.g. ocata.")
        parser.add_argument(
            "--base-url",
            default=None,
            help="Where the repository is published, for the blueprints' spec URL (default "
            "https://specs.openstack.org/openstack/<project>-specs/; '' for none).",
        )
        parser.add_argument(
            "--no-progress", action="store_true", help="No progress bar, even on a terminal."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["path"]
        project = Project.objects.filter(name=options["project"]).first()
        if project is None:
            raise CommandError(
                f"unknown project {options['project']!r}: create it first (the admin, "
                "load_demo or import_launchpad_blueprints)"
            )
        progress = None
        if not options["no_progress"] and sys.stderr.isatty():
            from tqdm import tqdm

            def progress(items: Iterable[Any], total: int) -> Iterable[Any]:
                return tqdm(items, total=total, unit="spec", desc="specs", leave=False)

        try:
            report = specs_import(
                path=path,
                project=project,
                series=options["series"],
                base_url=options["base_url"],
                progress=progress,
            )
        except (SpecError, SpecsImportError) as error:
            raise CommandError(f"{error}\nNothing was imported.") from error
        self.stdout.write(table(report))
        for problem in report.problems:
            self.stdout.write(f"  {problem}")
        verdict = "changed" if report.changed else "no changes"
        total = report.total()
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {total.specs - total.skipped} of {total.specs} specs from {path} "
                f"into {project} ({verdict}; {len(report.problems)} problems reported)."
            )
        )


def table(report: SpecsImportReport) -> str:
    """The per-series counts as an aligned text table."""
    rows = [[label for _key, label in COLUMNS]]
    for name, counts in report.series.items():
        rows.append([name, *(str(getattr(counts, key)) for key, _label in COLUMNS[1:])])
    total = report.total()
    rows.append(["total", *(str(getattr(total, key)) for key, _label in COLUMNS[1:])])
    widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS))]
    return "\n".join(
        "  ".join(
            cell.ljust(w) if i == 0 else cell.rjust(w)
            for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        )
        for row in rows
    )
