"""Concurrency: no lost updates when two squad leads edit one blueprint at
once (ETag / If-Match, 412 when stale), and imports and branch-cut recomputes take a lock so
two at once cannot interleave.

The lost-update count runs real concurrent writers over HTTP against the gunicorn deployment on
PostgreSQL that tests/support/deploy.py starts (several processes, each with its own connection).
"""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections
from django.test import override_settings
from rest_framework.test import APIClient

from releases.services import IMPORT_LOCK_ID
from tests.factories import BlueprintFactory, MembershipFactory, WorkItemFactory, cast
from tests.support.deploy import Stack, shell, wait_until

# --- the API contract, in-process ----------------------------------------------------------------


@pytest.fixture
def two_leads(db):
    people = cast()
    second = MembershipFactory(squad=people.squad, role="lead").user
    blueprint = BlueprintFactory(project=people.project, squad=people.squad, series=people.series)
    clients = []
    for user in (people.lead, second):
        client = APIClient()
        client.force_authenticate(user)
        clients.append(client)
    return blueprint, clients


def test_a_blueprint_read_carries_an_etag_that_moves_with_every_write(two_leads):
    blueprint, (alice, _) = two_leads
    url = f"/api/v1/blueprints/{blueprint.pk}/"
    first = alice.get(url)["ETag"]
    assert first.startswith('"') and alice.get(url)["ETag"] == first  # stable while unchanged
    response = alice.patch(url, {"whiteboard": "x"}, format="json", HTTP_IF_MATCH=first)
    assert response.status_code == 200
    assert response["ETag"] != first and response["ETag"] == alice.get(url)["ETag"]


def test_the_second_of_two_leads_writing_from_one_read_gets_412_and_nothing_is_lost(two_leads):
    blueprint, (alice, bob) = two_leads
    url = f"/api/v1/blueprints/{blueprint.pk}/"
    seen = alice.get(url)["ETag"]
    assert bob.get(url)["ETag"] == seen
    # when: both write on top of the same read
    assert (
        alice.patch(url, {"whiteboard": "alice"}, format="json", HTTP_IF_MATCH=seen).status_code
        == 200
    )
    stale = bob.patch(url, {"whiteboard": "bob"}, format="json", HTTP_IF_MATCH=seen)
    # then: Bob is told, and Alice's change stands
    assert stale.status_code == 412
    assert "changed by someone else" in stale.json()["detail"]
    blueprint.refresh_from_db()
    assert blueprint.whiteboard == "alice"
    # Bob reads again and re-applies his change on top of Alice's
    fresh = bob.get(url)
    response = bob.patch(
        url,
        {"whiteboard": fresh.json()["whiteboard"] + " bob"},
        format="json",
        HTTP_IF_MATCH=fresh["ETag"],
    )
    assert response.status_code == 200 and response.json()["whiteboard"] == "alice bob"


def test_a_work_item_delete_with_a_stale_etag_is_refused(two_leads):
    blueprint, (alice, bob) = two_leads
    item = WorkItemFactory(blueprint=blueprint)
    url = f"/api/v1/work-items/{item.pk}/"
    seen = bob.get(url)["ETag"]
    assert (
        alice.patch(url, {"title": "renamed"}, format="json", HTTP_IF_MATCH=seen).status_code == 200
    )
    assert bob.delete(url, HTTP_IF_MATCH=seen).status_code == 412
    assert bob.delete(url, HTTP_IF_MATCH=bob.get(url)["ETag"]).status_code == 204


def test_if_match_star_and_lists_of_etags_are_understood(two_leads):
    blueprint, (alice, _) = two_leads
    url = f"/api/v1/blueprints/{blueprint.pk}/"
    assert (
        alice.patch(url, {"whiteboard": "a"}, format="json", HTTP_IF_MATCH="*").status_code == 200
    )
    current = alice.get(url)["ETag"]
    both = f'"0000", W/{current}'
    assert (
        alice.patch(url, {"whiteboard": "b"}, format="json", HTTP_IF_MATCH=both).status_code == 200
    )


def test_writes_without_if_match_are_refused_when_the_deployment_requires_it(two_leads):
    blueprint, (alice, _) = two_leads
    url = f"/api/v1/blueprints/{blueprint.pk}/"
    with override_settings(API_REQUIRE_IF_MATCH=True):
        response = alice.patch(url, {"whiteboard": "blind"}, format="json")
        assert response.status_code == 428
        seen = alice.get(url)["ETag"]
        response = alice.patch(url, {"whiteboard": "seen"}, format="json", HTTP_IF_MATCH=seen)
        assert response.status_code == 200


def test_the_schema_documents_if_match_and_412(client, db):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    patch = schema["paths"]["/api/v1/blueprints/{id}/"]["patch"]
    assert any(p["name"] == "If-Match" and p["in"] == "header" for p in patch["parameters"])
    assert {"200", "412", "428"} <= set(patch["responses"])  # the success stays documented


# --- lost updates with real concurrent writers on PostgreSQL --------------------------------------

WRITERS = 4
EDITS_EACH = 6


def leads_with_tokens(stack: Stack) -> dict:
    return shell(
        stack,
        "import json\n"
        "from django.contrib.auth import get_user_model\n"
        "from knox.models import AuthToken\n"
        "from blueprints.models import Blueprint\n"
        "from squads.models import Membership\n"
        "bp = Blueprint.objects.filter(squad__isnull=False).order_by('pk').first()\n"
        "bp.whiteboard = ''\n"
        "bp.save(update_fields=['whiteboard'])\n"
        "tokens = []\n"
        f"for i in range({WRITERS}):\n"
        "    u, _ = get_user_model().objects.get_or_create(username=f'i7-lead-{i}')\n"
        "    Membership.objects.update_or_create(\n"
        "        squad=bp.squad, user=u, defaults={'role': 'lead'})\n"
        "    tokens.append(AuthToken.objects.create(user=u)[1])\n"
        "print(json.dumps({'id': bp.pk, 'tokens': tokens}))",
    )


def run_writers(stack: Stack, blueprint_id: int, tokens: list[str], *, if_match: bool) -> dict:
    """Each writer appends its own markers, read-modify-write; on 412 it reads again and retries."""
    url = f"/api/v1/blueprints/{blueprint_id}/"
    start = threading.Barrier(len(tokens))
    conflicts = []

    def writer(index: int, token: str) -> int:
        auth = {"Authorization": f"Token {token}", "Content-Type": "application/json"}
        start.wait(timeout=30)
        retries = 0
        for edit in range(EDITS_EACH):
            for _attempt in range(50):
                status, headers, body = stack.get(url, headers=auth)
                assert status == 200, body[:300]
                lines = json.loads(body)["whiteboard"]
                marker = f"w{index}-e{edit}"
                extra = {"If-Match": headers["ETag"]} if if_match else {}
                data = json.dumps({"whiteboard": (lines + "\n" + marker).strip()}).encode()
                status, _, body = stack.get(
                    url, headers={**auth, **extra}, method="PATCH", data=data
                )
                if status == 200:
                    break
                assert status == 412, body[:300]
                retries += 1
            else:
                raise AssertionError(f"writer {index} never got edit {edit} in")
        conflicts.append(retries)
        return retries

    with ThreadPoolExecutor(len(tokens)) as pool:
        list(pool.map(writer, range(len(tokens)), tokens))
    final = json.loads(stack.get(url)[2])["whiteboard"].split()
    expected = {f"w{i}-e{e}" for i in range(len(tokens)) for e in range(EDITS_EACH)}
    return {
        "lost": len(expected - set(final)),
        "conflicts_412": sum(conflicts),
        "writes": len(expected),
    }


@pytest.mark.services
def test_concurrent_leads_lose_no_update_on_postgresql(stack):
    setup = leads_with_tokens(stack)
    outcome = run_writers(stack, setup["id"], setup["tokens"], if_match=True)
    print(f"concurrent writers with If-Match: {outcome}")
    assert outcome["lost"] == 0, outcome


# --- imports and recomputes take a lock -----------------------------------------------------------


def _waiting_on_lock(pid: int) -> bool:
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [pid])
        row = cursor.fetchone()
    return bool(row) and row[0] == "Lock"


def _in_thread(target, results: dict) -> threading.Thread:
    def run() -> None:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                results["pid"] = cursor.fetchone()[0]
            results["value"] = target()
        except Exception as exc:
            results["error"] = exc
        finally:
            connection.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_an_import_waits_for_a_running_import(postgres, tmp_path):
    from releases.services import releases_import
    from tests.support.trees import SERIES, base_files, write_tree

    tree = write_tree(tmp_path / "tree", base_files())
    holder = connections.create_connection("default")
    try:
        with holder.cursor() as cursor:  # "another import" holds the lock
            cursor.execute("SELECT pg_advisory_lock(%s)", [IMPORT_LOCK_ID])
        results: dict = {}
        thread = _in_thread(
            lambda: releases_import(path=tree, series=[SERIES], actor="second"), results
        )
        wait_until(lambda: "pid" in results and _waiting_on_lock(results["pid"]), timeout=30,
                   what="the second import to wait on the import lock")  # fmt: skip
        assert thread.is_alive() and "value" not in results
    finally:
        with holder.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [IMPORT_LOCK_ID])
        holder.close()
    thread.join(timeout=60)
    assert "error" not in results, results.get("error")
    assert results["value"].counts["deliverables"].created == 1


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_recompute_waits_for_a_running_recompute_of_the_same_series(postgres):
    from releases.branch_services import branch_cuts_compute
    from tests.factories import SeriesFactory

    series = SeriesFactory(name="zz-lock", position=9001)
    holder = connections.create_connection("default")
    try:
        holder.set_autocommit(False)
        with holder.cursor() as cursor:  # "another worker" is computing this series
            cursor.execute("SELECT id FROM releases_series WHERE id = %s FOR UPDATE", [series.pk])
        results: dict = {}
        thread = _in_thread(lambda: branch_cuts_compute(series=series), results)
        wait_until(lambda: "pid" in results and _waiting_on_lock(results["pid"]), timeout=30,
                   what="the second recompute to wait on the series lock")  # fmt: skip
        assert thread.is_alive()
    finally:
        holder.rollback()
        holder.close()
    thread.join(timeout=60)
    assert "error" not in results, results.get("error")
