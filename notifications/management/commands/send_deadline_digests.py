"""``send_deadline_digests [--date YYYY-MM-DD] [--days N]``: what the daily beat task does, for a
given day (e.g. replaying the Ocata demo). Idempotent per lead and deadline."""

from __future__ import annotations

from datetime import date

from django.core.management.base import BaseCommand, CommandParser

from notifications.services import digests_send


class Command(BaseCommand):
    help = "Send squad leads their digest of the current series' coming deadlines."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", type=date.fromisoformat, default=None, help="As of (today).")
        parser.add_argument("--days", type=int, default=None, help="Days ahead (setting: 3).")

    def handle(self, *args: object, date: date | None, days: int | None, **options: object) -> None:
        sent = digests_send(today=date, days_ahead=days)
        self.stdout.write(f"{sent} digest(s) sent")
