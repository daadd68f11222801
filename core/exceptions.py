"""The one DRF exception handler: what services raise becomes the API's answer here.

Services raise Django's ``ValidationError`` (400 with the fields named), ``PermissionDenied``
(403) and ``StaleEdit`` (409: the object moved while its editor looked at it); a query
parameter that cannot be used raises ``BadQueryParameter`` (400 naming it). DRF's own
handler already maps ``Http404`` and ``PermissionDenied``; this adds the rest, so no view
translates exceptions by hand.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from core.as_of import BadQueryParameter
from core.concurrency import StaleEdit


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "stale"


def validation_error(exc: DjangoValidationError) -> exceptions.ValidationError:
    """A Django ``ValidationError`` as DRF's: field errors by field, the rest under
    ``non_field_errors`` (DRF's key for them)."""
    if hasattr(exc, "error_dict"):
        detail = {
            (api_settings.NON_FIELD_ERRORS_KEY if field == "__all__" else field): messages
            for field, messages in exc.message_dict.items()
        }
        return exceptions.ValidationError(detail)
    return exceptions.ValidationError({api_settings.NON_FIELD_ERRORS_KEY: exc.messages})


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DjangoValidationError):
        exc = validation_error(exc)
    elif isinstance(exc, StaleEdit):
        exc = Conflict(str(exc))
    elif isinstance(exc, BadQueryParameter):
        exc = exceptions.ValidationError({exc.name: [exc.message]})
    return drf_exception_handler(exc, context)
