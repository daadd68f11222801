"""``manage.py import_launchpad_blueprints FILE [--project tripleo --series ocata]``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from blueprints import launchpad
from blueprints.http_json import DEFAULT_MAX_BYTES
from blueprints.launchpad_import import LaunchpadImportError, launchpad_import
from core import jsonsafe
from core.files import FileRefused, read_regular
from releases.models import Series
from squads.models import Project
from squads.services import project_create


class Command(BaseCommand):
    help = (
        "Import a project's blueprints from the JSON the Launchpad API returns "
        "(GET https://api.launchpad.net/1.0/<project>/all_specifications). Bad input "
        "writes nothing and lists every problem."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--project", default="tripleo")
        parser.add_argument("--series", default="ocata")

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
        try:
            entries = launchpad.parse_blueprints(document)
        except launchpad.LaunchpadParseError as error:
            raise CommandError(f"{path}: nothing imported:\n{error}") from error
        try:
            series = Series.objects.get(name=options["series"])
        except Series.DoesNotExist as error:
            raise CommandError(
                f"unknown series {options['series']!r}: import the release schedule first"
            ) from error
        try:
            with transaction.atomic():
                project = Project.objects.filter(name=options["project"]).first()
                if project is None:
                    group, _ = Group.objects.get_or_create(name=f"{options['project']}-ptl")
                    project = project_create(
                        actor=None,
                        name=options["project"],
                        launchpad=options["project"],
                        ptl_group=group,
                    )
                    self.stdout.write(f"created project {project} (PTL group {group.name})")
                counts = launchpad_import(project=project, series=series, entries=entries)
        except LaunchpadImportError as error:
            problems = "\n".join(str(p) for p in error.problems)
            raise CommandError(f"{path}: nothing imported:\n{problems}") from error
        self.stdout.write(self.style.SUCCESS(f"{len(entries)} blueprints: {counts.summary()}"))
