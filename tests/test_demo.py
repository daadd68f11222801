"""The TripleO Ocata demo: what it creates, and that a second run changes nothing."""

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from blueprints.demo import demo_load
from blueprints.models import Blueprint, FeatureFreezeException, WorkItem
from core.models import AuditEntry
from squads import permissions as perms
from squads.models import Membership, Squad, SquadGoal
from tests.factories import ocata_schedule

EXPECTED = {
    "projects": 1,
    "users": 13,  # with the release manager
    "squads": 8,
    "memberships": 11,
    "area_experts": 2,
    "goals": 9,
    "blueprints": 16,
    "work_items": 71,
    "dependencies": 1,
    "ffe_policies": 1,
    "ffes": 4,
    "specs": 0,  # the hand-written facts: no spec linked (tests/test_specs_import.py has them)
}


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # The demo hashes "demo" for twelve accounts per load; PBKDF2 would dominate the test.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def ocata(db):
    return ocata_schedule()


def test_demo_creates_the_ocata_plan(ocata):
    assert demo_load(series=ocata) == EXPECTED
    assert sorted(Squad.objects.values_list("name", flat=True)) == [
        "ci",
        "containers",
        "integration",
        "networking",
        "ui/cli",
        "upgrade",
        "validations",
        "workflows",
    ]
    assert SquadGoal.objects.filter(squad__slug="ci", series=ocata).count() == 4
    upgrades = Blueprint.objects.get(name="overcloud-upgrades-per-service")
    assert list(upgrades.depends_on.values_list("name", flat=True)) == ["composable-ha"]
    assert upgrades.target_milestone.kind == "milestone-3"
    assert Blueprint.objects.get(name="composable-ha").target_milestone.key == "o-2"
    assert (
        WorkItem.objects.filter(blueprint__name="deployment-configuration-improvements").count()
        == 12
    )
    assert not Blueprint.objects.get(name="tripleo-realtime").work_items.exists()
    assert sorted(FeatureFreezeException.objects.values_list("status", flat=True)) == [
        "Denied",
        "Granted",
        "Merged",
        "Requested",
    ]


def test_demo_roles_and_passwords(ocata):
    demo_load(series=ocata)
    ptl = authenticate(username="ptl", password="demo")
    ci_lead = authenticate(username="ci-lead", password="demo")
    assert ptl is not None and ci_lead is not None
    ci_blueprint = Blueprint.objects.get(name="tripleo-repos")
    upgrade_blueprint = Blueprint.objects.get(name="overcloud-upgrades-per-service")
    assert perms.can_edit_blueprint(ci_lead, ci_blueprint)
    assert not perms.can_edit_blueprint(ci_lead, upgrade_blueprint)
    assert perms.is_ptl(ptl, upgrade_blueprint.project)


def test_demo_admin_account_reaches_the_admin_site(ocata, client):
    demo_load(series=ocata)
    assert client.login(username="admin", password="demo")
    page = client.get("/admin/")
    assert page.status_code == 200
    assert "Site administration" in page.content.decode()
    assert client.get("/admin/releases/branchrule/").status_code == 200


def test_demo_leaves_an_audit_trail_with_role_accounts(ocata):
    demo_load(series=ocata)
    rows = list(
        AuditEntry.objects.filter(
            field="implementation_status", object_repr="composable-ha"
        ).order_by("at", "pk")
    )
    # the demo replays the cycle: planned, started before Ocata-1, implemented at its milestone
    assert [r.new for r in rows] == ["Not started", "Started", "Implemented"]
    assert {r.actor.username for r in rows} == {"integration-lead"}
    target = Blueprint.objects.get(name="composable-ha").target_milestone.date
    assert rows[-1].at.date() == target
    assert rows[0].at.date() < rows[1].at.date() < target


def test_demo_is_idempotent(ocata):
    demo_load(series=ocata)
    audit_rows = AuditEntry.objects.count()
    assert demo_load(series=ocata) == dict.fromkeys(EXPECTED, 0)
    assert AuditEntry.objects.count() == audit_rows


def test_demo_needs_the_schedule(db):
    from tests.factories import SeriesFactory

    with pytest.raises(ValueError, match="import its schedule first"):
        demo_load(series=SeriesFactory(name="zz-unscheduled", position=9002))


def test_an_existing_account_of_a_demo_name_is_never_made_ptl(db):
    # given: a real account named "ptl" on a shared instance
    real = get_user_model().objects.create_user("ptl", password="a-real-password-1")
    # when: someone loads the demo there
    with pytest.raises(CommandError, match="ptl"):
        call_command("load_demo", verbosity=0)
    # then: nothing was written and the account got no role, nor the demo password
    real.refresh_from_db()
    assert not real.groups.exists() and not real.check_password("demo")
    assert not Squad.objects.exists() and not Blueprint.objects.exists()
    assert authenticate(username="ptl", password="demo") is None


def test_a_second_load_does_not_grant_roles_again(ocata):
    # given: the demo, then the PTL removes the CI lead and the PTL account leaves its group
    demo_load(series=ocata)
    Membership.objects.filter(squad__slug="ci", user__username="ci-lead").delete()
    ptl = authenticate(username="ptl", password="demo")
    ptl.groups.clear()
    # when: the demo is loaded again
    demo_load(series=ocata)
    # then: neither role came back
    assert not Membership.objects.filter(squad__slug="ci", user__username="ci-lead").exists()
    assert not ptl.groups.exists()


def test_demo_reviews_come_from_the_local_gerrits_data_without_network(ocata, settings):
    from blueprints.demo import demo_reviews_load
    from blueprints.models import Review

    settings.GERRIT_URL = "https://review.example.org"
    demo_load(series=ocata)
    first = demo_reviews_load(series=ocata)
    # the changes naming a demo blueprint; the nova one and the prose-only one are left out
    assert len(first.created) == 9 and sorted(first.not_linked) == [399877, 416227]
    upgrades = Blueprint.objects.get(name="overcloud-upgrades-per-service")
    assert sorted(upgrades.reviews.values_list("status", flat=True)) == [
        "MERGED",
        "MERGED",
        "MERGED",
        "NEW",
    ]
    assert Review.objects.get(number=407861).url == (
        "https://review.example.org/c/openstack/tripleo-heat-templates/+/407861"
    )
    # idempotent, as the sync is
    assert not demo_reviews_load(series=ocata).changed
