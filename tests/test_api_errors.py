"""One rule for what the API does not know: a query value naming nothing is a 400 naming the
parameter, a path naming nothing a 404, on every list the schema describes.

The operations and their parameters are read from ``/api/schema/``, so an endpoint added later
is held to the same rule without editing this file.
"""

from __future__ import annotations

import json

import pytest
from rest_framework.test import APIClient

from tests.factories import BlueprintFactory, cast

pytestmark = pytest.mark.django_db

# Query parameters that name an object (by name, slug, username or id), wherever they appear.
NAMING = {
    "series", "squad", "project", "assignee", "user", "member", "blueprint", "blueprint_name",
    "milestone", "team", "from", "to",
}  # fmt: skip
UNKNOWN = {"integer": "987654321", "string": "no-such-thing"}
# Known to answer otherwise, each with what it does instead (remove the entry when it is fixed:
# the test then fails here, strictly).
NOT_YET: dict[tuple[str, str], str] = {}


def served_schema() -> dict:
    """``/api/schema/`` as the view serves it, generated at collection time (no request)."""
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.renderers import OpenApiJsonRenderer

    schema = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(schema, renderer_context={}))


def naming_parameters(schema: dict) -> list:
    found = []
    for path, item in sorted(schema["paths"].items()):
        if "get" not in item or "{" in path.replace("{name}", ""):
            continue  # reads whose path names a cycle at most: the cycle is Ocata below
        for parameter in item["get"].get("parameters", []):
            if parameter["in"] == "query" and parameter["name"] in NAMING:
                reason = NOT_YET.get((path, parameter["name"]))
                marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
                kind = parameter["schema"].get("type", "string")
                found.append(pytest.param(path, parameter["name"], kind, marks=marks))
    return found


def test_the_rule_covers_the_lists_that_name_objects():
    params = naming_parameters(served_schema())
    paths = {p.values[0] for p in params}
    assert len(params) >= 25 and len(paths) >= 10, sorted(paths)


@pytest.fixture
def data():
    people = cast()
    BlueprintFactory(project=people.project, squad=people.squad, series=people.series)
    return people


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "naming_parameter" in metafunc.fixturenames:
        metafunc.parametrize(
            ("path", "naming_parameter", "kind"), naming_parameters(served_schema())
        )


def test_an_unknown_query_value_is_a_400_naming_the_parameter(data, path, naming_parameter, kind):
    url = path.replace("{name}", data.series.name)
    response = APIClient().get(url, {naming_parameter: UNKNOWN[kind]})
    assert response.status_code == 400, (url, naming_parameter, response.content[:300])
    body = response.json()
    assert list(body) == [naming_parameter], body
    assert body[naming_parameter] and all(isinstance(m, str) for m in body[naming_parameter])


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/cycles/no-such-cycle/",
        "/api/v1/cycles/no-such-cycle/branch-cuts/",
        "/api/v1/cycles/no-such-cycle/forecast/",
        "/api/v1/cycles/no-such-cycle/milestones/",
        "/api/v1/squads/no-such-squad/",
        "/api/v1/blueprints/987654321/",
        "/api/v1/blueprints/987654321/forecast/",
        "/api/v1/no-such-resource/",
    ],
)
def test_an_unknown_object_in_the_path_is_a_json_404(data, url):
    response = APIClient().get(url)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json" and "detail" in response.json()


@pytest.mark.parametrize(
    ("url", "query", "parameter"),
    [
        ("/api/v1/cycles/", {"scheduled": "maybe"}, "scheduled"),
        ("/api/v1/cycles/ocata/forecast/", {"flagged": "perhaps"}, "flagged"),
        ("/api/v1/blueprints/", {"ordering": "-nosuch"}, "ordering"),
        ("/api/v1/blueprints/", {"priority": "Urgent"}, "priority"),
        ("/api/v1/work-items/", {"blueprint": "abc"}, "blueprint"),
        ("/api/v1/branch-report/", {"from": "no-such-series"}, "from"),
    ],
)
def test_a_bad_value_is_a_400_naming_its_parameter(data, url, query, parameter):
    response = APIClient().get(url, query)
    assert response.status_code == 400, response.content[:300]
    assert list(response.json()) == [parameter]


def test_known_values_still_filter(data):
    client = APIClient()
    assert client.get("/api/v1/blueprints/", {"squad": data.squad.slug}).json()["count"] == 1
    assert client.get("/api/v1/blueprints/", {"squad": data.other_squad.slug}).json()["count"] == 0
    ordered = client.get("/api/v1/cycles/", {"ordering": ["-name", "position"]})
    assert ordered.status_code == 200


def test_a_400_is_always_an_object_keyed_by_what_was_wrong(data):
    client = APIClient()
    client.force_authenticate(data.ptl)
    response = client.post("/api/v1/cycles/ocata/replan/", {}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["non_field_errors"]


def test_a_refusal_by_the_data_is_a_409_with_the_same_body(data):
    client = APIClient()
    client.force_authenticate(data.ptl)
    body = {"project": "tripleo", "name": "x", "slug": data.squad.slug, "area": "x"}
    response = client.post("/api/v1/squads/", body, format="json")
    assert response.status_code == 409
    assert "slug" in response.json()
