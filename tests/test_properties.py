"""Property-based tests of the pure date and branch rules:
``releases/schedule.py`` (thursday_of, monday_of, stated_date, stated_range, event_kind,
series_for_key) and ``releases/branching.py`` (pick_rule, pick_policy, pick_anchor, plan_cut,
backport_window). No database."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from releases import branching
from releases.branching import Anchor, Deliverable, Policy, Rule
from releases.kinds import ANCHOR_KINDS, EventKind
from releases.schedule import (
    event_kind,
    monday_of,
    series_for_key,
    stated_date,
    stated_range,
    thursday_of,
)

# Per test, not a global profile: other modules keep their own hypothesis settings.
PROPS = settings(max_examples=100, deadline=None)

days = st.dates(min_value=date(2010, 1, 1), max_value=date(2035, 12, 31))
weekdays = days.filter(lambda d: d.weekday() < 5)
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]  # fmt: skip
SERIES = ["austin", "bexar", "cactus", "diablo", "essex", "folsom", "grizzly", "havana",
          "icehouse", "juno", "kilo", "liberty", "mitaka", "newton", "ocata", "pike", "queens",
          "rocky", "stein", "train", "ussuri", "victoria", "wallaby", "xena", "yoga", "zed",
          "antelope", "bobcat", "caracal", "dalmatian", "epoxy", "flamingo"]  # fmt: skip


# --- week days --------------------------------------------------------------------------------


@PROPS
@given(days)
def test_thursday_of_is_the_thursday_of_the_same_monday_week(day):
    thursday = thursday_of(day)
    assert thursday.weekday() == 3
    assert monday_of(day) <= day < monday_of(day) + timedelta(days=7)
    assert thursday == monday_of(day) + timedelta(days=3)
    assert abs((thursday - day).days) <= 3


@PROPS
@given(days)
def test_thursday_of_and_monday_of_are_idempotent_and_constant_over_a_week(day):
    assert thursday_of(thursday_of(day)) == thursday_of(day)
    assert monday_of(monday_of(day)) == monday_of(day)
    for offset in range(7):
        assert thursday_of(monday_of(day) + timedelta(days=offset)) == thursday_of(day)


@PROPS
@given(days, days)
def test_thursday_of_is_monotonic(a, b):
    assume(a <= b)
    assert thursday_of(a) <= thursday_of(b)


# --- stated dates -------------------------------------------------------------------------------


def spelled(day: date, style: int) -> str:
    month = MONTHS[day.month - 1]
    return [
        f"{day.day} {month}",
        f"{day.day} {month} {day.year}",
        f"{month} {day.day}, {day.year}",
        f"{day:%A}, {month} {day.day}, {day.year}",
        f"{day.day}th {month}, {day.year}" if 4 <= day.day <= 10 else f"{day.day} {month}",
    ][style]  # fmt: skip


@PROPS
@given(weekdays, st.integers(0, 4), st.integers(-4, 4))
def test_a_stated_day_is_read_back_from_the_prose(day, style, shift):
    near = day + timedelta(days=shift)  # the Thursday of a nearby week
    prose = f"The deadline for this milestone is {spelled(day, style)}. Plan for it."
    assert stated_date(prose, near) == day
    assert stated_range(prose, near) is None


@PROPS
@given(weekdays, st.integers(1, 4))
def test_a_stated_span_gives_its_first_day_and_no_single_day(day, length):
    end = day + timedelta(days=length)
    assume(end.month == day.month)
    prose = f"The PTG happens {day.day}-{end.day} {MONTHS[day.month - 1]} {day.year}."
    assert stated_date(prose, day) is None
    assert stated_range(prose, day) == (day, end)


@PROPS
@given(weekdays, st.integers(30, 200))
def test_a_day_far_from_the_listed_week_is_not_taken_as_the_date(day, distance):
    mentioned = day + timedelta(days=distance)
    prose = f"Remember that {mentioned.day} {MONTHS[mentioned.month - 1]} {mentioned.year} is far."
    assert stated_date(prose, day) is None


@PROPS
@given(st.text(max_size=300), days)
def test_stated_date_never_fails_on_any_text(prose, near):
    found = stated_date(prose, near)
    assert found is None or abs((found - near).days) <= 10
    span = stated_range(prose, near)
    assert span is None or span[0] <= span[1]


# --- event kinds and series ---------------------------------------------------------------------

letters = st.sampled_from("abcdefghijklmnopqrstuvwxyz")
words = st.from_regex(r"[a-z][a-z0-9]{0,8}(-[a-z0-9]{1,8}){0,3}", fullmatch=True)


@PROPS
@given(letters, words)
def test_every_event_id_has_a_known_kind(letter, rest):
    kind, team = event_kind(f"{letter}-{rest}")
    assert kind in EventKind.values
    # team events are project deadlines/events; cross-project ones carry no team
    assert bool(team) == (kind in {"project-deadline", "project-event"})


@PROPS
@given(letters, words)
def test_event_kind_ignores_the_series_letter_and_case(letter, rest):
    assert event_kind(f"{letter}-{rest}") == event_kind(f"o-{rest}")
    assert event_kind(f"{letter}-{rest}".upper()) == event_kind(f"o-{rest}")


@PROPS
@given(st.sampled_from(SERIES), st.sampled_from(SERIES), words)
def test_an_event_belongs_to_a_series_of_its_letter_near_the_file(file_series, other, rest):
    key = f"{other[0]}-{rest}"
    found = series_for_key(key, "", file_series, SERIES)
    assert found[0] == other[0]
    # no series with that letter is nearer to the file than the one chosen
    here = SERIES.index(file_series)
    nearest = min(abs(i - here) for i, s in enumerate(SERIES) if s[0] == other[0])
    assert abs(SERIES.index(found) - here) == nearest


@PROPS
@given(st.sampled_from(SERIES), st.sampled_from(SERIES), words)
def test_a_series_named_in_the_title_wins(file_series, named, rest):
    title = f"{named.capitalize()} deadline"
    assert series_for_key(f"{named[0]}-{rest}", title, file_series, SERIES) == named


# --- branch-cut rules ---------------------------------------------------------------------------

models = st.sampled_from(
    ["cycle-with-rc", "cycle-with-intermediary", "cycle-trailing", "independent"]
)
types = st.sampled_from(["", "service", "library", "client-library", "trailing"])
kinds = st.sampled_from(list(ANCHOR_KINDS))
rules = st.builds(Rule, release_model=models, deliverable_type=types, anchor_kind=kinds,
                  offset_days=st.integers(-30, 30))  # fmt: skip
anchors = st.builds(
    Anchor, kind=kinds, key=st.from_regex(r"o-[a-z]{1,6}", fullmatch=True), date=days
)
policies = st.builds(
    Policy,
    anchor_kind=st.one_of(kinds, st.just(branching.NO_BRANCH)),
    offset_days=st.integers(-30, 30),
    team=st.sampled_from(["", "tripleo", "nova"]),
    deliverable=st.sampled_from(["", "tripleo-ui", "nova"]),
    series=st.sampled_from(["", "ocata", "pike"]),
)
deliverables = st.builds(
    Deliverable,
    name=st.sampled_from(["tripleo-ui", "nova", "oslo.messaging"]),
    team=st.sampled_from(["tripleo", "nova", "oslo"]),
    release_model=models,
    type=types,
)


@PROPS
@given(st.lists(rules, max_size=8), models, types)
def test_pick_rule_prefers_the_exact_type_then_the_models_default(all_rules, model, kind):
    rule = branching.pick_rule(all_rules, release_model=model, deliverable_type=kind)
    exact = [r for r in all_rules if r.release_model == model and r.deliverable_type == kind]
    default = [r for r in all_rules if r.release_model == model and not r.deliverable_type]
    if exact:
        assert rule == exact[0]
    elif default:
        assert rule == default[-1]
    else:
        assert rule is None


@PROPS
@given(st.lists(anchors, max_size=8), kinds)
def test_pick_anchor_is_the_earliest_of_its_kind(all_anchors, kind):
    anchor = branching.pick_anchor(all_anchors, kind)
    same = [a for a in all_anchors if a.kind == kind]
    assert (anchor is None) == (not same)
    if anchor is not None:
        assert anchor.date == min(a.date for a in same)
        # order of the input does not matter
        assert branching.pick_anchor(list(reversed(all_anchors)), kind) == anchor


@PROPS
@given(st.lists(policies, max_size=6), deliverables, st.sampled_from(["ocata", "pike"]))
def test_a_policy_applies_only_to_its_deliverable_or_team_and_series(all_policies, d, series):
    policy = branching.pick_policy(all_policies, deliverable=d.name, team=d.team, series=series)
    if policy is not None:
        assert policy in all_policies
        assert policy.series in ("", series)
        assert policy.deliverable == d.name or (not policy.deliverable and policy.team == d.team)
        # a deliverable's own policy beats its team's
        own = [p for p in all_policies if p.deliverable == d.name and p.series in ("", series)]
        if own:
            assert policy.deliverable == d.name


@PROPS
@given(
    deliverables,
    st.lists(rules, max_size=6),
    st.lists(policies, max_size=4),
    st.lists(anchors, max_size=8),
)
def test_plan_cut_is_anchor_plus_offset_and_its_window_ends_at_the_release(d, rs, ps, ans):
    plan = branching.plan_cut(d, series="ocata", rules=rs, policies=ps, anchors=ans)
    chosen = plan.policy or plan.rule
    if chosen is None or chosen.anchor_kind == branching.NO_BRANCH or plan.anchor is None:
        assert plan.planned_date is None and plan.backport_window_days is None
        return
    assert plan.anchor.kind == chosen.anchor_kind
    assert plan.planned_date == plan.anchor.date + timedelta(days=chosen.offset_days)
    release = branching.pick_anchor(ans, "release")
    if release is None:
        assert plan.backport_window_days is None
    else:
        assert plan.backport_window_days == (release.date - plan.planned_date).days
    # the plan before the override is the rule's own
    if plan.rule is not None and plan.rule_anchor is not None:
        assert plan.rule_planned_date == plan.rule_anchor.date + timedelta(
            days=plan.rule.offset_days
        )


@PROPS
@given(days, st.integers(-60, 60))
def test_backport_window_is_the_days_from_cut_to_release(cut, days_to_release):
    release = cut + timedelta(days=days_to_release)
    assert branching.backport_window(cut=cut, final_release=release) == days_to_release
    assert branching.backport_window(cut=None, final_release=release) is None
