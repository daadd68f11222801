import json

from django.core.management.base import BaseCommand, CommandParser

from releases.selectors import branch_report


class Command(BaseCommand):
    help = (
        "How far the actual stable-branch cuts fell from the plan: share within 7 days and "
        "median lag, overall and per release model, type and series."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="first", default="ocata")
        parser.add_argument("--to", dest="last", default="flamingo")
        parser.add_argument("--json", dest="as_json", action="store_true")

    def handle(self, *args: object, first: str, last: str, as_json: bool, **opts: object) -> None:
        report = branch_report(first=first, last=last)
        if as_json:
            self.stdout.write(json.dumps(report, indent=2, default=str))
            return
        o = report["overall"]
        self.stdout.write(
            f"Branch cuts {first} → {last}: {o['within_7_days']}/{o['cuts']} upstream cuts "
            f"within 7 days of the plan = {o['share_within_7_days']:.1%} "
            f"(planned {o['planned']}, median lag {o['median_lag_days']} d)"
        )
        for section in ("by_release_model", "by_type", "by_model_and_type", "by_series"):
            self.stdout.write(f"\n{section.replace('_', ' ')}:")
            for row in report[section]:
                median = row["median_lag_days"]
                self.stdout.write(
                    f"  {row['key']:<45} {row['within_7_days']:>5}/{row['cuts']:<5} "
                    f"{row['share_within_7_days']:>6.1%}  median lag "
                    f"{'—' if median is None else f'{median:+g} d'}"
                )
