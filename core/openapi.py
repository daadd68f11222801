"""The OpenAPI schema says what the API does, errors included.

drf-spectacular describes the success of each operation from its serializers; this schema class
adds what DRF answers around them, so a client generated from ``/api/schema/`` knows every status
it can get (and schemathesis checks that no other comes back):

- ``400`` on writes and where a read takes query parameters: ``{"<parameter or field>":
  ["message", …]}`` (``non_field_errors`` for the rest) — an unknown filter value names its
  parameter (``core.filters``);
- ``401`` everywhere (an invalid or expired token is refused even on a public read), with
  ``WWW-Authenticate: Token``; ``403`` where a signed-in user may still be refused (writes, and
  reads that need a role);
- ``409`` on writes refused by the state of the data rather than the input (``core.exceptions``),
  with the same body as a 400;
- ``404`` where the path names an object; ``412``/``428`` where a write checks ``If-Match``
  (the ``precondition_methods`` and ``precondition_responses`` of ``core.etags``' mixins);
  ``304`` where a read answers ``If-None-Match`` (views with ``conditional_get``); ``429``
  everywhere (throttles).

The security requirements also say when no credentials are needed (``{}``): whenever the view's
own permission classes let an anonymous request through, e.g. every read here.
"""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

from django.contrib.auth.models import AnonymousUser
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import ResolvedComponent
from rest_framework import permissions, serializers


class ErrorSerializer(serializers.Serializer):
    """DRF's answer to a refused request: one message."""

    detail = serializers.CharField(help_text="What was wrong, in words.")


VALIDATION_ERROR_SCHEMA = {
    "type": "object",
    "description": (
        "Each key names the query parameter or body field that was wrong (`non_field_errors` "
        "for the request as a whole, `detail` for an unreadable body) and holds its messages."
    ),
    "additionalProperties": {},
}

ERROR_DESCRIPTIONS = {
    "400": "The request was refused: the answer names each parameter or field that was wrong.",
    "401": "No valid credentials: send `Authorization: Token <token>` (see POST /api/v1/tokens/).",
    "403": "Signed in, but this user may not do that (or a session write without its CSRF token).",
    "404": "No such object.",
    "409": (
        "The request was fine but the data it meets refuses it: the object already exists, "
        "its state does not allow this, or the field cannot change. The answer says which."
    ),
    "415": "The body must be JSON (`Content-Type: application/json`).",
    "429": "Too many requests: wait for the seconds `Retry-After` gives.",
    "304": "Not modified since the `ETag` sent in `If-None-Match`: the client's copy is current.",
}
HEADER_SCHEMAS = {
    "401": {
        "WWW-Authenticate": {
            "schema": {"type": "string"},
            "description": "The scheme to authenticate with: `Token`.",
            "required": True,
        }
    },
    "429": {
        "Retry-After": {
            "schema": {"type": "string"},
            "description": "Seconds to wait before the next request.",
        }
    },
}
IF_NONE_MATCH = {
    "in": "header",
    "name": "If-None-Match",
    "schema": {"type": "string"},
    "description": "The `ETag` of the copy the client holds: an unchanged answer is a 304.",
}


def allows_anonymous(view: Any, method: str) -> bool:
    """Whether the view's permission classes let an anonymous request with ``method`` in."""
    request = SimpleNamespace(method=method, user=AnonymousUser(), auth=None)
    try:
        return all(p.has_permission(request, view) for p in view.get_permissions())
    except AttributeError:  # a permission that needs more of the request than this: assume not
        return False


class PlannerAutoSchema(AutoSchema):
    """drf-spectacular's ``AutoSchema`` with the error answers and optional credentials."""

    def get_auth(self) -> list[dict[str, Any]]:
        auths = super().get_auth()
        if auths and {} not in auths and allows_anonymous(self.view, self.method):
            auths.append({})
        return auths

    def get_operation(self, *args: Any, **kwargs: Any) -> dict[str, Any] | None:
        operation = super().get_operation(*args, **kwargs)
        if operation is None:
            return None
        parameters = operation.get("parameters", [])
        if getattr(self.view, "conditional_get", False) and self.method == "GET":
            parameters.append(IF_NONE_MATCH)
            operation["parameters"] = parameters
        responses = operation["responses"]
        for code, response in self._error_responses(operation).items():
            responses.setdefault(code, response)
        operation["responses"] = dict(sorted(responses.items()))
        return operation

    def _error_responses(self, operation: dict[str, Any]) -> dict[str, dict[str, Any]]:
        locations = {p.get("in") for p in operation.get("parameters", [])}
        safe = self.method in permissions.SAFE_METHODS
        codes = ["401", "429"]
        if "query" in locations or "requestBody" in operation or not safe:
            codes.append("400")  # a write may be refused by a service's rule, body or not
        if not safe or not allows_anonymous(self.view, self.method):
            codes.append("403")
        if "path" in locations:
            codes.append("404")
        if "requestBody" in operation:
            codes.append("415")
        if not safe:
            codes.append("409")
        if safe and getattr(self.view, "conditional_get", False):
            codes.append("304")
        answers = {code: self._error(code) for code in codes}
        if self.method in getattr(self.view, "precondition_methods", ()):
            for code, description in self.view.precondition_responses.items():
                answers[str(code)] = self._error(str(code), description)
        return answers

    def _error(self, code: str, description: str | None = None) -> dict[str, Any]:
        response: dict[str, Any] = {"description": description or ERROR_DESCRIPTIONS[code]}
        if code == "304":
            return response
        if code in ("400", "409"):
            component = ResolvedComponent(
                name="ValidationError",
                type=ResolvedComponent.SCHEMA,
                object="ValidationError",
                schema=VALIDATION_ERROR_SCHEMA,
            )
            self.registry.register_on_missing(component)
            schema: dict[str, Any] = component.ref
        else:
            schema = self.resolve_serializer(ErrorSerializer, "response").ref
        response["content"] = {"application/json": {"schema": schema}}
        if code in HEADER_SCHEMAS:
            response["headers"] = HEADER_SCHEMAS[code]
        return response


BLANK_STRING = {"type": "string", "maxLength": 0}


def blank_strings_any_of(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """A postprocessing hook: "a URL (or e-mail …) or blank" is ``anyOf``, not ``oneOf``.

    drf-spectacular describes a format-checked string that may be blank as ``oneOf: [<the
    format>, {maxLength: 0}]``; a validator that does not assert ``format`` finds ``""`` matching
    both, and ``oneOf`` then rejects it. Either alternative is enough, which is ``anyOf``.
    """

    for node in _objects(result):
        one_of = node.get("oneOf")
        if isinstance(one_of, list) and BLANK_STRING in one_of:
            node["anyOf"] = node.pop("oneOf")
    return result


def nullable_as_null_type(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """A postprocessing hook: OpenAPI 3.0's ``nullable: true`` spelled as 3.1 spells it.

    drf-spectacular writes 3.1 for its own fields, but schemas DRF hands it (the paginators'
    ``next``/``previous``) still say ``nullable``, a keyword 3.1 no longer has: a validator then
    refuses the ``null`` of a last page. ``type: X`` becomes ``type: [X, "null"]``.
    """

    for node in _objects(result):
        if node.pop("nullable", False):
            kind = node.get("type")
            if isinstance(kind, str):
                node["type"] = [kind, "null"]
            elif isinstance(kind, list) and "null" not in kind:
                node["type"] = [*kind, "null"]
            elif kind is None:
                alternatives = {k: node.pop(k) for k in list(node) if k not in OUTER_KEYS}
                node["oneOf"] = [alternatives, {"type": "null"}]
    return result


def _objects(node: Any) -> Iterator[dict[str, Any]]:
    """Every JSON object of a schema document, each before what it holds: a caller may change
    an object when it is handed over, and what it then holds is walked as changed."""
    if isinstance(node, dict):
        yield node
        for value in list(node.values()):
            yield from _objects(value)
    elif isinstance(node, list):
        for value in node:
            yield from _objects(value)


OUTER_KEYS = {"description", "title", "readOnly", "writeOnly", "deprecated", "example"}
NO_NUL = "^[^\\u0000]*$"
# Not blank once trimmed: one character Python's str.strip() keeps (\s, plus the separators
# \x1c-\x1f and \x85 that Python strips and ECMA's \s does not name).
NOT_BLANK = "^[^\\u0000]*[^\\s\\u001c-\\u001f\\u0085\\u0000][^\\u0000]*$"


def strings_without_nul(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """A postprocessing hook: the strings a client sends may not contain NUL.

    Django's form fields and DRF's serializer fields refuse the NUL character (PostgreSQL
    cannot store it), so every free string of a request body or a query parameter says so with
    a ``pattern``; a client or fuzzer that follows the schema never earns that 400. A body
    field that may not be blank (``minLength: 1``) is trimmed first, so it also needs one
    character that is not white space.
    """

    def constrain(schema: Any, *, trimmed: bool = False) -> None:
        if not isinstance(schema, dict):
            return
        kind = schema.get("type")
        is_string = kind == "string" or (isinstance(kind, list) and "string" in kind)
        if is_string and "enum" not in schema and "pattern" not in schema:
            non_blank = trimmed and schema.get("minLength", 0) >= 1 and "format" not in schema
            schema["pattern"] = NOT_BLANK if non_blank else NO_NUL
        for key in ("anyOf", "oneOf", "allOf"):
            for alternative in schema.get(key, []):
                constrain(alternative, trimmed=trimmed)
        if "items" in schema:
            constrain(schema["items"], trimmed=trimmed)

    for name, component in result.get("components", {}).get("schemas", {}).items():
        if name.endswith("Request"):
            for field, prop in component.get("properties", {}).items():
                if not prop.get("readOnly"):
                    # DRF trims every string field but a password (trim_whitespace=False).
                    constrain(prop, trimmed=field != "password")
    for item in result.get("paths", {}).values():
        for operation in item.values():
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "query":
                    constrain(parameter.get("schema"))
    return result
