"""JSON from outside with its nesting bounded.

Python's parser recurses once per nesting level: a body of a few hundred kilobytes of ``[``
ends in ``RecursionError`` (a 500), and data nested a few hundred deep breaks whatever walks it
next. Nothing the planner reads nests deeper than a handful of levels (a Launchpad entry: 3),
so documents deeper than ``max_depth`` are refused before they are parsed.
"""

from __future__ import annotations

import json
import re
from typing import Any

DEFAULT_MAX_DEPTH = 32
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.S)
_BRACKET = re.compile(r"[\[\]{}]")


class JSONTooDeep(ValueError):
    """A JSON document nested deeper than allowed."""


def nesting_depth(text: str, *, stop_after: int | None = None) -> int:
    """How deep ``text``'s arrays and objects nest (brackets inside strings do not count);
    counting stops once ``stop_after`` is passed."""
    depth = deepest = 0
    for match in _BRACKET.finditer(_STRING.sub('""', text)):
        if match[0] in "[{":
            depth += 1
            if depth > deepest:
                deepest = depth
                if stop_after is not None and deepest > stop_after:
                    break
        else:
            depth -= 1
    return deepest


def loads(text: str | bytes, *, max_depth: int = DEFAULT_MAX_DEPTH, **kwargs: Any) -> Any:
    """``json.loads`` refusing documents nested deeper than ``max_depth`` (``JSONTooDeep``);
    other errors are ``json.JSONDecodeError`` / ``UnicodeDecodeError`` as usual."""
    if isinstance(text, bytes | bytearray):
        text = text.decode("utf-8")
    if nesting_depth(text, stop_after=max_depth) > max_depth:
        raise JSONTooDeep(f"JSON nested deeper than {max_depth} levels")
    try:
        return json.loads(text, **kwargs)
    except RecursionError:  # a count the scan above missed (it never should)
        raise JSONTooDeep(f"JSON nested deeper than {max_depth} levels") from None
