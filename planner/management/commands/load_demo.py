from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from blueprints.demo import (
    DemoAccountTaken,
    demo_load,
    demo_reviews_load,
    on_day,
    taken_demo_accounts,
)
from blueprints.specs import SpecError, SpecsTree, read_specs_tree
from blueprints.specs_import import SpecsImportError
from releases.branch_services import branch_policy_set
from releases.kinds import EventKind
from releases.models import Series
from releases.services import releases_import

DEMO_REVIEWS_NOTE = "illustrative changes, loaded without network"
DEMO_TREE = Path(__file__).resolve().parents[3] / "releases" / "fixtures" / "demo-releases"


class Command(BaseCommand):
    help = (
        "Load the demo: the Ocata schedule and deliverables (a small tree shipped with the "
        "project), the TripleO Ocata plan (squads, goals, blueprints, FFEs), its blueprints "
        "from the real Ocata specs when a tripleo-specs checkout is available "
        "(PLANNER_SPECS_DATA), else from the hand-written facts, and the Gerrit reviews behind "
        "its blueprints (a shipped file, no network). Idempotent."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--releases",
            type=Path,
            default=None,
            help="Import this openstack/releases checkout instead of the shipped Ocata tree.",
        )
        parser.add_argument(
            "--specs",
            type=Path,
            default=None,
            help="A tripleo-specs checkout to take the Ocata blueprints from "
            "(default: PLANNER_SPECS_DATA).",
        )
        parser.add_argument(
            "--no-specs", action="store_true", help="Use the hand-written facts only."
        )

    def handle(
        self,
        *args: object,
        releases: Path | None,
        specs: Path | None,
        no_specs: bool,
        **options: object,
    ) -> None:
        taken = taken_demo_accounts()
        if taken:
            # Before anything is written: the demo never grants roles to real accounts.
            raise CommandError(
                f"Demo not loaded: {', '.join(taken)} exist(s) and are not demo accounts (their"
                " password is not the demo's). Load the demo into a database of its own."
            )
        tree = releases or DEMO_TREE
        # Only Ocata: on a database holding a full import, the demo replaces no other series.
        result = releases_import(
            path=tree, series=None if releases else ["ocata"], actor="load_demo"
        )
        self.stdout.write(f"Schedule: {tree} ({result.summary()})")
        ocata = Series.objects.get(name="ocata")
        specs_tree = None if no_specs else self._specs(specs)
        try:
            summary = demo_load(series=ocata, specs=specs_tree)
        except SpecsImportError as error:
            raise CommandError(f"{error}\nNothing of the plan was loaded.") from error
        except DemoAccountTaken as exc:
            raise CommandError(f"Demo not loaded: {exc}") from exc
        self.stdout.write(
            "TripleO Ocata plan: " + ", ".join(f"{k} {v}" for k, v in summary.items())
        )
        reviews = demo_reviews_load(series=ocata)
        self.stdout.write(f"Gerrit reviews ({DEMO_REVIEWS_NOTE}): {reviews.summary()}")
        # The team wanted stable/ocata cut later than stable/newton (cut at RC2, "too early"):
        # decided as the cycle opened, and audited on that day.
        with on_day(ocata.start_week):
            branch_policy_set(
                actor=None,
                team="tripleo",
                series=ocata,
                anchor_kind=EventKind.FINAL_RC,
                reason="Wait more than for Newton: cut at the final RC, not at RC1.",
            )

    def _specs(self, given: Path | None) -> SpecsTree | None:
        """The tripleo-specs checkout to read, saying which source the blueprints come from."""
        path = given or (Path(settings.PLANNER_SPECS_DATA) if settings.PLANNER_SPECS_DATA else None)
        if path is None or not (path / "specs" / "ocata").is_dir():
            if given is not None:
                raise CommandError(f"{given}: not a tripleo-specs checkout (no specs/ocata/)")
            where = (
                f"no tripleo-specs checkout at {path}" if path else "PLANNER_SPECS_DATA is empty"
            )
            self.stdout.write(f"Blueprints: the hand-written facts ({where}).")
            return None
        try:
            specs = read_specs_tree(path, series="ocata")
        except SpecError as error:
            raise CommandError(f"{error}\nNothing of the plan was loaded.") from error
        self.stdout.write(f"Blueprints: the {len(specs.specs)} Ocata specs of {path}.")
        return specs
