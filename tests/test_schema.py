"""The OpenAPI schema's shapes that generated clients and validators depend on."""

from __future__ import annotations

import json
import re

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db
WRITES = {"post", "put", "patch", "delete"}


@pytest.fixture
def schema() -> dict:
    response = APIClient().get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return response.json()


def operations(schema: dict):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            yield path, method, operation


def walk(node):
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from walk(value)


def test_every_operation_documents_its_success(schema):
    missing = [
        f"{method.upper()} {path}"
        for path, method, op in operations(schema)
        if not any(code.startswith("2") for code in op["responses"])
    ]
    assert not missing


def test_writes_checked_with_if_match_keep_their_success_answer(schema):
    for method in ("put", "patch"):
        responses = schema["paths"]["/api/v1/blueprints/{id}/"][method]["responses"]
        assert {"200", "412", "428"} <= set(responses)
        assert responses["200"]["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/Blueprint"
        }
        assert responses["200"]["headers"]["ETag"]["required"] is True
    delete = schema["paths"]["/api/v1/work-items/{id}/"]["delete"]["responses"]
    assert {"204", "412", "428"} <= set(delete)


def test_every_operation_documents_401_and_429(schema):
    for path, method, op in operations(schema):
        assert {"401", "429"} <= set(op["responses"]), f"{method} {path}"
        assert "WWW-Authenticate" in op["responses"]["401"]["headers"]


def test_a_blank_url_is_one_of_two_strings_that_may_both_match(schema):
    spec_url = schema["components"]["schemas"]["Blueprint"]["properties"]["spec_url"]
    assert "oneOf" not in spec_url and {"type": "string", "maxLength": 0} in spec_url["anyOf"]
    offenders = [
        node for node in walk(schema) if {"type": "string", "maxLength": 0} in node.get("oneOf", [])
    ]
    assert not offenders


def test_a_null_object_is_spelled_so_validators_read_it(schema):
    detail = schema["components"]["schemas"]["Blueprint"]["properties"]["target_milestone_detail"]
    assert {"type": "null"} in detail["oneOf"]
    assert {"$ref": "#/components/schemas/TargetMilestone"} in detail["oneOf"]
    assert schema["openapi"].startswith("3.1")
    assert not [node for node in walk(schema) if "nullable" in node]  # a 3.0 keyword


def test_reads_need_no_credentials_and_writes_do(schema):
    for path, method, op in operations(schema):
        optional = {} in op.get("security", [])
        if path == "/api/v1/tokens/" and method == "post":
            assert optional  # the credentials are in the body
        elif path.startswith(("/api/v1/tokens/", "/api/v1/webhook-deliveries/")):
            assert not optional, f"{method} {path}"
        else:
            assert optional == (method not in WRITES), f"{method} {path}"


def test_request_bodies_are_json_only(schema):
    for path, method, op in operations(schema):
        if "requestBody" in op:
            assert list(op["requestBody"]["content"]) == ["application/json"], f"{method} {path}"


def test_answers_built_by_serializers_have_named_components(schema):
    def answer(path: str, method: str, code: str) -> dict:
        return schema["paths"][path][method]["responses"][code]["content"]["application/json"]

    assert answer("/api/v1/cycles/{name}/replan/", "get", "200")["schema"]["$ref"].endswith(
        "/ReplanPreview"
    )
    assert answer("/api/v1/cycles/generate/", "post", "201")["schema"]["$ref"].endswith(
        "/GeneratedCycle"
    )
    assert answer("/api/v1/cycles/{name}/forecast/", "get", "200")["schema"]["$ref"].endswith(
        "/PaginatedBlueprintRiskList"
    )
    assert answer("/api/v1/branch-report/", "get", "200")["schema"]["$ref"].endswith(
        "/BranchReport"
    )


def test_the_docs_page_is_served_from_the_project_alone(client):
    page = client.get("/api/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources and not [s for s in sources if s.startswith(("http:", "https:", "//"))]
    assert "<script>" not in html  # no inline script: the split view's script is a file
    script = next(s for s in sources if "script" in s)
    init = client.get(script)
    assert init.status_code == 200 and init["Content-Type"].startswith("application/javascript")
    assert json.dumps("/api/schema/")[1:-1] in init.content.decode()
