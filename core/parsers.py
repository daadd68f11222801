"""The API's JSON parser, refusing bodies nested deeper than ``core.jsonsafe`` allows.

DRF's own parser hands the body to ``json.load``, whose recursion on ``[[[[…`` ends in a
``RecursionError`` (a 500); this one answers 400 "JSON parse error - JSON nested deeper than
32 levels" first. Bodies of the planner nest two or three levels.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser
from rest_framework.utils import json as drf_json

from core import jsonsafe


class BoundedJSONParser(JSONParser):
    max_depth = jsonsafe.DEFAULT_MAX_DEPTH

    def parse(
        self, stream: Any, media_type: str | None = None, parser_context: dict | None = None
    ) -> Any:
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = stream.read().decode(encoding)
            constant = drf_json.strict_constant if self.strict else None
            return jsonsafe.loads(text, max_depth=self.max_depth, parse_constant=constant)
        except (ValueError, UnicodeDecodeError) as exc:
            raise ParseError(f"JSON parse error - {exc}") from exc
