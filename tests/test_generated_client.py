"""A REST client generated from ``/api/schema/`` (openapi-python-client, offline) against a live
server: what a bot pulling milestone dates or updating blueprints would do.

The client is generated into the test's temporary directory from the schema the live server
serves, with ``--fail-on-warning`` (a schema construct the generator cannot read fails the test)
and ``raise_on_unexpected_status`` (an answer the schema does not document raises). Then, on
the Ocata demo: list the cycles, read Ocata's milestones and branch cuts, get a token with a
username and password, change a blueprint's status with ``If-Match``, see a stale ``If-Match``
refused with 412, and revoke the token.
"""

from __future__ import annotations

import importlib
import io
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db(transaction=True)

PACKAGE = "planner_client"
CONFIG = "post_hooks: []\n"  # no formatter run: nothing but the generator itself


@pytest.fixture
def generated(live_server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    schema = tmp_path / "schema.json"
    response = httpx.get(f"{live_server.url}/api/schema/", params={"format": "json"})
    assert response.status_code == 200
    schema.write_bytes(response.content)
    (tmp_path / "config.yaml").write_text(CONFIG)
    generator = Path(sys.executable).with_name("openapi-python-client")
    result = subprocess.run(
        [
            str(generator),
            "generate",
            "--path",
            str(schema),
            "--config",
            str(tmp_path / "config.yaml"),
            "--meta",
            "none",
            "--output-path",
            str(tmp_path / PACKAGE),
            "--fail-on-warning",
        ],  # fmt: skip
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    monkeypatch.syspath_prepend(str(tmp_path))
    for name in [m for m in sys.modules if m == PACKAGE or m.startswith(f"{PACKAGE}.")]:
        del sys.modules[name]
    return importlib.import_module(PACKAGE)


def api(package: Any, module: str) -> Any:
    """One generated operation module, e.g. ``api("cycles.cycles_list")``."""
    return importlib.import_module(f"{package.__name__}.api.{module}")


def rows(answer: Any) -> list:
    """The rows of a list answer, paginated (``results``) or not, as the schema says."""
    return list(answer.results) if hasattr(answer, "results") else list(answer)


def test_a_generated_client_reads_the_schedule_and_updates_a_blueprint(generated, live_server):
    # given: the Ocata demo
    call_command("load_demo", stdout=io.StringIO())
    models = importlib.import_module(f"{PACKAGE}.models")
    anonymous = generated.Client(base_url=live_server.url, raise_on_unexpected_status=True)

    # cycles: a paginated list with Ocata in it
    cycles = api(generated, "cycles.cycles_list").sync(client=anonymous, limit=100)
    assert cycles.count >= 1 and "ocata" in {c.name for c in cycles.results}

    # Ocata's milestones, as DESIGN.md gives them
    milestones = rows(
        api(generated, "cycles.cycles_milestones_list").sync("ocata", client=anonymous)
    )
    dates = {(m.kind, m.date) for m in milestones}
    for kind, day in [
        ("milestone-1", date(2016, 11, 17)),
        ("milestone-2", date(2016, 12, 15)),
        ("feature-freeze", date(2017, 1, 26)),
        ("rc1", date(2017, 2, 2)),
        ("release", date(2017, 2, 22)),
    ]:
        assert (kind, day) in dates, f"no {kind} on {day}: {sorted(map(str, dates))}"

    # Ocata's branch cuts: TripleO's policy (cut at the final RC) shown against the rule
    cuts = rows(api(generated, "cycles.cycles_branch_cuts_list").sync("ocata", client=anonymous))
    tripleo = [c for c in cuts if c.team == "tripleo"]
    assert tripleo and all(c.planned_date and c.backport_window_days is not None for c in tripleo)
    assert all(c.anchor_kind == "final-rc" and c.policy for c in tripleo)

    # a token for the CI squad's lead, from username and password
    new = api(generated, "tokens.tokens_create").sync(
        client=anonymous, body=models.TokenObtainRequest(username="ci-lead", password="demo")
    )
    assert isinstance(new, models.NewToken) and new.expiry is not None
    lead = generated.AuthenticatedClient(
        base_url=live_server.url, token=new.token, prefix="Token", raise_on_unexpected_status=True
    )

    # change one of the CI squad's blueprints with If-Match
    page = api(generated, "blueprints.blueprints_list").sync(
        client=lead,
        series="ocata",
        squad="ci",
        ordering=[
            models.BlueprintsListOrderingItem.IMPLEMENTATION_STATUS,
            models.BlueprintsListOrderingItem.NAME,
        ],
    )
    blueprint = page.results[0]
    read = api(generated, "blueprints.blueprints_retrieve").sync_detailed(blueprint.id, client=lead)
    etag = read.headers["etag"]
    wanted = models.ImplementationStatusEnum.NEEDS_CODE_REVIEW
    if read.parsed.implementation_status == wanted:
        wanted = models.ImplementationStatusEnum.GOOD_PROGRESS
    update = api(generated, "blueprints.blueprints_partial_update")
    changed = update.sync_detailed(
        blueprint.id,
        client=lead,
        body=models.PatchedBlueprintRequest(implementation_status=wanted),
        if_match=etag,
    )
    assert changed.status_code == 200
    assert isinstance(changed.parsed, models.Blueprint)
    assert changed.parsed.implementation_status == wanted
    assert changed.headers["etag"] != etag

    # the same edit on the old ETag: 412, parsed as the schema's error, nothing written
    stale = update.sync_detailed(
        blueprint.id,
        client=lead,
        body=models.PatchedBlueprintRequest(
            implementation_status=read.parsed.implementation_status
        ),
        if_match=etag,
    )
    assert stale.status_code == 412 and isinstance(stale.parsed, models.Error)
    again = api(generated, "blueprints.blueprints_retrieve").sync(blueprint.id, client=anonymous)
    assert again.implementation_status == wanted

    # the lead's tokens: the one in use, then revoked, after which it no longer works
    tokens = api(generated, "tokens.tokens_list").sync(client=lead)
    assert [t.current for t in tokens.results] == [True]
    gone = api(generated, "tokens.tokens_destroy").sync_detailed(new.token[:15], client=lead)
    assert gone.status_code == 204
    refused = api(generated, "tokens.tokens_list").sync_detailed(client=lead)
    assert refused.status_code == 401 and refused.headers["www-authenticate"] == "Token"
