"""``?limit=&offset=`` on every list, bounded.

``limit`` above ``max_limit`` is cut to it (DRF's documented behaviour; the ``next`` link goes
on from there); a ``limit`` or ``offset`` that is not a whole number in range is a 400 naming
the parameter (DRF would fall back to the default silently, and an offset of 10**20 reaches
the database as an integer it cannot hold).
"""

from __future__ import annotations

from typing import Any

from rest_framework.exceptions import ValidationError
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.request import Request

MAX_LIMIT = 1000
MAX_OFFSET = 10**9
#: A limit asked for may be any whole number up to this; it is then cut to ``MAX_LIMIT``.
MAX_REQUESTED_LIMIT = 10**9


def _whole(raw: str, *, name: str, minimum: int, maximum: int | None = None) -> int:
    text = raw.strip()
    if not text.isdigit() or len(text) > 12:
        upper = f" to {maximum:,}" if maximum is not None else ""
        raise ValidationError({name: [f"A whole number from {minimum}{upper} (got {raw[:20]!r})."]})
    value = int(text)
    if value < minimum or (maximum is not None and value > maximum):
        upper = f" to {maximum:,}" if maximum is not None else ""
        raise ValidationError({name: [f"A whole number from {minimum}{upper} (got {value})."]})
    return value


class BoundedLimitOffsetPagination(LimitOffsetPagination):
    max_limit = MAX_LIMIT
    max_offset = MAX_OFFSET

    def get_limit(self, request: Request) -> int | None:
        raw = request.query_params.get(self.limit_query_param)
        if raw is None or raw == "":
            return self.default_limit
        limit = _whole(raw, name=self.limit_query_param, minimum=1, maximum=MAX_REQUESTED_LIMIT)
        return min(limit, self.max_limit)

    def get_offset(self, request: Request) -> int:
        raw = request.query_params.get(self.offset_query_param)
        if raw is None or raw == "":
            return 0
        return _whole(raw, name=self.offset_query_param, minimum=0, maximum=self.max_offset)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        # The schema says what the parser above accepts: limit from 1, offset 0..max_offset.
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.limit_query_param:
                parameter["schema"] = {
                    **parameter["schema"],
                    "minimum": 1,
                    "maximum": MAX_REQUESTED_LIMIT,
                }
            elif parameter["name"] == self.offset_query_param:
                parameter["schema"] = {
                    **parameter["schema"],
                    "minimum": 0,
                    "maximum": self.max_offset,
                }
        return parameters
