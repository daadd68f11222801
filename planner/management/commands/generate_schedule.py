"""``generate_schedule NAME --release 2027-09-29 --weeks 26``: a new cycle learned from the past."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from planner.generate_services import schedule_generate


class Command(BaseCommand):
    help = (
        "Create series NAME releasing on --release after --weeks weeks, with the standard events "
        "at the R-weeks the imported series used (median; the development part scaled to the "
        "length). Edit it afterwards (admin, re-planning)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="Series name, e.g. juniper.")
        parser.add_argument(
            "--release", required=True, type=date.fromisoformat, help="Release date (YYYY-MM-DD)."
        )
        parser.add_argument(
            "--weeks", type=int, default=26, help="Weeks from the first to release week (26)."
        )
        parser.add_argument("--release-id", default="", help="Numbered release id, e.g. 2027.2.")

    def handle(
        self,
        *args: object,
        name: str,
        release: date,
        weeks: int,
        release_id: str,
        **options: object,
    ) -> None:
        try:
            series, plan = schedule_generate(
                actor=None, name=name, release_date=release, weeks=weeks, release_id=release_id
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(
            f"Series {series.name}: {plan.start_week} to {plan.release_week} "
            f"({weeks} weeks, {len(plan.weeks)} weeks with the trailing ones), learned from "
            f"{len(plan.series_observed)} series of median length {plan.reference_length} weeks"
        )
        for event in plan.events:
            self.stdout.write(
                f"  {event.date}  {event.week_name:>5}  {event.key:<20} {event.placement}"
            )
        for note in plan.notes:
            self.stdout.write(f"  note: {note}")
