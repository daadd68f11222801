from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from planner.loaddata import generate_load_data
from releases.models import Series


class Command(BaseCommand):
    help = (
        "Generate a planning data set for scale checks: a project with N squads and M blueprints "
        "(with work items, dependencies, FFEs and history) in a series. Seeded: repeatable."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--series", default="ocata")
        parser.add_argument("--project", default="loadtest")
        parser.add_argument("--squads", type=int, default=50)
        parser.add_argument("--blueprints", type=int, default=10_000)
        parser.add_argument("--work-items", type=int, default=4, help="Per blueprint.")
        parser.add_argument("--seed", type=int, default=2017)

    def handle(self, *args: object, **opts: object) -> None:
        series = Series.objects.filter(name=opts["series"]).first()
        if series is None:
            raise CommandError(f"unknown series {opts['series']!r}: import its schedule first")
        if opts["squads"] < 1 or opts["blueprints"] < 0 or opts["work_items"] < 0:
            raise CommandError("--squads must be at least 1; counts cannot be negative")
        data = generate_load_data(
            series=series,
            project_name=opts["project"],
            squads=opts["squads"],
            blueprints=opts["blueprints"],
            work_items_per_blueprint=opts["work_items"],
            seed=opts["seed"],
        )
        # A bulk load leaves the query planner's statistics behind: SQLite never gathers them
        # by itself (without them the dashboard's forecast query on 10,000 blueprints took
        # 100 s instead of 0.3 s), and PostgreSQL's autovacuum gets to it only later.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        self.stdout.write(
            f"Project {data.project.name}: {data.squads} squads, {data.blueprints} blueprints, "
            f"{data.work_items} work items in {series.name}."
        )
