"""The one DRF exception handler: what services raise becomes the API's answer here.

Services raise Django's ``ValidationError`` (400 with the fields named), ``PermissionDenied``
(403) and ``StaleEdit`` (409: the object moved while its editor looked at it); a query
parameter that cannot be used raises ``BadQueryParameter`` (400 naming it). DRF's own
handler already maps ``Http404`` and ``PermissionDenied``; this adds the rest, so no view
translates exceptions by hand.

A refusal that is about the current state of things rather than the input — the object already
exists (Django's ``unique`` codes), an FFE already decided, a field that cannot change once set
(``code="conflict"``) — answers 409 Conflict with the same body: 400 says "fix the request",
409 "the request was fine, the data it meets does not allow it".
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions, status
from rest_framework.exceptions import ErrorDetail
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from core.as_of import BadQueryParameter
from core.concurrency import StaleEdit

CONFLICT_CODES = frozenset({"conflict", "unique", "unique_together"})


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "stale"


class StateConflict(exceptions.ValidationError):
    """A validation error whose every message is about the current state: 409."""

    status_code = status.HTTP_409_CONFLICT


def _details(errors: list[DjangoValidationError]) -> list[ErrorDetail]:
    return [
        ErrorDetail(message, code=error.code or "invalid")
        for error in errors
        for message in error.messages
    ]


def validation_error(exc: DjangoValidationError) -> exceptions.ValidationError:
    """A Django ``ValidationError`` as DRF's: field errors by field, the rest under
    ``non_field_errors`` (DRF's key for them), each message keeping its code."""
    if hasattr(exc, "error_dict"):
        detail = {
            (api_settings.NON_FIELD_ERRORS_KEY if field == "__all__" else field): _details(errors)
            for field, errors in exc.error_dict.items()
        }
        return exceptions.ValidationError(detail)
    return exceptions.ValidationError({api_settings.NON_FIELD_ERRORS_KEY: _details(exc.error_list)})


def _codes(codes: Any) -> set[str]:
    if isinstance(codes, dict):
        return set().union(*(_codes(v) for v in codes.values())) if codes else set()
    if isinstance(codes, list):
        return set().union(*(_codes(v) for v in codes)) if codes else set()
    return {str(codes)}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DjangoValidationError):
        exc = validation_error(exc)
    elif isinstance(exc, StaleEdit):
        exc = Conflict(str(exc))
    elif isinstance(exc, BadQueryParameter):
        exc = exceptions.ValidationError({exc.name: [exc.message]})
    if isinstance(exc, exceptions.ValidationError) and isinstance(exc.detail, list):
        # Always an object, keyed by what was wrong (the schema's ValidationError).
        exc.detail = {api_settings.NON_FIELD_ERRORS_KEY: exc.detail}
    if type(exc) is exceptions.ValidationError and _codes(exc.get_codes()) <= CONFLICT_CODES:
        exc = StateConflict(exc.detail)
    return drf_exception_handler(exc, context)
