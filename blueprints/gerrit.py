"""Pure reading of Gerrit's REST API for the reviews behind blueprints.

Gerrit's documented facts (Documentation/rest-api.txt, rest-api-changes.txt,
user-search.txt):

- a JSON body starts with the anti-XSSI line ``)]}'``, to strip before parsing;
- ``GET /changes/?q=<query>&o=CURRENT_REVISION&o=CURRENT_COMMIT&o=DETAILED_ACCOUNTS&n=<n>
  &S=<skip>`` lists ChangeInfo entities, most recently updated first; when ``n`` cuts the
  list, the last one carries ``"_more_changes": true``, and ``S`` (or ``start``) skips;
- a ChangeInfo has ``id, project, branch, topic`` (absent when none), ``change_id, subject,
  status`` (``NEW``, ``MERGED``, ``ABANDONED``), ``created, updated, _number, owner``
  (an AccountInfo: ``_account_id``, and with ``DETAILED_ACCOUNTS`` ``name, email,
  username``), ``current_revision`` and ``revisions`` (``{sha: {"commit": {"subject",
  "message", …}}}`` with ``CURRENT_REVISION`` and ``CURRENT_COMMIT``);
- timestamps are UTC, ``yyyy-mm-dd hh:mm:ss.fffffffff`` (nanoseconds);
- query operators ``project:``, ``branch:``, ``topic:`` (a regular expression when it starts
  with ``^``), ``message:``, ``after:``/``before:``, ``OR``, parentheses; a value that is not
  a bare word (letters, digits, ``@ - . _``) is quoted.

How OpenStack links a change to a blueprint: footer lines ``Implements: blueprint <name>``,
``Partial-Implements: blueprint <name>``, ``Partially-Implements: …`` (also spelt
``Partially Implements:``, as in manila's contributor guide), ``bp`` for ``blueprint``,
case-insensitive; and a topic ``bp/<name>``. OpenStack's Gerrit hook (jeepyb
``update_blueprint``) links any "blueprint X" / "bp X" anywhere in the message and the last
part of any topic; this module keeps to the footers and ``bp/`` topics, so prose ("unlike the
blueprint x") and topics such as ``bug/1234`` link nothing.
"""

from __future__ import annotations

import json
import re
import urllib.parse
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from blueprints.http_json import FetchError, JsonGetter, strip_xssi_prefix
from blueprints.models import ReviewLinkSource, ReviewStatus

GERRIT_URL = "https://review.opendev.org"
QUERY_OPTIONS = ("CURRENT_REVISION", "CURRENT_COMMIT", "DETAILED_ACCOUNTS")
PAGE_SIZE = 100
MAX_PAGES = 100
ERROR, WARNING = "error", "warning"

TIMESTAMP_RE = re.compile(r"^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?$")
FOOTER_RE = re.compile(
    r"^[ \t]*(?P<key>(?:partial(?:ly)?[- ])?implements)[ \t]*:?[ \t]*(?P<rest>\S.*)$",
    re.IGNORECASE | re.MULTILINE,
)
NAME = r"[a-z0-9][a-z0-9+.-]*"
# "blueprint x", "bp x", "bp: x", "bp #x", "bp/x", and after a first one, a bare "x"
NAMED_RE = re.compile(rf"^\s*(?:blueprints?|bp)\b[ \t]*[#:/]?[ \t]*(?P<name>{NAME})", re.I)
BARE_RE = re.compile(rf"^\s*(?:(?:blueprints?|bp)\b[ \t]*[#:/]?[ \t]*)?(?P<name>{NAME})", re.I)
# names listed after one key: "a, b", "a; b", "a and b" (but not the "-and-" inside a name)
LIST_SPLIT_RE = re.compile(r"\s*[,;]\s*|\s+and\s+", re.IGNORECASE)
TOPIC_RE = re.compile(rf"^(?:bp|blueprint)/(?P<name>{NAME})$", re.IGNORECASE)
BARE_WORD_RE = re.compile(r"^[A-Za-z0-9@._-]+$")
REPOSITORY_RE = re.compile(r"^[A-Za-z0-9._-]+(?:/[A-Za-z0-9._-]+)*$")
BRANCH_RE = re.compile(r"^[A-Za-z0-9._/-]+$")


@dataclass(frozen=True)
class BlueprintLink:
    name: str
    partial: bool  # "Partial-Implements"; a topic alone says nothing of it
    source: str  # a ReviewLinkSource value


@dataclass(frozen=True)
class ReviewOwner:
    account_id: int | None
    name: str = ""
    username: str = ""
    email: str = ""

    def __str__(self) -> str:
        return self.name or self.username or f"account {self.account_id}"


@dataclass(frozen=True)
class Review:
    number: int
    project: str  # the repository, e.g. openstack/tripleo-heat-templates
    branch: str
    subject: str
    status: str  # a ReviewStatus value
    owner: ReviewOwner
    created: datetime
    updated: datetime  # timezone-aware, UTC
    url: str  # <GERRIT_URL>/c/<project>/+/<number>
    change_id: str
    topic: str = ""
    revision: str = ""  # the current revision's commit SHA-1
    blueprints: tuple[BlueprintLink, ...] = ()
    submitted: datetime | None = None  # when it merged (ChangeInfo ``submitted``)

    @property
    def blueprint_names(self) -> tuple[str, ...]:
        return tuple(link.name for link in self.blueprints)

    @property
    def is_open(self) -> bool:
        return self.status == ReviewStatus.NEW


@dataclass(frozen=True)
class GerritProblem:
    index: int  # position in the query's results
    number: int | None
    field: str
    message: str
    severity: str = ERROR  # an error leaves the change out; a warning keeps it

    def __str__(self) -> str:
        where = f"change {self.number}" if self.number else f"result {self.index}"
        warning = "warning: " if self.severity == WARNING else ""
        return f"{warning}{where}, {self.field}: {self.message}"


@dataclass(frozen=True)
class ChangesPage:
    reviews: list[Review]
    problems: list[GerritProblem]
    more: bool  # the last change says "_more_changes": true
    count: int  # changes in the answer, read or not


@dataclass(frozen=True)
class GerritFetch:
    query: str
    reviews: list[Review]
    problems: list[GerritProblem] = field(default_factory=list)
    pages: int = 0


def parse_timestamp(value: Any) -> datetime:
    """Gerrit's ``2017-01-10 12:34:56.000000000`` (UTC, nanoseconds) → an aware datetime."""
    match = TIMESTAMP_RE.match(value) if isinstance(value, str) else None
    if not match:
        raise ValueError(f"not a Gerrit timestamp: {value!r}")
    day, clock, fraction = match.groups()
    micro = int((fraction or "0").ljust(9, "0")[:6])  # datetime keeps microseconds
    return datetime.fromisoformat(f"{day}T{clock}").replace(microsecond=micro, tzinfo=UTC)


def parse_body(text: str) -> Any:
    """A Gerrit response body (with or without its ``)]}'`` line) → JSON data."""
    return json.loads(strip_xssi_prefix(text))


def blueprint_links(message: str, topic: str | None = None) -> tuple[BlueprintLink, ...]:
    """The blueprints a change names in its commit message footers and its topic.

    Footers ``Implements:`` (whole) and ``Partial-Implements:`` / ``Partially-Implements:`` /
    ``Partially Implements:`` (partial), each followed by ``blueprint <name>`` or
    ``bp <name>``, case-insensitive; several names may follow one key, separated by commas
    or "and". A topic ``bp/<name>`` names one more. Names come lower-cased, as Launchpad
    spells them; a blueprint named twice is listed once (partial only if every mention is).
    """
    found: dict[str, BlueprintLink] = {}

    def add(name: str, partial: bool, source: str) -> None:
        name = name.rstrip(".").lower()
        if name in found:
            partial = partial and found[name].partial
            source = found[name].source
        found[name] = BlueprintLink(name, partial, source)

    for footer in FOOTER_RE.finditer(message or ""):
        partial = footer["key"].lower() != "implements"
        chunks = LIST_SPLIT_RE.split(footer["rest"])
        first = NAMED_RE.match(chunks[0])
        if not first:
            continue  # "Implements: the new API" names no blueprint
        add(first["name"], partial, ReviewLinkSource.FOOTER)
        for chunk in chunks[1:]:
            named = BARE_RE.match(chunk)
            if named:
                add(named["name"], partial, ReviewLinkSource.FOOTER)
    topic_match = TOPIC_RE.match(topic or "")
    if topic_match and topic_match["name"].lower() not in found:
        add(topic_match["name"], False, ReviewLinkSource.TOPIC)
    return tuple(found.values())


def _quote(value: str) -> str:
    return value if BARE_WORD_RE.match(value) else f'"{value}"'


def build_query(
    repositories: Sequence[str],
    *,
    branches: Sequence[str] = (),
    after: date | None = None,
    before: date | None = None,
    linked_only: bool = True,
) -> str:
    """The Gerrit query for a project's reviews: its repositories (any of), on ``branches``
    (any of; e.g. ``master`` and ``stable/ocata`` for a series), updated within ``after`` …
    ``before``, and — ``linked_only`` — only changes that can name a blueprint (a footer
    word ``blueprint`` or ``bp``, or a ``bp/`` topic); the links themselves are read from
    each change, never trusted to the search."""
    if not repositories:
        raise ValueError("a query needs at least one repository")
    for name in repositories:
        if not REPOSITORY_RE.match(name):
            raise ValueError(f"{name!r} is not a Gerrit repository name")
    for name in branches:
        if not BRANCH_RE.match(name):
            raise ValueError(f"{name!r} is not a branch name")
    terms = [_any("project", repositories)]
    if branches:
        terms.append(_any("branch", branches))
    if after:
        terms.append(f"after:{after.isoformat()}")
    if before:
        terms.append(f"before:{before.isoformat()}")
    if linked_only:
        terms.append('(message:blueprint OR message:bp OR topic:"^(bp|blueprint)/.*")')
    return " ".join(terms)


def _any(operator: str, values: Sequence[str]) -> str:
    terms = [f"{operator}:{_quote(v)}" for v in values]
    return terms[0] if len(terms) == 1 else f"({' OR '.join(terms)})"


def changes_url(
    gerrit_url: str,
    query: str,
    *,
    start: int = 0,
    limit: int = PAGE_SIZE,
    options: Sequence[str] = QUERY_OPTIONS,
) -> str:
    """``<gerrit>/changes/?q=…&o=…&n=<limit>&S=<start>``."""
    params: list[tuple[str, str]] = [("q", query)]
    params += [("o", option) for option in options]
    params += [("n", str(limit)), ("S", str(start))]
    return f"{gerrit_url.rstrip('/')}/changes/?{urllib.parse.urlencode(params)}"


def review_url(gerrit_url: str, project: str, number: int) -> str:
    """A change's page: ``<gerrit>/c/<project>/+/<number>``."""
    return f"{gerrit_url.rstrip('/')}/c/{project}/+/{number}"


def _owner(value: Any) -> ReviewOwner:
    if not isinstance(value, dict):
        raise ValueError(f"not an account: {value!r}")
    account_id = value.get("_account_id")
    if account_id is not None and (not isinstance(account_id, int) or isinstance(account_id, bool)):
        raise ValueError(f"_account_id is not a number: {account_id!r}")
    texts = {k: value.get(k) or "" for k in ("name", "username", "email")}
    if not all(isinstance(v, str) for v in texts.values()):
        raise ValueError(f"an account field is not text: {value!r}")
    return ReviewOwner(account_id=account_id, **texts)


def _message(change: dict[str, Any]) -> tuple[str, str] | None:
    """(the current revision's SHA-1, its commit message), or None when not given."""
    revision = change.get("current_revision")
    revisions = change.get("revisions")
    if not isinstance(revision, str) or not isinstance(revisions, dict):
        return None
    commit = (revisions.get(revision) or {}).get("commit")
    if not isinstance(commit, dict) or not isinstance(commit.get("message"), str):
        return None
    return revision, commit["message"]


def parse_change(
    change: Any, *, gerrit_url: str, index: int = 0
) -> tuple[Review | None, list[GerritProblem]]:
    """One ChangeInfo → a Review (or None) and its problems."""
    problems: list[GerritProblem] = []
    if not isinstance(change, dict):
        return None, [GerritProblem(index, None, "change", "not an object")]
    number = change.get("_number")
    if not isinstance(number, int) or isinstance(number, bool) or number <= 0:
        return None, [GerritProblem(index, None, "_number", f"not a change number: {number!r}")]

    def problem(field_name: str, message: str, severity: str = ERROR) -> None:
        problems.append(GerritProblem(index, number, field_name, message, severity))

    texts: dict[str, str] = {}
    for key in ("project", "branch", "subject", "change_id"):
        value = change.get(key)
        if not isinstance(value, str) or not value:
            problem(key, "missing" if value in (None, "") else f"not text: {value!r}")
        texts[key] = value if isinstance(value, str) else ""
    topic = change.get("topic") or ""
    if not isinstance(topic, str):
        problem("topic", f"not text: {topic!r}")
        topic = ""
    status = change.get("status")
    if status not in {s.value for s in ReviewStatus}:
        problem("status", f"unknown status {status!r} (Gerrit's are NEW, MERGED, ABANDONED)")
    stamps: dict[str, datetime] = {}
    for key in ("created", "updated"):
        try:
            stamps[key] = parse_timestamp(change.get(key))
        except ValueError as error:
            problem(key, str(error))
    submitted = None
    if change.get("submitted"):
        try:
            submitted = parse_timestamp(change["submitted"])
        except ValueError as error:
            problem("submitted", f"{error}: ignored", WARNING)
    try:
        owner = _owner(change.get("owner"))
    except ValueError as error:
        problem("owner", str(error))
        owner = ReviewOwner(None)
    if any(p.severity == ERROR for p in problems):
        return None, problems
    revision, message = _message(change) or ("", "")
    if not revision:
        problem(
            "revisions",
            "no current commit message (asked without CURRENT_REVISION and CURRENT_COMMIT?): "
            "linked by its topic only",
            WARNING,
        )
    review = Review(
        number=number,
        project=texts["project"],
        branch=texts["branch"],
        subject=texts["subject"],
        status=str(status),
        owner=owner,
        created=stamps["created"],
        updated=stamps["updated"],
        url=review_url(gerrit_url, texts["project"], number),
        change_id=texts["change_id"],
        topic=topic,
        revision=revision,
        blueprints=blueprint_links(message, topic),
        submitted=submitted,
    )
    return review, problems


def parse_changes(data: Any, *, gerrit_url: str, offset: int = 0) -> ChangesPage:
    """One answer of ``GET /changes/`` (already stripped of ``)]}'`` and parsed)."""
    if not isinstance(data, list):
        problem = GerritProblem(-1, None, "changes", "not a list of changes")
        return ChangesPage([], [problem], more=False, count=0)
    if data and all(isinstance(item, list) for item in data):
        problem = GerritProblem(-1, None, "changes", "one list per query: send one query")
        return ChangesPage([], [problem], more=False, count=0)
    reviews: list[Review] = []
    problems: list[GerritProblem] = []
    for position, change in enumerate(data):
        review, found = parse_change(change, gerrit_url=gerrit_url, index=offset + position)
        problems += found
        if review is not None:
            reviews.append(review)
    more = bool(data) and isinstance(data[-1], dict) and data[-1].get("_more_changes") is True
    return ChangesPage(reviews, problems, more=more, count=len(data))


def fetch_reviews(
    gerrit_url: str,
    query: str,
    *,
    client: JsonGetter,
    page_size: int = PAGE_SIZE,
    max_pages: int = MAX_PAGES,
    progress: Callable[[int, int | None], None] | None = None,
    options: Sequence[str] = QUERY_OPTIONS,
) -> GerritFetch:
    """Every change ``query`` matches, paging with ``S=`` while ``_more_changes`` says so.

    A change seen twice (it moved up the list while pages were read) is kept once, as first
    seen. ``progress(done, None)`` after each page (Gerrit gives no total). Raises
    ``FetchError`` when a page fails or is not a list of changes: nothing is returned.
    """
    if page_size < 1:
        raise ValueError("page_size must be at least 1")
    reviews: dict[int, Review] = {}
    problems: list[GerritProblem] = []
    start = pages = 0
    while True:
        if pages == max_pages:
            raise FetchError(changes_url(gerrit_url, query), f"more than {max_pages} pages")
        url = changes_url(gerrit_url, query, start=start, limit=page_size, options=options)
        data = client.get(url, xssi=True).data
        pages += 1
        page = parse_changes(data, gerrit_url=gerrit_url, offset=start)
        if page.count == 0 and page.problems:
            raise FetchError(url, "; ".join(str(p) for p in page.problems))
        problems += page.problems
        for review in page.reviews:
            reviews.setdefault(review.number, review)
        if progress:
            progress(len(reviews), None)
        if not page.more:  # also when a promised page came back empty: the list shrank
            break
        start += page.count
    return GerritFetch(query=query, reviews=list(reviews.values()), problems=problems, pages=pages)
