from pathlib import Path

from django.core.management.base import BaseCommand, CommandParser

from blueprints.demo import demo_load, demo_reviews_load
from releases.branch_services import branch_policy_set
from releases.kinds import EventKind
from releases.models import Series
from releases.services import releases_import

DEMO_REVIEWS_NOTE = "illustrative changes, loaded without network"
DEMO_TREE = Path(__file__).resolve().parents[3] / "releases" / "fixtures" / "demo-releases"


class Command(BaseCommand):
    help = (
        "Load the demo: the Ocata schedule and deliverables (a small tree shipped with the "
        "project), the TripleO Ocata plan (squads, goals, blueprints, FFEs) and the Gerrit "
        "reviews behind its blueprints (a shipped file, no network). Idempotent."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--releases",
            type=Path,
            default=None,
            help="Import this openstack/releases checkout instead of the shipped Ocata tree.",
        )

    def handle(self, *args: object, releases: Path | None, **options: object) -> None:
        tree = releases or DEMO_TREE
        # Only Ocata: on a database holding a full import, the demo replaces no other series.
        result = releases_import(
            path=tree, series=None if releases else ["ocata"], actor="load_demo"
        )
        self.stdout.write(f"Schedule: {tree} ({result.summary()})")
        ocata = Series.objects.get(name="ocata")
        summary = demo_load(series=ocata)
        self.stdout.write(
            "TripleO Ocata plan: " + ", ".join(f"{k} {v}" for k, v in summary.items())
        )
        reviews = demo_reviews_load(series=ocata)
        self.stdout.write(f"Gerrit reviews ({DEMO_REVIEWS_NOTE}): {reviews.summary()}")
        # The team wanted stable/ocata cut later than stable/newton (cut at RC2, "too early").
        branch_policy_set(
            actor=None,
            team="tripleo",
            series=ocata,
            anchor_kind=EventKind.FINAL_RC,
            reason="Wait more than for Newton: cut at the final RC, not at RC1.",
        )
