import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from releases.importer import SourceError
from releases.services import releases_import


class Command(BaseCommand):
    help = (
        "Import an openstack/releases checkout (series status, schedules, deliverables). "
        "All or nothing: a broken file stops the import with its file and line, writing nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="A checkout of openstack/releases.")
        parser.add_argument(
            "--series",
            default="",
            help="Comma-separated series to import (default: all), e.g. ocata,pike.",
        )
        parser.add_argument(
            "--no-progress", action="store_true", help="No progress bar, even on a terminal."
        )

    def handle(self, *args: object, path: Path, series: str, no_progress: bool, **opts: object):
        if not path.is_dir():
            raise CommandError(f"{path}: not a directory")
        wanted = [s.strip() for s in series.split(",") if s.strip()] or None
        progress = None
        if not no_progress and sys.stderr.isatty():
            from tqdm import tqdm

            def progress(items, total):
                return tqdm(items, total=total, unit="file", desc="deliverables", leave=False)

        try:
            result = releases_import(
                path=path, series=wanted, actor="import_releases", progress=progress
            )
        except SourceError as exc:
            raise CommandError(f"{exc}\nNothing was imported.") from exc
        verdict = "changed" if result.changed else "no changes"
        self.stdout.write(f"Imported {path} in {result.seconds:.1f}s ({verdict}).")
        for name, c in result.counts.items():
            self.stdout.write(
                f"  {name:<13} created {c.created:>5}  updated {c.updated:>5}  "
                f"deleted {c.deleted:>5}  unchanged {c.unchanged:>5}"
            )
        if result.changed_series:
            self.stdout.write("  series changed: " + ", ".join(result.changed_series))
