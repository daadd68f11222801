"""Load the TripleO Ocata plan (``blueprints.demo_data``) as a local demo.

Role accounts, all with the password ``demo`` (a local demo only; never load it into a
shared instance): ``ptl`` (member of the ``tripleo-ptl`` group), ``release-manager`` (may apply
re-plans: ``releases.change_event``), ``admin`` (staff and superuser, for the admin site), one
lead per squad
(``ci-lead``, ``ui-cli-lead``, ``upgrade-lead``, ``validations-lead``, ``workflows-lead``,
``containers-lead``, ``networking-lead``, ``integration-lead``) and the contributors
``contributor1`` and ``contributor2``.

Roles (the PTL group, squad leads and members, area experts) are granted only to accounts this
load creates: an account of one of those names that already exists is never given a role again
(a PTL who removed a lead keeps it removed), and one whose password is not the demo's is
someone's real account: the load refuses to touch it and writes nothing.

Writes go through the services with those accounts as actors, so the demo has an audit
trail. Idempotent: rows are looked up by their natural keys and only missing ones are made;
a second run creates nothing. The series' schedule (events of kinds milestone-1/2/3,
feature-freeze, rc1) must be imported first; target milestones are resolved by kind.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import transaction

from blueprints import demo_data as data
from blueprints import demo_specs, gerrit, rules, services
from blueprints.gerrit_sync import GerritSyncReport, reviews_write
from blueprints.models import Blueprint, BlueprintDependency, FFEPolicy
from blueprints.specs import SpecsTree
from core import clock
from core.models import AuditEntry
from releases import selectors as release_selectors
from releases.kinds import TARGET_KINDS, EventKind
from releases.models import Series
from squads import services as squad_services
from squads.models import AreaExpert, Membership, Project, Squad, SquadGoal

DEMO_PASSWORD = "demo"
#: Applies re-plans (moving cross-project dates is the release team's right, not the PTL's).
RELEASE_MANAGER = "release-manager"
#: The day the demo opens on (``make run`` sets ``PLANNER_TODAY`` to it): mid-January 2017,
#: two weeks before Ocata's feature freeze.
DEMO_TODAY = dt.date(2017, 1, 12)
STATES = {"D": "DONE", "I": "INPROGRESS", "T": "TODO", "B": "BLOCKED", "P": "POSTPONED"}
COUNTED = (
    "projects",
    "users",
    "squads",
    "memberships",
    "area_experts",
    "goals",
    "blueprints",
    "work_items",
    "dependencies",
    "ffe_policies",
    "ffes",
    "specs",
)
NEEDED_KINDS = TARGET_KINDS


def _date(value: str) -> dt.date:
    return dt.date.fromisoformat(value)


def _at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(12, 0), tzinfo=dt.UTC)


@contextmanager
def on_day(day: dt.date | None) -> Iterator[None]:
    """Write on ``day``: the demo replays a past cycle, so the services' clock is that day
    (history rows, FFE dates) and the audit rows written inside are stamped with it."""
    last = AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    with clock.replaying(day):
        yield
    if day is not None:
        AuditEntry.objects.filter(pk__gt=last).update(at=_at(day))


def _item_days(
    states: list[str], *, started: dt.date, end: dt.date
) -> list[tuple[int, str, dt.date]]:
    """When each work item left TODO (invented, as the states are): items done spread evenly
    from the blueprint's start to ``end``, the others moved a week after the start."""
    done = [i for i, state in enumerate(states) if state == "DONE"]
    span = max((end - started).days, 1)
    moves = []
    for i, state in enumerate(states):
        if state == "DONE":
            k = done.index(i) + 1
            moves.append((i, state, started + dt.timedelta(days=span * k // (len(done) + 1))))
        elif state != "TODO":
            moves.append((i, state, min(started + dt.timedelta(days=7), end)))
    return moves


class DemoAccountTaken(ValueError):
    """A demo account name belongs to a real account."""


def demo_usernames() -> list[str]:
    names = ["ptl", RELEASE_MANAGER, *(lead for *_, lead in data.SQUADS), *data.CONTRIBUTORS]
    names += [username for _, username, _ in data.AREA_EXPERTS]
    return list(dict.fromkeys(names))


def taken_demo_accounts() -> list[str]:
    """Demo account names held by accounts that are not the demo's (another password)."""
    users = get_user_model().objects.filter(username__in=demo_usernames())
    return sorted(u.get_username() for u in users if not u.check_password(DEMO_PASSWORD))


@transaction.atomic
def demo_load(*, series: Series, specs: SpecsTree | None = None) -> dict[str, int]:
    """Create what is missing of the TripleO Ocata plan in ``series``; return the counts of
    rows created (all zero on a second run).

    With ``specs`` (a tripleo-specs checkout, read), the blueprints' titles and work items are
    the specs' (``blueprints.demo_specs``) and each blueprint is linked to its spec through
    the specs import (``specs``: blueprints it created or changed)."""
    events = {
        kind: event
        for kind in NEEDED_KINDS
        if (event := release_selectors.event_of_kinds(series=series, kinds=(kind,)))
    }
    missing = [kind for kind in NEEDED_KINDS if kind not in events]
    if missing:
        raise ValueError(
            f"series {series.name} has no {', '.join(missing)} event: import its schedule first"
        )
    counts: Counter[str] = Counter()
    User = get_user_model()
    accounts: dict[str, object] = {}
    created: set[str] = set()

    def account(username: str) -> object:
        if username in accounts:
            return accounts[username]
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username)
            user.set_password(DEMO_PASSWORD)
            user.save()
            counts["users"] += 1
            created.add(username)
        elif not user.check_password(DEMO_PASSWORD):
            raise DemoAccountTaken(
                f"an account named {username!r} exists and is not a demo account (its password"
                " is not the demo's): the demo grants no role to it; load the demo into a"
                " database of its own"
            )
        accounts[username] = user
        return user

    def new(user: object) -> bool:
        """Roles go only to accounts this load created."""
        return user.get_username() in created

    # Specs were filed in the planning week before the cycle (the summit), then started.
    created_on = series.start_week - dt.timedelta(days=7) if series.start_week else None
    # The team as it stood when the cycle was planned (its rows dated that day too).
    with on_day(created_on):
        # Project and PTL
        group, _ = Group.objects.get_or_create(name=data.PROJECT["ptl_group"])
        project = Project.objects.filter(name=data.PROJECT["name"]).first()
        if project is None:
            project = squad_services.project_create(
                actor=None,
                name=data.PROJECT["name"],
                title=data.PROJECT["title"],
                launchpad=data.PROJECT["launchpad"],
                ptl_group=group,
            )
            counts["projects"] += 1
        ptl = account("ptl")
        if new(ptl):
            ptl.groups.add(project.ptl_group)
        # A staff account, so the demo's admin site (branch rules, webhooks, tokens) can be seen.
        admin = account("admin")
        if not (admin.is_staff and admin.is_superuser):
            admin.is_staff = admin.is_superuser = True
            admin.save(update_fields=["is_staff", "is_superuser"])

        # A release manager, so a re-plan the PTL previews can be applied in the demo.
        manager = account(RELEASE_MANAGER)
        if new(manager):
            manager.user_permissions.add(
                Permission.objects.get(content_type__app_label="releases", codename="change_event")
            )

        # Squads, leads, members, experts
        squads: dict[str, Squad] = {}
        leads: dict[str, object] = {}
        for slug, name, area, lead_name in data.SQUADS:
            squad = Squad.objects.filter(slug=slug).first()
            if squad is None:
                squad = squad_services.squad_create(
                    actor=ptl,
                    project=project,
                    name=name,
                    slug=slug,
                    area=area,
                    mission=data.SQUAD_MISSION,
                )
                counts["squads"] += 1
            squads[slug] = squad
            leads[slug] = lead = account(lead_name)
            if new(lead) and not Membership.objects.filter(squad=squad, user=lead).exists():
                squad_services.membership_set(squad=squad, user=lead, actor=ptl, role="lead")
                counts["memberships"] += 1
        for username, slugs in data.CONTRIBUTORS.items():
            user = account(username)
            for slug in slugs:
                if (
                    new(user)
                    and not Membership.objects.filter(squad=squads[slug], user=user).exists()
                ):
                    # Anyone may join a squad: the contributors join themselves.
                    squad_services.membership_set(squad=squads[slug], user=user, actor=user)
                    counts["memberships"] += 1
        for slug, username, topic in data.AREA_EXPERTS:
            user = account(username)
            if new(user) and not AreaExpert.objects.filter(squad=squads[slug], user=user).exists():
                squad_services.area_expert_add(
                    squad=squads[slug], user=user, actor=ptl, topic=topic
                )
                counts["area_experts"] += 1

        # Goals
        goals: dict[str, list[SquadGoal]] = {}
        for slug, items in data.GOALS.items():
            goals[slug] = []
            for order, (title, status) in enumerate(items):
                goal = SquadGoal.objects.filter(
                    squad=squads[slug], series=series, title=title
                ).first()
                if goal is None:
                    goal = squad_services.goal_create(
                        squad=squads[slug],
                        series=series,
                        actor=leads[slug],
                        title=title,
                        status=status,
                        order=order,
                    )
                    counts["goals"] += 1
                goals[slug].append(goal)

    # Blueprints and their work items
    blueprint_facts = demo_specs.blueprint_facts(
        facts=data.BLUEPRINTS, tree=specs, series=series, project=project
    )
    for name, spec in blueprint_facts.items():
        title, slug, priority, status, kind, goal_index, whiteboard, items = spec
        if Blueprint.objects.filter(project=project, name=name).exists():
            continue
        milestone = events[kind]
        lead = leads[slug]
        is_started = rules.is_started(implementation_status=status)
        is_complete = rules.is_complete(implementation_status=status, definition_status="Approved")
        started = events[EventKind.MILESTONE_1].date - dt.timedelta(days=7)
        # Replay the cycle: the plan starts Not started, then moves as it did in Ocata, each
        # step audited on its day so the burn-up chart has a history to draw.
        with on_day(created_on):
            blueprint = services.blueprint_create(
                actor=lead,
                project=project,
                series=series,
                name=name,
                title=title,
                squad=squads[slug],
                target_milestone=milestone,
                priority=priority,
                definition_status="Approved",
                implementation_status="Not started",
                whiteboard=whiteboard,
                assignee=lead,
                drafter=lead,
                approver=ptl,
                goal=goals[slug][goal_index] if goal_index is not None else None,
                web_link=f"https://blueprints.launchpad.net/tripleo/+spec/{name}",
                lifecycle_dates={
                    "date_created": _at(created_on) if created_on else None,
                    "date_started": None,
                    "date_completed": None,
                },
            )
        # Then the work: items planned when it started, each moved on its day, the status
        # steps on theirs; written in day order so every history row is on its real day.
        states = [STATES[state] for _title, state, _assignee in items]
        end = milestone.date if is_complete else DEMO_TODAY - dt.timedelta(days=3)
        plan: list[tuple[dt.date, int, object]] = []
        if items:
            plan.append((started, 1, ("items", None)))
        for index, state, day in _item_days(states, started=started, end=end):
            plan.append((day, 2, ("item", (index, state))))
        if is_started:
            plan.append((started, 0, ("status", "Started" if is_complete else status)))
        if is_complete or not is_started and status != "Not started":
            plan.append((milestone.date if is_complete else started, 3, ("status", status)))
        created_items: list = []
        for day, _order, (what, arg) in sorted(plan, key=lambda p: (p[0], p[1])):
            with on_day(day):
                if what == "status":
                    blueprint = services.blueprint_update(
                        blueprint=blueprint,
                        actor=lead,
                        implementation_status=arg,
                        lifecycle_dates={
                            "date_started": _at(started) if is_started else None,
                            "date_completed": _at(milestone.date)
                            if rules.is_complete(
                                implementation_status=arg, definition_status="Approved"
                            )
                            else None,
                        },
                    )
                elif what == "items":
                    for order, (item_title, _state, assignee) in enumerate(items):
                        created_items.append(
                            services.work_item_create(
                                blueprint=blueprint,
                                actor=lead,
                                title=item_title,
                                assignee=account(assignee) if assignee else None,
                                order=order,
                            )
                        )
                        counts["work_items"] += 1
                else:
                    index, state = arg
                    services.work_item_update(
                        work_item=created_items[index], actor=lead, status=state
                    )
        counts["blueprints"] += 1

    if specs is not None:
        with on_day(created_on):
            counts["specs"] += demo_specs.link_specs(
                tree=specs, series=series, project=project, actor=ptl
            )

    for name, depends_on in data.DEPENDENCIES:
        blueprint = Blueprint.objects.get(project=project, name=name)
        target = Blueprint.objects.get(project=project, name=depends_on)
        if not BlueprintDependency.objects.filter(blueprint=blueprint, depends_on=target).exists():
            # Known from the Barcelona summit on: recorded with the plan.
            with on_day(created_on):
                services.blueprint_set_dependencies(
                    blueprint=blueprint,
                    actor=ptl,
                    depends_on=[*blueprint.depends_on.all(), target],
                )
            counts["dependencies"] += 1

    # FFE policy and requests, decided as they would have been in the week after freeze
    if not FFEPolicy.objects.filter(project=project, series=series).exists():
        with on_day(created_on):
            services.ffe_policy_set(
                project=project,
                series=series,
                actor=ptl,
                request_cutoff=_date(data.FFE_POLICY["request_cutoff"]),
                max_granted=data.FFE_POLICY["max_granted"],
                notes=data.FFE_POLICY["notes"],
            )
        counts["ffe_policies"] += 1
    for name, requester, requested_on, merge_by, risk, rationale, outcome in data.FFES:
        blueprint = Blueprint.objects.get(project=project, name=name)
        if blueprint.ffes.exists():
            continue
        day = _date(requested_on)
        with on_day(day):
            ffe = services.ffe_request(
                blueprint=blueprint,
                actor=account(requester),
                rationale=rationale,
                merge_by=_date(merge_by),
                risk=risk,
                today=day,
            )
        counts["ffes"] += 1
        status, detail = outcome
        with on_day(day):
            if status in ("Granted", "Merged"):
                ffe = services.ffe_decide(ffe=ffe, actor=ptl, granted=True, today=day)
            if status == "Denied":
                services.ffe_decide(ffe=ffe, actor=ptl, granted=False, note=detail, today=day)
        if status == "Merged":
            with on_day(_date(detail)):
                services.ffe_mark_merged(ffe=ffe, actor=leads[blueprint.squad.slug])
    return {key: counts[key] for key in COUNTED}


# Gerrit's answer to the sync's query for the demo's repositories (ChangeInfo with every option
# the sync asks for); the local Gerrit of the tests serves the same file.
DEMO_REVIEWS = Path(__file__).with_name("demo_reviews.json")


def demo_reviews_load(*, series: Series) -> GerritSyncReport:
    """The Gerrit reviews behind the demo's blueprints, without network: the changes of
    ``demo_reviews.json`` through the sync's own parsing (``gerrit.parse_changes``) and write
    (``gerrit_sync.reviews_write``). Their numbers are illustrative, not the historical ones,
    so their links (under ``settings.GERRIT_URL``) lead to unrelated changes. Each change is
    written on the day it was last updated, as a sync running then would have seen it, so its
    audit rows carry that day, not the load's. Idempotent."""
    project = Project.objects.get(name=data.PROJECT["name"])
    page = gerrit.parse_changes(
        json.loads(DEMO_REVIEWS.read_text(encoding="utf-8")), gerrit_url=settings.GERRIT_URL
    )
    report = GerritSyncReport(gerrit_url=settings.GERRIT_URL)
    by_day: dict[dt.date, list[gerrit.Review]] = {}
    for review in page.reviews:
        by_day.setdefault(review.updated.date(), []).append(review)
    for day, reviews in sorted(by_day.items()):
        with on_day(day):
            reviews_write(project=project, series=series, reviews=reviews, report=report)
    report.problems += page.problems
    return report


__all__ = ["DEMO_PASSWORD", "DEMO_REVIEWS", "demo_load", "demo_reviews_load", "on_day"]
