"""``manage.py import_launchpad_blueprints FILE [--project tripleo --series ocata]``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from blueprints import launchpad
from blueprints.http_json import DEFAULT_MAX_BYTES
from blueprints.launchpad_import import (
    LaunchpadImportError,
    launchpad_import,
    project_for_launchpad,
)
from blueprints.management.commands._sync import write_report
from core import jsonsafe
from core.files import FileRefused, read_regular
from releases.models import Series


class Command(BaseCommand):
    help = (
        "Import a project's blueprints from the JSON Launchpad's devel API returns: a page of "
        "GET https://api.launchpad.net/devel/<project>/all_specifications, a list of all its "
        "pages, or one entry (…/+spec/<name>); the 1.0 API carries no blueprint field. An entry "
        "with a problem is reported and left out, the others imported (--strict: nothing is "
        "imported unless every entry is good); a file that is not all of a collection writes "
        "nothing. Same mapping and merge as sync_launchpad."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--project", default="tripleo", help="The Launchpad project.")
        parser.add_argument("--series", default="ocata")
        parser.add_argument(
            "--strict", action="store_true", help="Write nothing if any entry has a problem."
        )
        parser.add_argument(
            "--overwrite-local",
            action="store_true",
            help="Take the file's value where a field was also edited in the planner.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            # A regular file of bounded size (the sync's response cap), JSON of bounded depth.
            document = jsonsafe.loads(read_regular(path, max_bytes=DEFAULT_MAX_BYTES))
        except (
            FileRefused,
            jsonsafe.JSONTooDeep,
            UnicodeDecodeError,
            json.JSONDecodeError,
        ) as error:
            # Launchpad serves UTF-8 JSON; anything else is a bad file, named, not a traceback.
            raise CommandError(f"{path}: {error}") from error
        series = Series.objects.filter(name=options["series"]).first()
        if series is None:
            raise CommandError(
                f"unknown series {options['series']!r}: import the release schedule first"
            )
        name = options["project"]
        # No milestone entries in a file: a milestone's series is its name's prefix (pike-1).
        parsed = launchpad.parse_specifications(document, project=name, series=series.name)
        if options["strict"] and parsed.errors:
            problems = "\n".join(str(p) for p in parsed.errors)
            raise CommandError(f"{path}: nothing imported (--strict):\n{problems}")
        document_errors = [p for p in parsed.errors if p.index < 0]
        if document_errors:
            problems = "\n".join(str(p) for p in document_errors)
            raise CommandError(f"{path}: nothing imported:\n{problems}")
        if not parsed.blueprints:  # say why, without creating the project first
            self.stdout.write(f"{path}: nothing to import ({parsed.summary()})")
            for problem in parsed.problems:
                self.stderr.write(self.style.WARNING(str(problem)))
            return
        try:
            with transaction.atomic():
                project, created = project_for_launchpad(name=name)
                if created:
                    self.stdout.write(
                        f"created project {project} (PTL group {project.ptl_group.name})"
                    )
                report = launchpad_import(
                    project=project,
                    series=series,
                    parsed=parsed,
                    source=str(path),
                    overwrite_local=options["overwrite_local"],
                )
        except LaunchpadImportError as error:
            problems = "\n".join(str(p) for p in error.problems)
            raise CommandError(f"{path}: nothing imported:\n{problems}") from error
        self.stdout.write(self.style.SUCCESS(f"{path}: {report.summary()}"))
        write_report(self, report, verbosity=options["verbosity"])
