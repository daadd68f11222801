"""Optimistic concurrency for API writes: ``ETag`` on reads, ``If-Match`` on writes, 412 when stale.

Two squad leads editing one blueprint at once must never lose an update. A client GETs the
object (the response carries its ``ETag``), then sends ``PUT``/``PATCH``/``DELETE`` with
``If-Match: <that ETag>``. The write locks the row, recomputes the ETag from what is stored now
and answers ``412 Precondition Failed`` (nothing written) when someone changed it meanwhile; the
client GETs again and re-applies its change. Writes without ``If-Match`` are refused with
``428 Precondition Required`` when ``API_REQUIRE_IF_MATCH`` is on (default off until every
client sends it). Forms do the same with the values their editor saw
(``core.concurrency``).

The ETag is a hash of the object's API representation, so it moves whenever anything the client
can see moves (including counts such as a blueprint's work-item progress).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.conf import settings
from django.db import transaction
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import APIException
from rest_framework.request import Request
from rest_framework.response import Response

IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description="The ETag of the object as last read; the write is refused (412) if it moved.",
)
ETAG = OpenApiParameter(
    "ETag",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    response=[200],
    required=True,
    description="The object's version: send it back in If-Match to write it.",
)
# What a write checked against If-Match may answer besides its success (which drf-spectacular
# derives from the serializer); ``core.openapi`` adds them to the operations of the methods a
# view's ``precondition_methods`` lists. A decorator passing ``responses=`` would replace
# the success answer instead of adding to it.
PRECONDITION_RESPONSES = {
    412: "The object changed since it was read: GET it again.",
    428: "If-Match is required (API_REQUIRE_IF_MATCH).",
}
READ_SCHEMA = extend_schema(parameters=[ETAG])
WRITE_SCHEMA = extend_schema(parameters=[IF_MATCH, ETAG])


class PreconditionFailed(APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = (
        "This object was changed by someone else since you read it (its ETag no longer "
        "matches If-Match). Nothing was saved: GET it again and re-apply your change."
    )
    default_code = "stale"


class PreconditionRequired(APIException):
    status_code = status.HTTP_428_PRECONDITION_REQUIRED
    default_detail = "Send If-Match with the ETag from your last GET of this object."
    default_code = "if_match_required"


def etag_of(data: Any) -> str:
    body = json.dumps(data, sort_keys=True, default=str, separators=(",", ":"))
    return '"' + hashlib.sha256(body.encode()).hexdigest()[:32] + '"'


def _matches(header: str, current: str) -> bool:
    tags = [t.strip().removeprefix("W/") for t in header.split(",")]
    return "*" in tags or current in tags


class ETagConcurrencyMixin:
    """For DRF model viewsets: ETag on retrieve/update, If-Match checked under a row lock."""

    precondition_methods: tuple[str, ...] = ("PUT", "PATCH")
    precondition_responses = PRECONDITION_RESPONSES

    def _current_etag(self) -> str:
        return etag_of(self.get_serializer(self.get_object()).data)  # type: ignore[attr-defined]

    def _check_if_match(self, request: Request) -> None:
        header = request.headers.get("If-Match")
        if header is None:
            if getattr(settings, "API_REQUIRE_IF_MATCH", False):
                raise PreconditionRequired()
            return
        instance = self.get_object()  # type: ignore[attr-defined]
        # Lock the row first: a concurrent writer holding it makes us wait, then we compare
        # against what it committed (READ COMMITTED reads the newest row after the lock).
        type(instance)._default_manager.select_for_update().filter(pk=instance.pk).first()
        if not _matches(header, self._current_etag()):
            raise PreconditionFailed()

    @READ_SCHEMA
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        response = super().retrieve(request, *args, **kwargs)  # type: ignore[misc]
        response["ETag"] = etag_of(response.data)
        return response

    @WRITE_SCHEMA
    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        with transaction.atomic():
            self._check_if_match(request)
            response = super().update(request, *args, **kwargs)  # type: ignore[misc]
        if response.status_code == 200:
            response["ETag"] = etag_of(response.data)
        return response

    @WRITE_SCHEMA
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        # DRF's partial_update calls self.update(partial=True): the check happens there.
        return super().partial_update(request, *args, **kwargs)  # type: ignore[misc]


class ETagDestroyMixin(ETagConcurrencyMixin):
    """The same for viewsets that delete: ``DELETE`` with a stale If-Match answers 412."""

    precondition_methods = ("PUT", "PATCH", "DELETE")

    @extend_schema(parameters=[IF_MATCH])
    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        with transaction.atomic():
            self._check_if_match(request)
            return super().destroy(request, *args, **kwargs)  # type: ignore[misc]
