"""A local Launchpad web service answering as ``https://api.launchpad.net/devel/`` does.

Shapes follow lazr.restful and Launchpad's own interfaces:

- a collection page (``BatchingResourceMixin.batch``, ``CollectionResource.batch``) is
  ``{"start", "total_size" | "total_size_link", "next_collection_link"?,
  "prev_collection_link"?, "entries": [...], "resource_type_link"}``; ``ws.size`` and
  ``ws.start`` page it; only one of ``total_size`` / ``total_size_link`` is present, and the
  last page always carries ``total_size``. ``total_size_link`` (``…?ws.show=total_size``,
  answered by a bare JSON integer) is what devel serves for named operations; collection
  fields such as ``all_specifications`` inline the size, so it is a switch here.
- a specification entry carries the fields ``ISpecification`` exports ``as_of="devel"``
  (``lib/lp/blueprints/interfaces/specification.py``): ``name, title, specification_url,
  summary, definition_status, implementation_status, lifecycle_status, priority,
  assignee_link, drafter_link, approver_link, owner_link, starter_link, completer_link,
  target_link, milestone_link, whiteboard, workitems_text, date_*, is_started, is_complete,
  dependencies_collection_link, …``, plus ``self_link``, ``web_link``,
  ``resource_type_link`` and ``http_etag``. Under ``/1.0/`` none of those devel fields exist,
  and the fake serves 1.0 entries without them, as Launchpad does.
- entries (specifications, milestones) answer conditional GETs: an ``ETag`` header equal to
  their ``http_etag`` and 304 on ``If-None-Match`` (``EntryResource.do_GET``); collection
  pages have no ETag (``CollectionResource.do_GET``).
- a milestone entry has ``target_link`` and ``series_target_link`` (``IMilestone``).
- unknown objects are a 404 in Launchpad's words (``Object: …, name: '…'``).

Data: ``fixtures/launchpad_specifications.json`` (the TripleO Ocata blueprints of the demo plan
with their real spec URLs, and one nova blueprint), ``launchpad_milestones.json`` (tripleo
ocata-1 … ocata-rc2, pike-1; nova ocata-3) and ``launchpad_dependencies.json`` (which
blueprint depends on which, ``target/name`` keys). Links in the files are written against
``https://api.launchpad.net/``; the fake rewrites them to its own address when it answers.
People are role accounts. ``openstack`` is served as a project group: its
``all_specifications`` lists every target's blueprints, as a Launchpad project group does.
"""

from __future__ import annotations

import copy
import hashlib
import json
from pathlib import Path
from typing import Any

from tests.support import LoopbackServer, Reply, serve_until_interrupted

FIXTURES = Path(__file__).parent / "fixtures"
REAL_HOST = "https://api.launchpad.net/"
DEFAULT_BATCH_SIZE = 75
MAX_BATCH_SIZE = 300
PROJECT_GROUPS = {"openstack": None}  # a project group lists the blueprints of all targets
# Fields every version exports; the specification's own fields are devel-only.
ALL_VERSIONS = ("self_link", "web_link", "resource_type_link", "http_etag", "information_type")


def load_fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def _etag(entry: dict[str, Any]) -> str:
    # lazr.restful hashes the read-only and the writable values separately, joined by "-".
    body = {k: v for k, v in entry.items() if k != "http_etag"}
    read_only = json.dumps(body, sort_keys=True).encode()
    writable = json.dumps([body.get("title"), body.get("whiteboard")]).encode()
    return f'"{hashlib.sha1(read_only).hexdigest()}-{hashlib.sha1(writable).hexdigest()}"'


class FakeLaunchpad(LoopbackServer):
    """Launchpad's devel web service for the demo blueprints, with switches:

    ``page_size`` (the default ``ws.size``), ``total_size_as_link`` (pages before the last give
    ``total_size_link``), ``retarget(name, milestone)`` (move a blueprint to another milestone,
    e.g. ``pike-1`` for another series or ``ocata-rc2`` for one the schedule does not know),
    ``spec(name)`` to edit an entry in place, and the ``LoopbackServer`` faults.
    """

    def __init__(
        self,
        *,
        page_size: int = DEFAULT_BATCH_SIZE,
        total_size_as_link: bool = False,
        port: int = 0,
    ) -> None:
        self.page_size = page_size
        self.total_size_as_link = total_size_as_link
        self.specs: list[dict[str, Any]] = load_fixture("launchpad_specifications.json")["entries"]
        self.milestones: list[dict[str, Any]] = load_fixture("launchpad_milestones.json")["entries"]
        self.dependencies: dict[str, list[str]] = load_fixture("launchpad_dependencies.json")
        super().__init__(port=port)

    @property
    def root(self) -> str:
        """The service root to configure as ``LAUNCHPAD_API_ROOT``."""
        return f"{self.url}/devel/"

    # --- data switches -----------------------------------------------------------------------
    def spec(self, name: str, target: str = "tripleo") -> dict[str, Any]:
        for entry in self.specs:
            if self._key(entry) == (target, name):
                return entry
        raise KeyError(f"{target}/{name}")

    def retarget(self, name: str, milestone: str | None, target: str = "tripleo") -> None:
        link = f"{REAL_HOST}devel/{target}/+milestone/{milestone}" if milestone else None
        self.spec(name, target)["milestone_link"] = link

    # --- serving -----------------------------------------------------------------------------
    def answer(self, method: str, path: str, query: dict[str, list[str]], headers: Any) -> Reply:
        parts = [p for p in path.split("/") if p]
        if len(parts) < 2 or parts[0] not in ("devel", "1.0", "beta"):
            return self._not_found("the service root", parts[0] if parts else "")
        version, target, rest = parts[0], parts[1], parts[2:]
        if rest == ["all_specifications"]:
            entries = [e for e in self.specs if target in PROJECT_GROUPS or e_target(e) == target]
            if not entries and target not in self._targets():
                return self._not_found("the service root", target)
            return self._collection(path, query, entries, version, "specification")
        if rest == ["all_milestones"]:
            entries = [m for m in self.milestones if e_target(m) == target]
            return self._collection(path, query, entries, version, "milestone")
        if len(rest) == 2 and rest[0] == "+spec":
            found = self._find(self.specs, target, rest[1])
            return self._entry(found, version, headers, (target, rest[1]))
        if len(rest) == 3 and rest[0] == "+spec" and rest[2] == "dependencies":
            entry = self._find(self.specs, target, rest[1])
            if entry is None:
                return self._not_found(target, rest[1])
            wanted = self.dependencies.get(f"{target}/{rest[1]}", [])
            deps = [self._find(self.specs, *key.split("/", 1)) for key in wanted]
            return self._collection(path, query, [d for d in deps if d], version, "specification")
        if len(rest) == 2 and rest[0] == "+milestone":
            found = self._find(self.milestones, target, rest[1])
            return self._entry(found, version, headers, (target, rest[1]))
        return self._not_found(target, "/".join(rest))

    def _collection(
        self,
        path: str,
        query: dict[str, list[str]],
        entries: list[dict[str, Any]],
        version: str,
        kind: str,
    ) -> Reply:
        if query.get("ws.show") == ["total_size"]:
            return Reply.json(len(entries))
        try:
            size = min(int(query.get("ws.size", [self.page_size])[0]), MAX_BATCH_SIZE)
            start = max(0, int(query.get("ws.start", ["0"])[0]))
        except ValueError:
            return Reply.text("ws.size and ws.start must be integers", status=400)
        size = max(1, size)
        base = f"{self.url}{path}"
        batch = entries[start : start + size]
        page: dict[str, Any] = {"start": start}
        last = start + size >= len(entries)
        if last or not self.total_size_as_link:
            page["total_size"] = len(entries)
        else:
            page["total_size_link"] = f"{base}?ws.show=total_size"
        if not last:
            after = start + size
            page["next_collection_link"] = f"{base}?ws.size={size}&memo={after}&ws.start={after}"
        if start > 0:
            before = max(0, start - size)
            page["prev_collection_link"] = f"{base}?ws.size={size}&memo={before}&ws.start={before}"
        page["entries"] = [self._represent(e, version) for e in batch]
        page["resource_type_link"] = f"{self.url}/{version}/#{kind}-page-resource"
        return self._json(page)

    def _entry(
        self, entry: dict[str, Any] | None, version: str, headers: Any, key: tuple[str, str]
    ) -> Reply:
        if entry is None:
            return self._not_found(*key)
        represented = self._represent(entry, version)
        etag = represented["http_etag"]
        if headers.get("If-None-Match") == etag:
            return Reply(304, b"", {"ETag": etag})
        return self._json(represented, ETag=etag)

    def _represent(self, entry: dict[str, Any], version: str) -> dict[str, Any]:
        represented = copy.deepcopy(entry)
        if version != "devel":
            represented = {k: v for k, v in represented.items() if k in ALL_VERSIONS}
        represented = json.loads(
            json.dumps(represented).replace(f"{REAL_HOST}devel/", f"{self.url}/{version}/")
        )
        represented["http_etag"] = _etag(represented)
        return represented

    def _json(self, data: Any, **headers: str) -> Reply:
        text = json.dumps(data).replace(REAL_HOST, f"{self.url}/")
        return Reply(200, text.encode("utf-8"), {"Content-Type": "application/json", **headers})

    def _not_found(self, context: str, name: str) -> Reply:
        return Reply.text(f"Object: <{context}>, name: {name!r}", status=404)

    def _find(self, entries: list[dict[str, Any]], target: str, name: str) -> dict[str, Any] | None:
        return next((e for e in entries if self._key(e) == (target, name)), None)

    def _targets(self) -> set[str]:
        return {e_target(e) for e in self.specs} | set(PROJECT_GROUPS)

    @staticmethod
    def _key(entry: dict[str, Any]) -> tuple[str, str]:
        return e_target(entry), entry["name"]


def e_target(entry: dict[str, Any]) -> str:
    """The target name of a fixture entry (``…/devel/tripleo/+spec/x`` → ``tripleo``)."""
    return entry["self_link"].removeprefix(REAL_HOST).split("/")[1]


if __name__ == "__main__":
    serve_until_interrupted(
        lambda port: FakeLaunchpad(port=port), "a local Launchpad devel API (root: <url>/devel/)"
    )
