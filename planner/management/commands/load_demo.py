from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from blueprints.demo import DemoAccountTaken, demo_load, taken_demo_accounts
from releases.branch_services import branch_policy_set
from releases.kinds import EventKind
from releases.models import Series
from releases.services import releases_import

DEMO_TREE = Path(__file__).resolve().parents[3] / "releases" / "fixtures" / "demo-releases"


class Command(BaseCommand):
    help = (
        "Load the demo: the Ocata schedule and deliverables (a small tree shipped with the "
        "project) and the TripleO Ocata plan (squads, goals, blueprints, FFEs). Idempotent."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--releases",
            type=Path,
            default=None,
            help="Import this openstack/releases checkout instead of the shipped Ocata tree.",
        )

    def handle(self, *args: object, releases: Path | None, **options: object) -> None:
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
        try:
            summary = demo_load(series=ocata)
        except DemoAccountTaken as exc:
            raise CommandError(f"Demo not loaded: {exc}") from exc
        self.stdout.write(
            "TripleO Ocata plan: " + ", ".join(f"{k} {v}" for k, v in summary.items())
        )
        # The team wanted stable/ocata cut later than stable/newton (cut at RC2, "too early").
        branch_policy_set(
            actor=None,
            team="tripleo",
            series=ocata,
            anchor_kind=EventKind.FINAL_RC,
            reason="Wait more than for Newton: cut at the final RC, not at RC1.",
        )
