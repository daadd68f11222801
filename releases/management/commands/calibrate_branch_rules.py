"""Propose branch-rule offsets from the actual history, with an honest forecast figure."""

from collections import defaultdict

from django.core.management.base import BaseCommand, CommandParser

from releases import branching
from releases.branch_history import MATCH_DAYS, forecast
from releases.branch_services import anchors_of, rules_as_data
from releases.models import BranchActual, DeliverableSeries
from releases.selectors import series_range


class Command(BaseCommand):
    help = (
        "Fit each branch rule's offset on the actual cuts (branch-cuts-actual.csv, imported with "
        "import_branch_history) and print its forecast accuracy: every series is predicted by "
        "an offset fitted only on the series before it (leave-future-out)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="first", default="ocata")
        parser.add_argument("--to", dest="last", default="flamingo")
        parser.add_argument(
            "--per-type",
            action="store_true",
            help="Group by every (release model, type) pair instead of by the existing rules.",
        )

    def handle(self, *args: object, first: str, last: str, per_type: bool, **opts: object):
        rules = rules_as_data()
        series = series_range(first=first, last=last)
        # group -> kind -> [(series, [lag...])]; a group is a rule (or a model/type pair).
        lags: dict[str, dict[str, dict[str, list[int]]]] = defaultdict(
            lambda: defaultdict(lambda: defaultdict(list))
        )
        current: dict[str, branching.Rule | None] = {}
        for s in series:
            anchors = branching.anchors_by_kind(anchors_of(series=s))
            actual = dict(
                BranchActual.objects.filter(series=s, branch=s.stable_branch).values_list(
                    "deliverable", "merged_on"
                )
            )
            records = DeliverableSeries.objects.filter(
                series=s, deliverable__name__in=list(actual)
            ).values_list("deliverable__name", "release_model", "type")
            for name, model, type_ in records:
                rule = branching.pick_rule(rules, release_model=model, deliverable_type=type_)
                if per_type or rule is None:
                    group = f"{model or '(none)'}/{type_}"
                else:
                    group = f"{rule.release_model}/{rule.deliverable_type or '*'}"
                current.setdefault(group, None if per_type else rule)
                for kind, anchor in anchors.items():
                    lags[group][kind][s.name].append((actual[name] - anchor.date).days)

        order = [s.name for s in series]
        self.stdout.write(
            f"Calibration on {first} → {last}, match = within {MATCH_DAYS} days; forecast = each "
            "series predicted from the series before it only.\n"
        )
        header = (
            f"{'rule':<40} {'cuts':>5}  {'current':<22} {'now':>6}  "
            f"{'proposed':<22} {'fit':>6} {'forecast':>8}"
        )
        self.stdout.write(header)
        total = hits_now = fc_n = fc_hits = 0
        for group in sorted(lags, key=lambda g: -_count(lags[g])):
            by_kind = lags[group]
            n = _count(by_kind)
            rule = current.get(group)
            results = {}
            for kind, per_series in by_kind.items():
                ordered = [(name, per_series[name]) for name in order if name in per_series]
                results[kind] = forecast(ordered)
            best_kind = max(
                results,
                key=lambda k: (results[k].share, _in_sample(by_kind[k], results[k].offset_all)),
            )
            # Prefer the rule's own (release-process) anchor unless another one forecasts
            # clearly better: parallel anchors (rc1 +1 = final-rc -13) otherwise tie.
            own = rule.anchor_kind if rule is not None else ""
            if own in results and results[own].share >= results[best_kind].share - 0.01:
                best_kind = own
            now_share = 0.0
            current_label = "no rule"
            if rule is not None:
                current_label = branching.describe(rule.anchor_kind, rule.offset_days)
                if rule.anchor_kind in by_kind:
                    now_share = _in_sample(by_kind[rule.anchor_kind], rule.offset_days) / n
            # The forecast figure follows the rule's own anchor when it has one: choosing the
            # anchor on all series would peek at the future.
            fc_kind = (
                rule.anchor_kind if rule is not None and rule.anchor_kind in results else best_kind
            )
            fc = results[fc_kind]
            total += n
            hits_now += round(now_share * n)
            fc_n += fc.forecast
            # A rule that plans no branch forecasts no cut: its cuts are forecast misses.
            plans = rule is None or rule.anchor_kind != branching.NO_BRANCH or per_type
            fc_hits += fc.within if plans else 0
            best = results[best_kind]
            proposal = branching.describe(best_kind, best.offset_all)
            fit = _in_sample(by_kind[best_kind], best.offset_all) / n
            self.stdout.write(
                f"{group:<40} {n:>5}  {current_label:<22} {now_share:>6.1%}  "
                f"{proposal:<22} {fit:>6.1%} {best.share:>8.1%}"
            )
            if fc_kind != best_kind:
                self.stdout.write(
                    f"{'':<40} {'':>5}  forecast with the rule's anchor "
                    f"({branching.describe(fc_kind, fc.offset_all)}): {fc.share:.1%}"
                )
        if total:
            self.stdout.write(
                f"\nCurrent rules: {hits_now}/{total} = {hits_now / total:.1%} within "
                f"{MATCH_DAYS} days (cuts whose rule plans no branch count as misses)."
            )
        if fc_n:
            self.stdout.write(
                f"Leave-future-out forecast: {fc_hits}/{fc_n} = {fc_hits / fc_n:.1%} within "
                f"{MATCH_DAYS} days (the first series of each rule has no past and is not "
                "forecast)."
            )


def _count(by_kind: dict[str, dict[str, list[int]]]) -> int:
    return max(sum(len(v) for v in per_series.values()) for per_series in by_kind.values())


def _in_sample(per_series: dict[str, list[int]], offset: int) -> int:
    return sum(abs(lag - offset) <= MATCH_DAYS for v in per_series.values() for lag in v)
