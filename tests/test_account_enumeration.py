"""A logged-in user without the right to a write learns nothing from it about which accounts
exist: the permission is asked before the body naming a user is validated, on the API and on
the pages, so an existing and a made-up username get the same answer."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from rest_framework.test import APIClient

from blueprints.models import WorkItem
from tests.factories import BlueprintFactory, UserFactory, WorkItemFactory, cast

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    world = cast()
    world.blueprint = BlueprintFactory(
        series=world.series, squad=world.squad, project=world.project
    )
    world.item = WorkItemFactory(blueprint=world.blueprint, assignee=world.contributor)
    world.existing = UserFactory(username="existing-account")
    return world


def answers(client: APIClient, method: str, url: str, body_for) -> list[tuple[int, bytes]]:
    return [
        (r.status_code, r.content)
        for r in (
            getattr(client, method)(url, body_for(name), format="json")
            for name in ("existing-account", "no-such-account-zz")
        )
    ]


def as_user(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_creating_a_blueprint_does_not_tell_which_accounts_exist(world):
    outsider = as_user(world.contributor)
    body = lambda name: {  # noqa: E731
        "project": "tripleo",
        "series": "ocata",
        "squad": "upgrade",
        "name": "probe",
        "title": "Probe",
        "assignee": name,
    }
    first, second = answers(outsider, "post", "/api/v1/blueprints/", body)
    assert first == second and first[0] == 403
    # whoever may create still gets the validation error, naming the field
    response = as_user(world.lead).post(
        "/api/v1/blueprints/", body("no-such-account-zz"), format="json"
    )
    assert response.status_code == 400 and "assignee" in response.json()


def test_adding_a_work_item_does_not_tell_which_accounts_exist(world):
    body = lambda name: {"blueprint": world.blueprint.pk, "title": "x", "assignee": name}  # noqa: E731
    first, second = answers(as_user(world.other_lead), "post", "/api/v1/work-items/", body)
    assert first == second and first[0] == 403
    assert not WorkItem.objects.filter(title="x").exists()


def test_an_assignee_editing_their_item_cannot_probe_usernames(world):
    url = f"/api/v1/work-items/{world.item.pk}/"
    first, second = answers(
        as_user(world.contributor), "patch", url, lambda name: {"assignee": name}
    )
    assert first == second and first[0] == 403
    # and may still change what is theirs to change
    response = as_user(world.contributor).patch(url, {"status": "DONE"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "DONE"


@pytest.mark.parametrize(
    ("url", "body"),
    [
        ("/api/v1/memberships/", lambda name: {"squad": "upgrade", "user": name, "role": "lead"}),
        ("/api/v1/memberships/", lambda name: {"squad": "upgrade", "user": name}),
        ("/api/v1/area-experts/", lambda name: {"squad": "upgrade", "user": name, "topic": "x"}),
    ],
)
def test_naming_people_in_squads_does_not_tell_which_accounts_exist(url, body, world):
    first, second = answers(as_user(world.contributor), "post", url, body)
    assert first == second and first[0] == 403
    # joining as oneself is still anyone's right
    me = as_user(world.contributor).post(
        "/api/v1/memberships/",
        {"squad": "ci", "user": world.contributor.username},
        format="json",
    )
    assert me.status_code == 201


def test_editing_a_blueprint_on_its_page_does_not_tell_which_accounts_exist(world):
    def message(assignee: str) -> list[str]:
        client = Client()
        client.force_login(world.other_lead)
        response = client.post(
            f"/blueprints/{world.blueprint.pk}/edit/",
            {"assignee": assignee, "implementation_status": "Started"},
        )
        return [str(m) for m in get_messages(response.wsgi_request)]

    existing, made_up = message(str(world.existing.pk)), message("987654321")
    assert (
        existing
        == made_up
        == ["Only the PTL, or the lead of the blueprint's squad, edits this blueprint."]
    )
    world.blueprint.refresh_from_db()
    assert world.blueprint.assignee_id is None
