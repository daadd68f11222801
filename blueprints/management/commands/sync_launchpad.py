"""``manage.py sync_launchpad <launchpad-project> [--series NAME]``."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from blueprints.http_json import FetchError, JsonClient
from blueprints.launchpad_import import LaunchpadImportError, launchpad_sync, project_for_launchpad
from blueprints.management.commands._sync import progress_bar, series_named, write_report


class Command(BaseCommand):
    help = (
        "Bring a series' blueprints in step with Launchpad: reads every page of "
        "<LAUNCHPAD_API_ROOT><project>/all_specifications from Launchpad's devel API (default "
        "https://api.launchpad.net/devel/), each blueprint's dependencies and milestones, then "
        "writes in one transaction (a failed request writes nothing). Local edits made since "
        "the last sync are kept and reported as conflicts unless --overwrite-local."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("project", help="The Launchpad project, e.g. tripleo.")
        parser.add_argument("--series", default="", help="e.g. ocata (default: the current one).")
        parser.add_argument(
            "--overwrite-local",
            action="store_true",
            help="Take Launchpad's value where a field was also edited in the planner.",
        )
        parser.add_argument("--page-size", type=int, default=None, help="ws.size (1-300).")
        parser.add_argument("--timeout", type=float, default=settings.PLANNER_SYNC_TIMEOUT)
        parser.add_argument("--retries", type=int, default=settings.PLANNER_SYNC_RETRIES)
        parser.add_argument(
            "--no-progress", action="store_true", help="No progress bar, even on a terminal."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        series = series_named(options["series"])
        project, created = project_for_launchpad(name=options["project"])
        if created:
            self.stdout.write(f"created project {project} (PTL group {project.ptl_group.name})")
        client = JsonClient(timeout=options["timeout"], retries=options["retries"])
        try:
            with progress_bar(
                self, enabled=not options["no_progress"], unit="blueprint", desc="Launchpad"
            ) as progress:
                report = launchpad_sync(
                    project=project,
                    series=series,
                    client=client,
                    progress=progress,
                    overwrite_local=options["overwrite_local"],
                    page_size=options["page_size"],
                )
        except FetchError as error:
            raise CommandError(f"{error}\nNothing was written.") from error
        except LaunchpadImportError as error:
            problems = "\n".join(str(p) for p in error.problems)
            raise CommandError(f"{project}: nothing written:\n{problems}") from error
        except ValueError as error:  # a root that serves no blueprints, a bad project name
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"{report.source} ({series.name}, {report.requests} requests, "
            f"{report.not_modified} not modified)"
        )
        self.stdout.write(self.style.SUCCESS(report.summary()))
        write_report(self, report, verbosity=options["verbosity"])
