"""Read a project's blueprints from Launchpad's devel web service, every page before returning.

Plain Python, no Django: HTTP goes through an injected client (``blueprints.http_json.
JsonClient`` or anything with its ``get``), so the sync decides timeouts, retries and where
ETags are remembered, and tests point it at a local server.

What is read, in Launchpad's terms (anonymous reads need no OAuth):

- ``<root><project>/all_specifications``, following ``next_collection_link`` to the end
  (lazr.restful pages with ``ws.size``/``ws.start``; ``ws.size`` is at most 300 on
  Launchpad). The total is the page's ``total_size``, or the bare integer its
  ``total_size_link`` (``…?ws.show=total_size``) answers.
- each wanted entry's ``dependencies_collection_link``: a collection (paged the same way)
  of the specifications it depends on.
- each distinct milestone the wanted entries link to: its entry's ``series_target_link``
  names the series, which a milestone's name only suggests.

Everything is fetched before anything is returned: a failing page raises ``FetchError``
and the caller has nothing to write, so a sync is all or nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from blueprints.http_json import FetchError, JsonGetter, Params, origin
from blueprints.launchpad import API_ROOT

# Launchpad project names: lower-case letters, digits, "+", "-", "." (ProductNameField).
PROJECT_RE = re.compile(r"^[a-z0-9][a-z0-9+.-]*$")
MAX_PAGES = 200
MAX_BATCH_SIZE = 300
# Versions of the web service that export no specification field (all are as_of="devel").
WITHOUT_SPEC_FIELDS = ("beta", "1.0")

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class LaunchpadFetch:
    """Everything one read of a project gave, as Launchpad served it (raw JSON)."""

    url: str  # the all_specifications URL read
    pages: list[dict[str, Any]]  # the collection pages, in order
    total_size: int
    # dependencies_collection_link → the specification entries it lists
    dependencies: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    # milestone_link → the milestone entry
    milestones: dict[str, dict[str, Any]] = field(default_factory=dict)
    requests: int = 0  # GETs made (a client's own retries not counted)
    not_modified: int = 0  # of which answered 304 from a remembered ETag
    warnings: list[str] = field(default_factory=list)

    @property
    def entries(self) -> list[dict[str, Any]]:
        return [entry for page in self.pages for entry in page["entries"]]


def specifications_url(root: str, project: str) -> str:
    """``<root><project>/all_specifications``, refusing roots that cannot serve blueprints."""
    if not PROJECT_RE.match(project):
        raise ValueError(f"{project!r} is not a Launchpad project name")
    root = root if root.endswith("/") else f"{root}/"
    version = root.rstrip("/").rsplit("/", 1)[-1]
    if version in WITHOUT_SPEC_FIELDS:
        raise ValueError(
            f"{root} is Launchpad's {version} API, which serves no blueprint fields "
            f"(they are exported as of devel): use {API_ROOT}"
        )
    return f"{root}{project}/all_specifications"


class _Reader:
    """GETs with the bookkeeping a fetch reports (counts, same-origin links, loops)."""

    def __init__(self, client: JsonGetter, root: str, max_pages: int) -> None:
        self.client = client
        self.origin = origin(root)
        self.max_pages = max_pages
        self.requests = 0
        self.not_modified = 0

    def get(self, url: str, params: Params | None = None) -> Any:
        if origin(url) != self.origin:
            raise FetchError(url, "link leads away from the Launchpad API root: not followed")
        response = self.client.get(url, params=params)
        self.requests += 1
        self.not_modified += response.not_modified
        return response.data

    def pages(self, url: str, params: Params | None = None) -> Any:
        """Yield the pages of the collection at ``url`` (with its URL), following its links."""
        seen: set[str] = set()
        next_url: str | None = url
        while next_url:
            if next_url in seen:
                raise FetchError(next_url, "next_collection_link comes back to a page already read")
            if len(seen) == self.max_pages:
                raise FetchError(url, f"more than {self.max_pages} pages: stopped")
            seen.add(next_url)
            page = self.get(next_url, params if next_url == url else None)
            if not isinstance(page, dict) or not isinstance(page.get("entries"), list):
                raise FetchError(next_url, "not a Launchpad collection page (no 'entries' list)")
            yield next_url, page
            follows = page.get("next_collection_link")
            if follows is not None and not isinstance(follows, str):
                raise FetchError(next_url, f"next_collection_link is not a link: {follows!r}")
            next_url = follows

    def collection(self, url: str) -> list[dict[str, Any]]:
        return [entry for _, page in self.pages(url) for entry in page["entries"]]

    def total_size(self, url: str, page: Mapping[str, Any]) -> int:
        if isinstance(page.get("total_size"), int):
            return page["total_size"]
        link = page.get("total_size_link")
        if not isinstance(link, str):
            raise FetchError(url, "the page gives neither total_size nor total_size_link")
        total = self.get(link)
        if not isinstance(total, int) or isinstance(total, bool) or total < 0:
            raise FetchError(link, f"total_size_link answered {total!r}, not a count")
        return total


def fetch_all_specifications(
    root: str,
    project: str,
    *,
    client: JsonGetter,
    progress: Progress | None = None,
    page_size: int | None = None,
    wanted: Callable[[Mapping[str, Any]], bool] | None = None,
    with_dependencies: bool = True,
    with_milestones: bool = True,
    max_pages: int = MAX_PAGES,
) -> LaunchpadFetch:
    """Every page of ``project``'s blueprints, with dependencies and milestones.

    ``wanted(entry)`` (default: all) says which entries' dependencies and milestones to
    fetch; ``blueprints.launchpad.in_scope`` skips other projects' and series'. ``progress
    (done, total)`` is called as blueprints are read (an entry is done once its page and
    its dependencies are). Raises ``FetchError`` (naming the URL) and returns nothing when
    any request fails or a page is not a collection page.
    """
    url = specifications_url(root, project)
    if page_size is not None and not 1 <= page_size <= MAX_BATCH_SIZE:
        raise ValueError(f"page_size must be between 1 and {MAX_BATCH_SIZE}")
    reader = _Reader(client, url, max_pages)
    params = {"ws.size": page_size} if page_size else None
    pages: list[dict[str, Any]] = []
    dependencies: dict[str, list[dict[str, Any]]] = {}
    total: int | None = None
    done = 0
    for page_url, page in reader.pages(url, params):
        if total is None:
            total = reader.total_size(page_url, page)
            if progress:
                progress(0, total)
        pages.append(page)
        for entry in page["entries"]:
            link = entry.get("dependencies_collection_link") if isinstance(entry, dict) else None
            if with_dependencies and isinstance(link, str) and (wanted is None or wanted(entry)):
                if link not in dependencies:
                    dependencies[link] = reader.collection(link)
            done += 1
            if progress:
                progress(done, max(total, done))
    if total is None:  # pragma: no cover - reader.pages yields the first page or raises
        raise FetchError(url, "no page was read")
    milestones: dict[str, dict[str, Any]] = {}
    if with_milestones:
        for entry in (e for p in pages for e in p["entries"] if isinstance(e, dict)):
            link = entry.get("milestone_link")
            if (
                isinstance(link, str)
                and link not in milestones
                and (wanted is None or wanted(entry))
            ):
                milestone = reader.get(link)
                if not isinstance(milestone, dict):
                    raise FetchError(link, "not a Launchpad milestone entry")
                milestones[link] = milestone
    warnings = []
    if done != total:
        warnings.append(
            f"{url}: total_size said {total} blueprints but the pages held {done} "
            "(the collection changed while it was read?)"
        )
    return LaunchpadFetch(
        url=url,
        pages=pages,
        total_size=total,
        dependencies=dependencies,
        milestones=milestones,
        requests=reader.requests,
        not_modified=reader.not_modified,
        warnings=warnings,
    )
