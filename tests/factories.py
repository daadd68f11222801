"""factory_boy factories for the planner's models, and the Ocata roles/schedule builders."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from blueprints.models import (
    Blueprint,
    FeatureFreezeException,
    FFEPolicy,
    WorkItem,
)
from releases.models import Event, Series
from squads.models import AreaExpert, Membership, Project, Squad, SquadGoal

User = get_user_model()


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    # Tests log in with force_login/force_authenticate; hashing a password is slow.
    password = "!unusable"


def api_token(user: User) -> str:  # type: ignore[valid-type]
    """A live API token of ``user`` (django-rest-knox stores only its digest)."""
    from knox.models import AuthToken

    return AuthToken.objects.create(user=user)[1]


class GroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Group
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"group{n}")


class SeriesFactory(factory.django.DjangoModelFactory):
    """A new series; never one already stored (the real import a session may hold): a name
    taken is an IntegrityError, not a silently reused row."""

    class Meta:
        model = Series

    name = factory.Sequence(lambda n: f"series{n}")
    position = factory.Sequence(lambda n: 100 + n)


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event

    series = factory.SubFactory(SeriesFactory)
    key = factory.Sequence(lambda n: f"x-{n}")
    kind = "milestone-1"
    title = factory.LazyAttribute(lambda o: o.kind)
    date = dt.date(2017, 1, 26)
    rule = "stated"


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"project{n}")
    launchpad = factory.LazyAttribute(lambda o: o.name)
    ptl_group = factory.SubFactory(
        GroupFactory, name=factory.LazyAttribute(lambda o: f"{o.factory_parent.name}-ptl")
    )


class SquadFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Squad

    project = factory.SubFactory(ProjectFactory)
    name = factory.Sequence(lambda n: f"squad{n}")
    slug = factory.LazyAttribute(lambda o: o.name.replace("/", "-"))
    area = "an area"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    squad = factory.SubFactory(SquadFactory)
    user = factory.SubFactory(UserFactory)
    role = "member"


class AreaExpertFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AreaExpert

    squad = factory.SubFactory(SquadFactory)
    user = factory.SubFactory(UserFactory)


class SquadGoalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SquadGoal

    squad = factory.SubFactory(SquadFactory)
    series = factory.SubFactory(SeriesFactory)
    title = factory.Sequence(lambda n: f"Goal {n}")


class BlueprintFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Blueprint
        skip_postgeneration_save = True

    squad = factory.SubFactory(SquadFactory)
    project = factory.LazyAttribute(lambda o: o.squad.project if o.squad else ProjectFactory())
    series = factory.SubFactory(SeriesFactory)
    name = factory.Sequence(lambda n: f"blueprint-{n}")
    title = factory.LazyAttribute(lambda o: o.name.replace("-", " ").capitalize())

    @factory.post_generation
    def history(obj: Blueprint, create: bool, extracted: object, **kwargs: object) -> None:
        # A blueprint made as it stands, without a past: one history row from the start of
        # the calendar, so it shows on every day (the services write real rows).
        if create:
            record_history_since_always(obj)


class WorkItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkItem
        skip_postgeneration_save = True

    blueprint = factory.SubFactory(BlueprintFactory)
    title = factory.Sequence(lambda n: f"Work item {n}")
    order = factory.Sequence(lambda n: n)

    @factory.post_generation
    def history(obj: WorkItem, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            record_history_since_always(obj.blueprint)


def record_history_since_always(blueprint: Blueprint) -> None:
    """Append ``blueprint``'s current state to its history, dated from ``core.as_of.EARLIEST``."""
    from blueprints.services.history import history_record
    from core import clock
    from core.as_of import EARLIEST

    with clock.replaying(EARLIEST):
        history_record(blueprint=blueprint)


class FFEPolicyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FFEPolicy

    project = factory.SubFactory(ProjectFactory)
    series = factory.SubFactory(SeriesFactory)


class FFEFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FeatureFreezeException

    blueprint = factory.SubFactory(BlueprintFactory)
    requested_by = factory.SubFactory(UserFactory)
    requested_on = dt.date(2017, 1, 27)
    rationale = "Nearly there; the last patches are in review."
    merge_by = dt.date(2017, 2, 2)


# --- the Ocata schedule and a cast of roles ---------------------------------------------------
OCATA_EVENTS = [
    # key, kind, date — the cross-project Ocata schedule (DESIGN.md).
    ("o-1", "milestone-1", dt.date(2016, 11, 17)),
    ("o-2", "milestone-2", dt.date(2016, 12, 15)),
    ("o-3", "milestone-3", dt.date(2017, 1, 26)),
    ("o-ff", "feature-freeze", dt.date(2017, 1, 26)),
    ("o-rc1", "rc1", dt.date(2017, 2, 2)),
    ("o-final", "release", dt.date(2017, 2, 22)),
    ("o-trailing", "trailing", dt.date(2017, 3, 9)),
]


def ocata_schedule() -> Series:
    """Series ``ocata`` with its cross-project milestones, as the schedule importer makes them.

    The session's database may already hold ocata: the real openstack/releases import
    (tests/conftest.py ``real_releases``) stays for the whole session. Then that series is used,
    on purpose and checked: each milestone it has must fall on the day the facts give, and the
    ones it lacks are added."""
    series = Series.objects.filter(name="ocata").first()
    if series is None:
        series = SeriesFactory(
            name="ocata",
            position=15,
            start_week=dt.date(2016, 10, 31),
            release_week=dt.date(2017, 2, 20),
        )
    stored = {e.key: e for e in Event.objects.filter(series=series)}
    for key, kind, date in OCATA_EVENTS:
        if key in stored:
            found = stored[key]
            assert (found.kind, found.date) == (kind, date), f"stored {key} disagrees: {found}"
        else:
            EventFactory(series=series, key=key, kind=kind, date=date, title=key)
    return series


def live_schedule(today: dt.date, name: str = "zz-live") -> Series:
    """A series whose feature freeze was two days before ``today`` and whose RC1 is five days
    after: the window in which FFEs are requested (for tests through the API, which use the
    real date)."""
    # A made-up series name and position: real series (pike, …) may be in the database.
    series = SeriesFactory(name=name, position=9000)
    for key, kind, offset in [
        ("zz-1", "milestone-1", -70),
        ("zz-2", "milestone-2", -35),
        ("zz-3", "milestone-3", -2),
        ("zz-ff", "feature-freeze", -2),
        ("zz-rc1", "rc1", 5),
        ("zz-final", "release", 26),
    ]:
        EventFactory(
            series=series, key=key, kind=kind, date=today + dt.timedelta(days=offset), title=key
        )
    return series


def event(series: Series, kind: str) -> Event:
    """The (first) cross-project event of ``kind`` in ``series``."""
    return Event.objects.filter(series=series, kind=kind, team="").order_by("date", "key").first()


@dataclass
class Cast:
    """A project with two squads and one user per role of the permission matrix."""

    series: Series
    project: Project
    squad: Squad
    other_squad: Squad
    ptl: object
    lead: object
    other_lead: object
    contributor: object

    def user(self, role: str) -> object:
        return None if role == "anonymous" else getattr(self, role)


def cast(series: Series | None = None) -> Cast:
    series = series or ocata_schedule()
    project = ProjectFactory(name="tripleo")
    squad = SquadFactory(project=project, name="upgrade", slug="upgrade")
    other_squad = SquadFactory(project=project, name="ci", slug="ci")
    ptl = UserFactory(username="ptl")
    ptl.groups.add(project.ptl_group)
    lead = UserFactory(username="upgrade-lead")
    MembershipFactory(squad=squad, user=lead, role="lead")
    other_lead = UserFactory(username="ci-lead")
    MembershipFactory(squad=other_squad, user=other_lead, role="lead")
    contributor = UserFactory(username="contributor")
    MembershipFactory(squad=squad, user=contributor, role="member")
    return Cast(series, project, squad, other_squad, ptl, lead, other_lead, contributor)
