from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from releases.branch_history import HistoryError
from releases.branch_services import branch_history_import


class Command(BaseCommand):
    help = (
        "Import the actual branch cuts (branch-cuts-actual.csv: series,deliverable,branch,"
        "merged_on). All or nothing: a bad row names its line and field and nothing is written."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument(
            "--keep", action="store_true", help="Keep rows that are no longer in the file."
        )

    def handle(self, *args: object, path: Path, keep: bool, **opts: object) -> None:
        if not path.exists():
            raise CommandError(f"{path}: no such file")
        try:
            result = branch_history_import(path=path, replace=not keep)
        except HistoryError as exc:
            raise CommandError(f"{exc}\nNothing was imported.") from exc
        self.stdout.write(
            f"Imported {result.rows} rows from {path}: created {result.created}, "
            f"updated {result.updated}, deleted {result.deleted}; "
            f"recomputed cuts of {len(result.series_recomputed)} series."
        )
        if result.unknown_series:
            self.stdout.write(f"  series not imported yet: {', '.join(result.unknown_series)}")
