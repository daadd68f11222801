"""API tokens (obtain, list, revoke, expiry), 401 with WWW-Authenticate, and the first PTL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import CommandError, call_command
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from core.models import AuditEntry
from squads import permissions as perms
from squads.models import Project
from tests.factories import UserFactory, cast

pytestmark = pytest.mark.django_db
TOKENS = "/api/v1/tokens/"
PASSWORD = "a-long-password-123"


@pytest.fixture
def lead():
    people = cast()
    people.lead.set_password(PASSWORD)
    people.lead.save()
    return people.lead


def obtain(client: APIClient, username: str, password: str = PASSWORD):
    return client.post(TOKENS, {"username": username, "password": password}, format="json")


def test_a_token_from_username_and_password_authenticates_writes(lead):
    client = APIClient()
    response = obtain(client, lead.username)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["token"].startswith(body["token_key"]) and body["expiry"]
    # stored hashed: the token itself is nowhere in the database
    assert not AuthToken.objects.filter(digest=body["token"]).exists()
    client.credentials(HTTP_AUTHORIZATION=f"Token {body['token']}")
    assert client.get(TOKENS).json()["results"][0]["current"] is True
    assert AuditEntry.objects.filter(action="token-create", actor=lead).exists()


def test_wrong_credentials_are_a_401_and_issue_nothing(lead):
    response = obtain(APIClient(), lead.username, "wrong-password")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Token"
    assert response.json()["detail"] == "Unable to log in with provided credentials."
    assert not AuthToken.objects.exists()


def test_missing_credentials_are_a_400_naming_the_fields(lead):
    response = APIClient().post(TOKENS, {"username": lead.username}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["password"]


def test_a_user_lists_and_revokes_only_their_own_tokens(lead):
    mine = AuthToken.objects.create(user=lead)
    other = AuthToken.objects.create(user=UserFactory())
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {mine[1]}")
    listed = client.get(TOKENS).json()["results"]
    assert [t["token_key"] for t in listed] == [mine[0].token_key]
    assert client.delete(f"{TOKENS}{other[0].token_key}/").status_code == 404
    spare = AuthToken.objects.create(user=lead)
    assert client.delete(f"{TOKENS}{spare[0].token_key}/").status_code == 204
    assert AuthToken.objects.filter(user=lead).count() == 1
    # revoking the token in use signs the client out
    assert client.delete(f"{TOKENS}{mine[0].token_key}/").status_code == 204
    assert client.get(TOKENS).status_code == 401


def test_an_expired_token_no_longer_authenticates(lead):
    instance, token = AuthToken.objects.create(user=lead, expiry=timedelta(hours=1))
    AuthToken.objects.filter(pk=instance.pk).update(expiry=timezone.now() - timedelta(seconds=1))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    response = client.get(TOKENS)
    assert response.status_code == 401 and response.json()["detail"] == "Invalid token."


def test_tokens_expire_after_the_configured_days(lead):
    response = obtain(APIClient(), lead.username)
    expiry = AuthToken.objects.get(token_key=response.json()["token_key"]).expiry
    assert timedelta(days=29) < expiry - timezone.now() <= timedelta(days=30)


def test_a_user_holds_a_bounded_number_of_live_tokens(lead, settings):
    settings.REST_KNOX = {**settings.REST_KNOX, "TOKEN_LIMIT_PER_USER": 2}
    client = APIClient()
    assert obtain(client, lead.username).status_code == 201
    assert obtain(client, lead.username).status_code == 201
    refused = obtain(client, lead.username)
    assert refused.status_code == 400 and "revoke one" in refused.json()["non_field_errors"][0]


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("post", "/api/v1/blueprints/"),
        ("post", "/api/v1/squads/"),
        ("post", "/api/v1/cycles/generate/"),
        ("post", "/api/v1/cycles/ocata/replan/"),
        ("get", TOKENS),
    ],
)
def test_unauthenticated_writes_are_401_with_the_scheme_to_use(lead, method, url):
    response = getattr(APIClient(), method)(url, {}, format="json")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Token"


def test_create_ptl_makes_the_first_ptl_and_the_project(monkeypatch, capsys):
    monkeypatch.setenv("DJANGO_PTL_PASSWORD", PASSWORD)
    call_command("create_ptl", "jdoe", "--project", "tripleo", "--superuser", "--noinput")
    project = Project.objects.get(name="tripleo")
    user = authenticate(username="jdoe", password=PASSWORD)
    assert user is not None and user.is_staff and user.is_superuser
    assert perms.is_ptl(user, project) and project.ptl_group.name == "tripleo-ptl"
    assert AuditEntry.objects.filter(action="ptl-appoint", object_id=project.pk).exists()
    # again: nothing changes
    call_command("create_ptl", "jdoe", "--project", "tripleo", "--noinput")
    assert "already was a PTL" in capsys.readouterr().out
    assert get_user_model().objects.filter(username="jdoe").count() == 1


def test_create_ptl_refuses_a_weak_or_missing_password(monkeypatch):
    monkeypatch.delenv("DJANGO_PTL_PASSWORD", raising=False)
    with pytest.raises(CommandError, match="DJANGO_PTL_PASSWORD"):
        call_command("create_ptl", "jdoe", "--project", "tripleo", "--noinput")
    monkeypatch.setenv("DJANGO_PTL_PASSWORD", "123")
    with pytest.raises(CommandError, match="Password refused"):
        call_command("create_ptl", "jdoe", "--project", "tripleo", "--noinput")
    assert not get_user_model().objects.filter(username="jdoe").exists()
