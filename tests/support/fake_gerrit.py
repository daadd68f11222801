"""A local Gerrit answering ``GET /changes/`` as Gerrit's REST API does.

Following Gerrit's documentation (rest-api.txt, rest-api-changes.txt, user-search.txt):

- the body is ``)]}'`` and a newline, then compact JSON, ``Content-Type: application/json;
  charset=utf-8``, ``Content-Disposition: attachment``;
- a list of ChangeInfo, most recently updated first; ``n`` limits it (capped at the server's
  query limit) and the last change then carries ``"_more_changes": true``; ``S`` or
  ``start`` skips;
- fields appear only when set (``topic``); ``o=CURRENT_REVISION`` adds ``current_revision``
  and ``revisions``, ``o=CURRENT_COMMIT`` the ``commit`` (with ``message``) of that revision,
  ``o=DETAILED_ACCOUNTS`` the ``name``, ``email`` and ``username`` of accounts (otherwise
  only ``_account_id``);
- the query language for what the sync asks: ``project:``/``p:``, ``projects:`` (a prefix),
  ``branch:``, ``topic:`` and ``project:``/``branch:`` regular expressions (``^…``),
  ``message:`` (words of the commit message), ``status:`` / ``is:`` (open, merged,
  abandoned, closed), ``after:``/``since:``, ``before:``/``until:``, ``owner:``, quoted
  values, ``AND``, ``OR``, ``NOT`` / ``-``, parentheses; anything else is a 400, as Gerrit
  answers a query it cannot parse.

Data: ``blueprints/demo_reviews.json`` (shared with the demo, which loads it through the same
parsing and write as the sync: ``load_demo``), ChangeInfo entities with every option on, for changes
implementing the demo's TripleO Ocata blueprints (every footer spelling, a ``bp/`` topic
alone, a change naming two blueprints, one naming none, an abandoned one, a stable/ocata
backport, and a nova change). Change numbers, Change-Ids and SHA-1s are illustrative, not the
historical ones; owners are role accounts.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from tests.support import LoopbackServer, Reply, serve_until_interrupted

CHANGES = Path(__file__).resolve().parents[2] / "blueprints" / "demo_reviews.json"
QUERY_LIMIT = 500  # Gerrit's default queryLimit
XSSI = ")]}'\n"

Predicate = Callable[[dict[str, Any]], bool]


class QueryError(ValueError):
    pass


def load_changes() -> list[dict[str, Any]]:
    return json.loads(CHANGES.read_text(encoding="utf-8"))


class FakeGerrit(LoopbackServer):
    """Gerrit's ``/changes/`` for the demo changes; ``query_limit`` caps ``n`` as Gerrit's
    ``queryLimit`` capability does, and the ``LoopbackServer`` faults apply."""

    def __init__(self, *, query_limit: int = QUERY_LIMIT, port: int = 0) -> None:
        self.query_limit = query_limit
        self.changes = load_changes()
        super().__init__(port=port)

    def change(self, number: int) -> dict[str, Any]:
        return next(c for c in self.changes if c["_number"] == number)

    def answer(self, method: str, path: str, query: dict[str, list[str]], headers: Any) -> Reply:
        if path.rstrip("/") != "/changes":
            return Reply.text("Not Found", status=404)
        try:
            queries = query.get("q") or ["status:open"]
            if len(queries) > 1:
                raise QueryError("one query at a time in this fake")
            matches = compile_query(queries[0])
            limit = min(int(query.get("n", [self.query_limit])[0]), self.query_limit)
            start = int((query.get("S") or query.get("start") or ["0"])[0])
        except (QueryError, ValueError) as error:
            return Reply.text(str(error), status=400)
        options = set(query.get("o", []))
        found = sorted(
            (c for c in self.changes if matches(c)),
            key=lambda c: (c["updated"], c["_number"]),
            reverse=True,
        )
        page = [_represent(c, options) for c in found[start : start + limit]]
        if page and start + limit < len(found):
            page[-1]["_more_changes"] = True
        body = (XSSI + json.dumps(page, separators=(",", ":"))).encode("utf-8")
        return Reply(
            200,
            body,
            {
                "Content-Type": "application/json; charset=utf-8",
                "Content-Disposition": "attachment",
            },
        )


def _represent(change: dict[str, Any], options: set[str]) -> dict[str, Any]:
    change = copy.deepcopy(change)
    if "DETAILED_ACCOUNTS" not in options:
        change["owner"] = {"_account_id": change["owner"]["_account_id"]}
    if "CURRENT_REVISION" not in options and "ALL_REVISIONS" not in options:
        change.pop("current_revision", None)
        change.pop("revisions", None)
    else:
        for revision in change.get("revisions", {}).values():
            if "DETAILED_ACCOUNTS" not in options:
                revision["uploader"] = {"_account_id": revision["uploader"]["_account_id"]}
            if "CURRENT_COMMIT" not in options and "ALL_COMMITS" not in options:
                revision.pop("commit", None)
    return change


# --- the query language ---------------------------------------------------------------------
TOKEN_RE = re.compile(
    r'\s*(?:(?P<open>\()|(?P<close>\))|(?P<neg>-)?(?P<op>[a-z_]+):(?:"(?P<quoted>[^"]*)"'
    r"|\{(?P<braced>[^}]*)\}|(?P<bare>[^\s()]+))|(?P<word>[^\s()]+))"
)


def _tokens(text: str) -> list[tuple[str, Any]]:
    tokens: list[tuple[str, Any]] = []
    position = 0
    text = text.strip()
    while position < len(text):
        match = TOKEN_RE.match(text, position)
        if not match or match.end() == position:
            raise QueryError(f"cannot parse query at {text[position:]!r}")
        position = match.end()
        if match["open"]:
            tokens.append(("(", None))
        elif match["close"]:
            tokens.append((")", None))
        elif match["op"]:
            value = match["quoted"] if match["quoted"] is not None else match["braced"]
            value = value if value is not None else match["bare"]
            tokens.append(("term", (bool(match["neg"]), match["op"], value)))
        elif match["word"] in ("AND", "OR", "NOT"):
            tokens.append((match["word"], None))
        else:
            raise QueryError(f"Unsupported query: {match['word']}")
    return tokens


def compile_query(text: str) -> Predicate:
    """A predicate on ChangeInfo for a Gerrit query (OR binds tighter than AND, as Gerrit
    documents: "otherwise OR has higher precedence than AND")."""
    tokens = _tokens(text)
    position = 0

    def peek() -> str | None:
        return tokens[position][0] if position < len(tokens) else None

    def conjunction() -> Predicate:
        nonlocal position
        parts = [disjunction()]
        while peek() not in (None, ")"):
            if peek() == "AND":
                position += 1
            parts.append(disjunction())
        return lambda c: all(p(c) for p in parts)

    def disjunction() -> Predicate:
        nonlocal position
        parts = [unary()]
        while peek() == "OR":
            position += 1
            parts.append(unary())
        return lambda c: any(p(c) for p in parts)

    def unary() -> Predicate:
        nonlocal position
        if peek() == "NOT":
            position += 1
            inner = unary()
            return lambda c: not inner(c)
        if peek() == "(":
            position += 1
            inner = conjunction()
            if peek() != ")":
                raise QueryError("missing )")
            position += 1
            return inner
        if peek() != "term":
            raise QueryError(f"unexpected {peek()!r} in query")
        negated, operator, value = tokens[position][1]
        position += 1
        test = _operator(operator, value)
        return (lambda c: not test(c)) if negated else test

    if not tokens:
        raise QueryError("empty query")
    predicate = conjunction()
    if position != len(tokens):
        raise QueryError("unbalanced )")
    return predicate


def _matcher(value: str) -> Callable[[str], bool]:
    if value.startswith("^"):
        pattern = re.compile(value)
        return lambda text: bool(pattern.fullmatch(text or ""))
    return lambda text: text == value


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z0-9]+", text.lower()))


def _message(change: dict[str, Any]) -> str:
    revision = change["revisions"][change["current_revision"]]
    return revision["commit"]["message"]


def _stamp(value: str) -> str:
    # Gerrit accepts 2006-01-02[ 15:04:05[.890][ -0700]]; compare as text in its own format
    datetime.fromisoformat(value.replace(" ", "T"))  # a bad date is a bad query
    return value


STATUSES = {
    "open": {"NEW"},
    "pending": {"NEW"},
    "new": {"NEW"},
    "merged": {"MERGED"},
    "abandoned": {"ABANDONED"},
    "closed": {"MERGED", "ABANDONED"},
}


def _operator(operator: str, value: str) -> Predicate:
    if operator in ("project", "p"):
        same = _matcher(value)
        return lambda c: same(c["project"])
    if operator == "projects":
        return lambda c: c["project"].startswith(value)
    if operator == "branch":
        same = _matcher(value.removeprefix("refs/heads/"))
        return lambda c: same(c["branch"])
    if operator == "topic":
        same = _matcher(value)
        return lambda c: same(c.get("topic", ""))
    if operator == "message":
        wanted = _words(value)
        return lambda c: wanted <= _words(_message(c))
    if operator in ("status", "is") and value in STATUSES:
        return lambda c: c["status"] in STATUSES[value]
    if operator in ("after", "since"):
        bound = _stamp(value)
        return lambda c: c["updated"] >= bound
    if operator in ("before", "until"):
        bound = _stamp(value)
        return lambda c: c["updated"] <= bound
    if operator in ("owner", "o"):
        return lambda c: (
            value
            in (
                c["owner"].get("username"),
                c["owner"].get("email"),
                str(c["owner"]["_account_id"]),
            )
        )
    raise QueryError(f"Unsupported operator {operator}:{value}")


if __name__ == "__main__":
    serve_until_interrupted(lambda port: FakeGerrit(port=port), "a local Gerrit REST API")
