"""The pure branch-cut rules and the history statistics (no database)."""

import importlib
from datetime import date, timedelta

import pytest

from releases import branching
from releases.branch_history import (
    HistoryError,
    Sample,
    fit_offset,
    forecast,
    match_stats,
    parse_history,
)
from releases.models import DeliverableType, ReleaseModel

SEED = importlib.import_module("releases.migrations.0003_seed_branch_rules")
RULES = [branching.Rule(m, t, a, o) for m, t, a, o, _ in SEED.RULES]

# Ocata's cross-project anchors (DESIGN.md and the Ocata schedule).
OCATA = [
    branching.Anchor("milestone-3", "o-3", date(2017, 1, 26)),
    branching.Anchor("final-lib", "o-final-lib", date(2017, 1, 19)),
    branching.Anchor("final-clientlib", "o-final-clientlib", date(2017, 1, 26)),
    branching.Anchor("rc1", "o-rc1", date(2017, 2, 2)),
    branching.Anchor("final-rc", "o-finalrc", date(2017, 2, 16)),
    branching.Anchor("release", "o-release", date(2017, 2, 22)),
    branching.Anchor("trailing", "o-trailing", date(2017, 3, 9)),
]
RELEASE = date(2017, 2, 22)


def expected_anchor(model: str, type_: str) -> tuple[str, int]:
    """The release-process rule the seeded table must encode, per model and type."""
    if model in {"independent", "untagged", "abandoned", "cycle-automatic"}:
        return "none", 0
    if model in {"cycle-with-rc", "cycle-with-milestones"}:
        return ("trailing", -2) if (model, type_) == ("cycle-with-rc", "trailing") else ("rc1", 1)
    if model == "cycle-trailing":
        return "final-rc", -6
    return {
        "library": ("final-lib", 12),
        "client-library": ("final-clientlib", 6),
        "trailing": ("final-rc", 14),
        "tempest-plugin": ("none", 0),
    }.get(type_, ("final-rc", -8))


@pytest.mark.parametrize("type_", DeliverableType.values)
@pytest.mark.parametrize("model", ReleaseModel.values)
def test_seeded_rules_plan_every_release_model_and_type(model, type_):
    # given a deliverable of this model and type in Ocata
    deliverable = branching.Deliverable("d", "team", model, type_)
    # when
    plan = branching.plan_cut(deliverable, series="ocata", rules=RULES, policies=[], anchors=OCATA)
    # then
    anchor, offset = expected_anchor(model, type_)
    assert plan.anchor_kind == anchor
    if anchor == "none":
        assert plan.planned_date is None and plan.backport_window_days is None
    else:
        expected = branching.pick_anchor(OCATA, anchor).date + timedelta(days=offset)
        assert plan.planned_date == expected
        assert plan.anchor.kind == anchor
        assert plan.backport_window_days == (RELEASE - expected).days


def test_cycle_with_rc_service_branches_the_day_after_the_rc1_deadline():
    plan = branching.plan_cut(
        branching.Deliverable("nova", "nova", "cycle-with-rc", "service"),
        series="ocata",
        rules=RULES,
        policies=[],
        anchors=OCATA,
    )
    assert plan.planned_date == date(2017, 2, 3)
    assert plan.anchor.key == "o-rc1"
    assert plan.backport_window_days == 19


def test_a_deliverable_without_a_release_model_gets_no_plan():
    plan = branching.plan_cut(
        branching.Deliverable("old", "t", "", "other"),
        series="ocata",
        rules=RULES,
        policies=[],
        anchors=OCATA,
    )
    assert plan.rule is None and plan.planned_date is None


def test_team_policy_overrides_the_rule_and_keeps_the_rules_plan():
    # given TripleO's policy: cut at the final RC (wait more than for Newton)
    policy = branching.Policy("final-rc", 0, team="tripleo")
    thr = branching.Deliverable("tripleo-heat-templates", "tripleo", "cycle-trailing", "other")
    # when
    plan = branching.plan_cut(thr, series="ocata", rules=RULES, policies=[policy], anchors=OCATA)
    # then: planned at the final RC (upstream merged stable/ocata on 2017-02-16)
    assert plan.policy == policy
    assert plan.planned_date == date(2017, 2, 16)
    assert plan.backport_window_days == 6
    assert plan.rule_planned_date == date(2017, 2, 10)  # final-rc -6 d
    assert plan.rule_backport_window_days == 12


def test_deliverable_policy_beats_team_policy_and_series_policy_beats_general():
    team = branching.Policy("final-rc", 0, team="tripleo")
    own = branching.Policy("rc1", 0, deliverable="python-tripleoclient")
    own_ocata = branching.Policy(
        "final-clientlib", 1, deliverable="python-tripleoclient", series="ocata"
    )
    pick = branching.pick_policy
    assert (
        pick([team, own], deliverable="python-tripleoclient", team="tripleo", series="pike") == own
    )
    assert (
        pick(
            [team, own, own_ocata],
            deliverable="python-tripleoclient",
            team="tripleo",
            series="ocata",
        )
        == own_ocata
    )
    assert pick([team], deliverable="tripleo-ui", team="TripleO", series="ocata") == team
    assert (
        pick([own_ocata], deliverable="python-tripleoclient", team="tripleo", series="pike") is None
    )


def test_policy_anchored_days_after_the_coordinated_release():
    policy = branching.Policy("release", 10, team="kolla")
    plan = branching.plan_cut(
        branching.Deliverable("kolla", "kolla", "cycle-trailing", "other"),
        series="ocata",
        rules=RULES,
        policies=[policy],
        anchors=OCATA,
    )
    assert plan.planned_date == date(2017, 3, 4)
    assert plan.backport_window_days == -10  # cut after the release: nothing to backport


def test_missing_anchor_event_plans_nothing_and_two_events_of_a_kind_take_the_earliest():
    no_rc1 = [a for a in OCATA if a.kind != "rc1"]
    plan = branching.plan_cut(
        branching.Deliverable("nova", "nova", "cycle-with-rc", "service"),
        series="ocata",
        rules=RULES,
        policies=[],
        anchors=no_rc1,
    )
    assert plan.planned_date is None and plan.rule is not None
    late = branching.Anchor("trailing", "u-cycle-trail", date(2020, 1, 9))
    early = branching.Anchor("trailing", "t-trailing-release", date(2019, 12, 17))
    assert branching.pick_anchor([late, early], "trailing") == early


def test_history_parse_reads_rows_and_independent_rows_have_no_series():
    rows = parse_history(
        "series,deliverable,branch,merged_on\n"
        "ocata,nova,stable/ocata,2017-02-02\n"
        "_independent,castellan,stable/ocata,2017-02-04\n"
    )
    assert rows[0].series == "ocata" and rows[0].merged_on == date(2017, 2, 2)
    assert rows[1].series == "" and rows[1].line == 3


@pytest.mark.parametrize(
    ("line", "field"),
    [
        ("ocata,nova,stable/ocata,2017-02-30", "merged_on"),
        ("ocata,nova,master,2017-02-02", "branch"),
        ("Ocata!,nova,stable/ocata,2017-02-02", "series"),
        ("ocata,no va,stable/ocata,2017-02-02", "deliverable"),
        ("ocata,nova,stable/ocata", "row"),
        ("ocata,cinder,stable/ocata,2017-02-02", "branch"),  # repeats line 2
    ],
)
def test_history_bad_row_names_its_line_and_field(line, field):
    text = "series,deliverable,branch,merged_on\nocata,cinder,stable/ocata,2017-02-02\n"
    with pytest.raises(HistoryError) as exc:
        parse_history(text + line + "\n", source="h.csv")
    assert (exc.value.line, exc.value.field) == (3, field)
    assert str(exc.value).startswith(f"h.csv:3: {field}:")


def test_match_stats_count_unplanned_cuts_as_misses():
    d = date(2020, 1, 1)
    samples = [
        Sample("s", "a", "m", "t", d, d),
        Sample("s", "b", "m", "t", d + timedelta(days=7), d),
        Sample("s", "c", "m", "t", d + timedelta(days=8), d),
        Sample("s", "d", "m", "t", d, None),
    ]
    stats = match_stats(samples)
    assert (stats.total, stats.planned, stats.within) == (4, 3, 2)
    assert stats.share == 0.5 and stats.median_lag == 7


def test_fit_offset_maximises_cuts_within_seven_days():
    assert fit_offset([10, 11, 12, 13, 40]) == 12  # ties go to the median
    assert fit_offset([]) == 0


def test_forecast_uses_only_earlier_series():
    # given: two series cut at +0, then a series cut at +30 (a change of practice)
    result = forecast([("a", [0, 0]), ("b", [0, 1]), ("c", [30, 30])])
    # then: b is forecast from a (hit), c from a+b (+0: misses), the first is not forecast
    assert (result.forecast, result.within) == (4, 2)
    assert result.share == 0.5
    assert result.offset_all == 0  # the fit on everything still follows the majority
