"""``manage.py sync_gerrit <project> [--series NAME]``."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from blueprints.gerrit_sync import GerritSyncError, gerrit_sync
from blueprints.http_json import FetchError, JsonClient
from blueprints.management.commands._sync import progress_bar, series_named, write_report
from squads.models import Project


class Command(BaseCommand):
    help = (
        "Read the Gerrit reviews behind a project's blueprints from GERRIT_URL's REST API "
        "(default https://review.opendev.org): changes of the team's deliverables' repositories "
        "(openstack/releases) on master and stable/<series> that name a blueprint in an "
        "'Implements:' / 'Partial-Implements:' footer or a bp/<name> topic. Everything is read "
        "before one transaction writes it (a failed request writes nothing)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("project", help="The planner project (its team), e.g. tripleo.")
        parser.add_argument("--series", default="", help="e.g. ocata (default: the current one).")
        parser.add_argument("--page-size", type=int, default=100, help="Changes per request (n=).")
        parser.add_argument("--timeout", type=float, default=settings.PLANNER_SYNC_TIMEOUT)
        parser.add_argument("--retries", type=int, default=settings.PLANNER_SYNC_RETRIES)
        parser.add_argument(
            "--no-progress", action="store_true", help="No progress bar, even on a terminal."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        project = Project.objects.filter(name=options["project"]).first()
        if project is None:
            raise CommandError(
                f"unknown project {options['project']!r}: sync its blueprints first "
                "(manage.py sync_launchpad)"
            )
        series = series_named(options["series"])
        client = JsonClient(timeout=options["timeout"], retries=options["retries"])
        try:
            with progress_bar(
                self, enabled=not options["no_progress"], unit="change", desc="Gerrit"
            ) as progress:
                report = gerrit_sync(
                    project=project,
                    series=series,
                    client=client,
                    progress=progress,
                    page_size=options["page_size"],
                )
        except FetchError as error:
            raise CommandError(f"{error}\nNothing was written.") from error
        except (GerritSyncError, ValueError) as error:  # no deliverables, a bad repo name
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"{report.gerrit_url} ({series.name}, {len(report.repositories)} repositories, "
            f"{report.pages} pages)"
        )
        self.stdout.write(self.style.SUCCESS(report.summary()))
        write_report(self, report, verbosity=options["verbosity"])
