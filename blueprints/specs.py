"""Read a specs repository (``specs/<series>/*.rst``): each approved spec is a cycle's blueprint.

Pure Python (docutils only for rendering, no Django). OpenStack teams review one
reStructuredText file per feature in a specs repository; the file follows the team's
``specs/template.rst``: a title, the Launchpad blueprint URL under it, then top-level sections
(Problem Description, Proposed Change, Alternatives, …, Implementation with its "Assignee(s)"
and "Work Items", Dependencies, Testing, Documentation Impact, References). Real specs are
uneven; the rules below read them without guessing, and every place a rule had to bend is
reported as a :class:`SpecProblem` with the file and line. Only an unreadable file raises
:class:`SpecError`.

The rules, in words:

* **Tree.** Every directory under ``specs/`` is a series except ``policy/`` (the team's policies,
  not features); files directly under ``specs/`` are templates. In a series directory each
  ``*.rst`` is a spec except ``index.rst``, ``README*`` and templates (``template.rst``,
  ``*-template.rst``); sub-directories are not read. A file with a title and no section (the
  ``zed/placeholder.rst`` kind) is a placeholder, not a spec. Symbolic links, non-regular files,
  files over :data:`MAX_SPEC_BYTES`, files resolving outside the tree and non-UTF-8 text are
  refused with :class:`SpecError`.
* **Title and sections.** The document title is the first heading when its adornment style is
  used once (docutils promotes such a lone top section to the title). Top-level sections are
  the headings of the next style, each kept as its title, raw body and line.
* **The spec's own blueprint.** The template asks for "the URL of your launchpad blueprint"
  right under the title, so the first ``blueprints.launchpad.net`` URL between the title and
  the first section (written out, or reached through a footnote or hyperlink reference made
  there) is the spec's own; when that URL is only the project's page (the template's
  placeholder) the spec has no own link. With nothing under the title, a link anywhere whose
  blueprint name is the file's name is the spec's own ("the filename … should match the
  launchpad URL", template.rst). Every other link is a reference. Without an own link the
  blueprint is named by the file (``_`` becomes ``-``: Launchpad names have no underscore).
  URLs missing ``+spec/`` or spelling ``+specs/`` and upper-case names are read, and reported.
* **Assignees.** The "Assignee(s)" (or "Contributors") section, else labels in
  "Implementation". "Primary assignee(s):" is followed by people on the same line, the next
  lines or as bullets; "Other contributors:" / "Other assignees:" / "Contributors:" likewise.
  A section without labels lists its primary assignees. Each person becomes a
  :class:`SpecPerson` token (the Launchpad id when the text says so, else the IRC nick or
  handle, else the e-mail, else the name); placeholders (None, N/A, TBD, ``<launchpad-id or
  None>``) are no one, and prose is reported, not turned into people.
* **Work items.** The bullets and enumerations of "Work Items", nested ones flattened as
  ``parent: child`` (a parent ending with ``:`` is a heading, not an item); sub-headings and
  short labels ("tripleo-incubator:") prefix the items under them; prose around the lists,
  literal blocks and directives are ignored. Without any list, each paragraph is an item (a
  paragraph whose every line starts with a capital letter is a list written without bullets:
  one item a line), reported.
* **Dependencies.** Each entry (bullet or paragraph) of "Dependencies": a blueprint URL gives a
  blueprint dependency, a specs.openstack.org / ``specs/<series>/<file>`` link a spec
  dependency, anything else is text. :func:`read_specs_tree` then resolves text naming another
  spec of the tree by its title or file name. "None", "N/A" or an empty section: none.
* **Gerrit.** Change-Ids (``I`` + 40 hex digits) and review URLs anywhere, with their line; a
  Change-Id used as a hyperlink target gets its review URL.
* **Rendering.** :func:`render_rst` renders a section body with docutils with raw HTML, file
  insertion and includes disabled, never failing, then keeps only an allow-list of tags and
  attributes, and only http(s), mailto and relative URLs.
"""

from __future__ import annotations

import io
import os
import re
import stat
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from html import escape
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from typing import Any, Literal

__all__ = [
    "MAX_SPEC_BYTES",
    "Assignees",
    "BlueprintLink",
    "GerritRef",
    "IgnoredFile",
    "ParsedSpec",
    "SpecDependency",
    "SpecError",
    "SpecPerson",
    "SpecProblem",
    "SpecSection",
    "SpecsTree",
    "WorkItem",
    "parse_spec",
    "read_spec_file",
    "read_specs_tree",
    "render_rst",
    "render_spec_sections",
    "resolve_spec_dependencies",
    "sanitise_html",
]

MAX_SPEC_BYTES = 1024 * 1024  # the longest real spec is about 40 KiB
NOT_SERIES_DIRECTORIES = frozenset({"policy"})

LinkedBy = Literal["url", "file-name"]
_Report = Callable[[int, str], None]  # (line, message) of a problem in the file being parsed
DependencyKind = Literal["blueprint", "spec", "text"]


# --- errors and problems ----------------------------------------------------------------------


class SpecError(ValueError):
    """An unreadable spec file (or tree), located as ``source:line: message``."""

    def __init__(self, source: str, line: int, message: str) -> None:
        self.source = source
        self.line = line
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}" if self.line else self.source
        return f"{where}: {self.message}"

    def __reduce__(self) -> tuple[Any, ...]:  # picklable (Celery) despite the signature
        return (type(self), (self.source, self.line, self.message))


@dataclass(frozen=True)
class SpecProblem:
    """Something uneven in a readable spec; ``line`` is 1-based, 0 for the whole file."""

    source: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.source}:{self.line}: {self.message}"


# --- what a spec says -------------------------------------------------------------------------


@dataclass(frozen=True)
class BlueprintLink:
    """One ``https://blueprints.launchpad.net/<project>/+spec/<name>`` occurrence."""

    url: str
    project: str
    name: str
    line: int


@dataclass(frozen=True)
class SpecPerson:
    """A person as a spec names them; ``token`` is the handle to match an account with.

    ``handles`` are Launchpad ids / IRC nicks in the order of preference (a Launchpad id the
    text labels as such comes first). Matching should ignore case: specs write ``EmilienM``
    and ``emilienm`` for one person.
    """

    raw: str
    token: str
    name: str = ""
    email: str = ""
    handles: tuple[str, ...] = ()


@dataclass(frozen=True)
class Assignees:
    """The "Assignee(s)" section: who leads (``primary``) and who helps (``others``)."""

    primary: tuple[SpecPerson, ...] = ()
    others: tuple[SpecPerson, ...] = ()
    raw: str = ""
    line: int = 0


@dataclass(frozen=True)
class WorkItem:
    """A bullet of "Work Items", as a one-line title (inline markup removed)."""

    title: str
    line: int
    links: tuple[str, ...] = ()


@dataclass(frozen=True)
class SpecDependency:
    """One entry of "Dependencies".

    ``kind`` is ``blueprint`` (``project``/``name`` from the URL), ``spec`` (``spec`` is
    ``<series>/<file name>``; ``name``/``project`` are that spec's blueprint once resolved in
    the tree) or ``text``. ``reverse`` marks an entry saying the other work depends on this one.
    """

    kind: DependencyKind
    text: str
    line: int
    project: str = ""
    name: str = ""
    spec: str = ""
    url: str = ""
    reverse: bool = False


@dataclass(frozen=True)
class GerritRef:
    """A Gerrit Change-Id or review URL; ``number`` is the change number when the URL has it."""

    line: int
    change_id: str = ""
    url: str = ""
    number: int | None = None


@dataclass(frozen=True)
class SpecSection:
    """A top-level section: its title, raw reStructuredText body and the title's line."""

    title: str
    body: str
    line: int


@dataclass(frozen=True)
class ParsedSpec:
    """One spec file, read. ``blueprint`` is the spec's own link (None: named by file)."""

    source: str
    series: str
    slug: str
    title: str
    title_line: int
    summary: str
    blueprint: BlueprintLink | None
    blueprint_links: tuple[BlueprintLink, ...]
    linked_by: LinkedBy
    project: str
    blueprint_name: str
    assignees: Assignees
    work_items: tuple[WorkItem, ...]
    dependencies: tuple[SpecDependency, ...]
    dependencies_text: str
    gerrit: tuple[GerritRef, ...]
    sections: tuple[SpecSection, ...]
    problems: tuple[SpecProblem, ...] = ()

    @property
    def references(self) -> tuple[BlueprintLink, ...]:
        """Every blueprint link but the spec's own occurrence."""
        return tuple(link for link in self.blueprint_links if link != self.blueprint)

    def section(self, title: str) -> SpecSection | None:
        wanted = _norm_title(title)
        return next((s for s in self.sections if _norm_title(s.title) == wanted), None)


@dataclass(frozen=True)
class IgnoredFile:
    """A file or directory of the tree that is not a spec, and why."""

    path: str
    reason: str


@dataclass(frozen=True)
class SpecsTree:
    """A specs repository checkout: its specs ordered by series, then file name.

    Series directories sort alphabetically, which is their release order up to zed (the names
    start again from the letter a with antelope).
    """

    root: Path
    specs: tuple[ParsedSpec, ...]
    ignored: tuple[IgnoredFile, ...] = ()

    @property
    def series_names(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(spec.series for spec in self.specs))

    def in_series(self, series: str) -> tuple[ParsedSpec, ...]:
        return tuple(spec for spec in self.specs if spec.series == series)

    @property
    def problems(self) -> tuple[SpecProblem, ...]:
        return tuple(problem for spec in self.specs for problem in spec.problems)


# --- reading the tree -------------------------------------------------------------------------


def read_specs_tree(root: Path, *, series: str | None = None) -> SpecsTree:
    """Every spec under ``root/specs/<series>/`` (one series when ``series`` is given).

    Which files are specs is the module's "Tree" rule. The whole tree is read even for one
    series, so dependencies naming a spec of another cycle resolve; an unreadable file anywhere
    raises :class:`SpecError` (the import is all-or-nothing).
    """
    root = Path(root)
    try:
        real_root = root.resolve(strict=True)
    except OSError as exc:
        raise SpecError(str(root), 0, "cannot read the specs repository") from exc
    specs_dir = root / "specs"
    if not specs_dir.is_dir():
        raise SpecError(str(root), 0, "not a specs repository: no specs/ directory")
    _check_inside(specs_dir, real_root, "specs")
    if series is not None and (
        not _SERIES_NAME.match(series)
        or series in NOT_SERIES_DIRECTORIES
        or not (specs_dir / series).is_dir()
    ):
        raise SpecError(f"specs/{series}", 0, "no such series directory")

    ignored: list[IgnoredFile] = []
    parsed: list[ParsedSpec] = []
    for entry in sorted(specs_dir.iterdir(), key=lambda p: p.name):
        rel = f"specs/{entry.name}"
        if not entry.is_dir() or entry.name in NOT_SERIES_DIRECTORIES:
            reason = "template" if entry.name.endswith(".rst") else "not a series directory"
            if entry.name in NOT_SERIES_DIRECTORIES:
                reason = "team policies, not features"
            ignored.append(IgnoredFile(rel, reason))
            continue
        if entry.is_symlink():
            raise SpecError(rel, 0, "a symbolic link: refused")
        _check_inside(entry, real_root, rel)
        for path in sorted(entry.iterdir(), key=lambda p: p.name):
            source = f"{rel}/{path.name}"
            reason = _not_a_spec(path)
            if reason:
                ignored.append(IgnoredFile(source, reason))
                continue
            spec = read_spec_file(path, root=real_root, source=source)
            if not spec.sections and spec.blueprint is None:
                ignored.append(IgnoredFile(source, "placeholder: a title and no sections"))
                continue
            parsed.append(spec)
    resolved = resolve_spec_dependencies(parsed)
    if series is not None:
        resolved = [spec for spec in resolved if spec.series == series]
    return SpecsTree(root=root, specs=tuple(resolved), ignored=tuple(ignored))


_SERIES_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
_TEMPLATE_NAME = re.compile(r"(?i)^(?:index|template|.*[-_]template)\.rst$|^readme")


def _not_a_spec(path: Path) -> str:
    name = path.name
    if name.startswith("."):
        return "hidden file"
    if _TEMPLATE_NAME.match(name):
        return "index, README or template"
    if path.is_dir() and not path.is_symlink():
        return "sub-directory"
    if not name.endswith(".rst"):
        return "not reStructuredText"
    return ""  # a symbolic link named *.rst is read, and so refused


def _check_inside(path: Path, real_root: Path, source: str) -> None:
    try:
        path.resolve(strict=True).relative_to(real_root)
    except (OSError, ValueError) as exc:
        raise SpecError(source, 0, "resolves outside the specs repository: refused") from exc


def read_spec_file(path: Path, *, root: Path, source: str | None = None) -> ParsedSpec:
    """Read and parse one spec file, refusing what the "Tree" rule refuses."""
    path = Path(path)
    source = source or str(path)
    try:
        info = path.lstat()
    except OSError as exc:
        raise SpecError(source, 0, f"cannot read: {exc.strerror}") from exc
    if stat.S_ISLNK(info.st_mode):
        raise SpecError(source, 0, "a symbolic link: refused")
    if not stat.S_ISREG(info.st_mode):
        raise SpecError(source, 0, "not a regular file: refused")
    _check_inside(path, Path(root).resolve(), source)
    if info.st_size > MAX_SPEC_BYTES:
        raise SpecError(source, 0, f"larger than {MAX_SPEC_BYTES // 1024} KiB: refused")
    # No following a link and no blocking on a FIFO swapped in since the lstat.
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)
        with os.fdopen(fd, "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                raise SpecError(source, 0, "not a regular file: refused")
            data = handle.read(MAX_SPEC_BYTES + 1)
    except OSError as exc:
        raise SpecError(source, 0, f"cannot read: {exc.strerror}") from exc
    if len(data) > MAX_SPEC_BYTES:  # grew since lstat
        raise SpecError(source, 0, f"larger than {MAX_SPEC_BYTES // 1024} KiB: refused")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise SpecError(source, line, f"not UTF-8 (byte 0x{data[exc.start]:02x})") from exc
    return parse_spec(text, source=source)


# --- headings and sections --------------------------------------------------------------------

_ADORNMENT = re.compile(r"""^([!"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~])\1{2,}\s*$""")


@dataclass(frozen=True)
class _Heading:
    start: int  # 0-based index of the overline, else of the title line
    index: int  # 0-based index of the title line
    end: int  # 0-based index of the first line after the underline
    title: str
    style: tuple[str, bool]
    level: int = 0


def _is_adornment(line: str) -> bool:
    return bool(_ADORNMENT.match(line))


def _headings(lines: Sequence[str]) -> list[_Heading]:
    """Section titles, as docutils reads them: a title line under an adornment line of one
    punctuation character (at least as long as the title, or four characters), optionally
    with the same line above; the adornment styles' order of first use gives the levels."""
    found: list[_Heading] = []
    i, count, last_end = 0, len(lines), 0
    while i < count - 1:
        line = lines[i]
        blank_before = i == 0 or not lines[i - 1].strip() or i == last_end
        if (
            blank_before
            and _is_adornment(line)
            and i + 2 < count
            and lines[i + 1].strip()
            and not _is_adornment(lines[i + 1].strip())
            and _is_adornment(lines[i + 2])
            and lines[i + 2][0] == line[0]
        ):
            found.append(_Heading(i, i + 1, i + 3, lines[i + 1].strip(), (line[0], True)))
            i = last_end = i + 3
            continue
        under = lines[i + 1]
        if (
            blank_before
            and line.strip()
            and not line[0].isspace()
            and not _is_adornment(line)
            and _is_adornment(under)
            and (len(under.rstrip()) >= len(line.rstrip()) or len(under.rstrip()) >= 4)
        ):
            found.append(_Heading(i, i, i + 2, line.strip(), (under[0], False)))
            i = last_end = i + 2
            continue
        i += 1
    styles: list[tuple[str, bool]] = []
    for heading in found:
        if heading.style not in styles:
            styles.append(heading.style)
    return [replace(h, level=styles.index(h.style)) for h in found]


def _norm_title(title: str) -> str:
    return re.sub(r"[^a-z0-9()]+", " ", title.lower()).strip()


def _span(headings: Sequence[_Heading], position: int, count: int) -> tuple[int, int]:
    """Body lines (0-based, end exclusive) of the heading at ``position``."""
    heading = headings[position]
    for later in headings[position + 1 :]:
        if later.level <= heading.level:
            return heading.end, later.start
    return heading.end, count


def _text(lines: Sequence[str], start: int, end: int) -> str:
    return "\n".join(lines[start:end]).strip("\n")


# --- links, references, URLs ------------------------------------------------------------------

_URL = re.compile(r"https?://[^\s<>`'\"()\[\]]+")
_BLUEPRINT_URL = re.compile(
    r"^https?://blueprints\.launchpad\.net/([^/?#]+)(?:/([^/?#]+))?(?:/([^/?#]+))?", re.I
)
_SPEC_URL = re.compile(
    r"^https?://specs\.openstack\.org/openstack/([\w.-]+)/specs/([\w.-]+)/([\w.-]+?)"
    r"(?:\.html?|\.rst|/)?(?:[#?].*)?$"
)
_SPEC_PATH_URL = re.compile(r"/specs/([a-z]+)/([\w.-]+?)\.rst(?:[#?@].*)?$")
_LAUNCHPAD_NAME = re.compile(r"^[a-z0-9][a-z0-9+.-]*$")
_CHANGE_ID = re.compile(r"(?<![0-9A-Za-z])I[0-9a-f]{40}(?![0-9A-Za-z])")
_REVIEW_HOST = re.compile(r"^https?://review\.(?:openstack|opendev|rdoproject)\.org/", re.I)
_REVIEW_NUMBER = (
    re.compile(r"#/c/(\d+)"),
    re.compile(r"/c/[^#?]+?/\+/(\d+)"),
    re.compile(r"^https?://[^/]+/(?:r/|#/)?(\d+)(?:[/#?,]|$)"),
)
_TARGET = re.compile(r"^\s*\.\.\s+_(?:`([^`]+)`|([^:`\s][^:]*?))\s*:(?:\s+(\S.*))?\s*$")
_FOOTNOTE = re.compile(r"^(\s*)(?:[*-]\s+)?(?:\.\.\s+)?\[([^\]\s]{1,20})\]:?(?:\s+(.*))?$")
_REFERENCE = re.compile(
    r"`([^`<]+?)`__?|\[([^\]\s]{1,20})\]_?|(?<![\w`/.-])([A-Za-z0-9][\w.+-]*?)_(?![\w])"
)


def _urls(text: str) -> list[str]:
    return [m.group().rstrip(".,;:!?*_") for m in _URL.finditer(text)]


def _ref_name(name: str) -> str:
    return re.sub(r"\s+", " ", name.strip().lower())


@dataclass
class _Targets:
    """Hyperlink targets (``.. _name: URL``) and footnote-like definitions of a document."""

    links: dict[str, str] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)

    def urls_referenced(self, text: str) -> list[str]:
        """URLs reached from references in ``text`` (``name_``, ```name`_``, ``[1]_``, ``[1]``)."""
        found: list[str] = []
        for match in _REFERENCE.finditer(text):
            phrase, label, word = match.groups()
            if phrase is not None:
                name = _ref_name(phrase)
                found.extend(_urls(self.links.get(name, "") or self.notes.get(name, "")))
            elif label is not None:
                key = _ref_name(label)
                found.extend(_urls(self.notes.get(key, "") or self.links.get(f"[{key}]", "")))
            elif word is not None:
                found.extend(_urls(self.links.get(_ref_name(word), "")))
        return found


def _targets(lines: Sequence[str]) -> _Targets:
    targets = _Targets()
    for index, line in enumerate(lines):
        match = _TARGET.match(line)
        if match:
            name = _ref_name(match.group(1) or match.group(2))
            value = match.group(3) or ""
            if not value and index + 1 < len(lines):
                value = lines[index + 1].strip()
            targets.links.setdefault(name, value.strip())
            continue
        match = _FOOTNOTE.match(line)
        if match:
            indent = len(match.group(1))
            body = [match.group(3) or ""]
            for follow in lines[index + 1 :]:
                if not follow.strip() or _indent(follow) <= indent or _FOOTNOTE.match(follow):
                    break
                body.append(follow.strip())
            targets.notes.setdefault(_ref_name(match.group(2)), " ".join(body).strip())
    return targets


def _blueprint_of(url: str) -> tuple[BlueprintLink | None, list[str]]:
    """The blueprint a Launchpad blueprints URL names, and what was uneven about it.

    Returns ``(None, [])`` for a URL that names no blueprint (a project page, a listing); the
    link's ``line`` is left 0 for the caller.
    """
    match = _BLUEPRINT_URL.match(url)
    if not match:
        return None, []
    project, second, third = match.groups()
    if project.startswith(("+", "~")) or second is None:
        return None, []
    notes: list[str] = []
    if second.lower() == "+spec" and third:
        name = third
    elif second.lower() == "+specs" and third:
        name = third
        notes.append(f"blueprint URL spells '+specs/' (read as '+spec/'): {url}")
    elif not second.startswith("+"):
        name = second
        notes.append(f"blueprint URL lacks '+spec/' (read as the blueprint '{second}'): {url}")
    else:
        return None, []
    if name != name.lower():
        notes.append(
            f"blueprint name '{name}' is not lower-case as Launchpad's are; read as "
            f"'{name.lower()}'"
        )
        name = name.lower()
    if not _LAUNCHPAD_NAME.match(name):
        notes.append(f"'{name}' is not a valid Launchpad blueprint name")
    return BlueprintLink(url=url, project=project.lower(), name=name, line=0), notes


def _is_project_page(url: str) -> bool:
    match = _BLUEPRINT_URL.match(url)
    return bool(match) and match.group(2) is None


# --- parsing one spec -------------------------------------------------------------------------


def parse_spec(text: str, *, source: str) -> ParsedSpec:
    """Read one spec's text (``source`` names it in problems: ``specs/<series>/<file>.rst``).

    Applies the module's rules; raises :class:`SpecError` only for text that is not text (a NUL
    character). Everything else uneven becomes a :class:`SpecProblem`.
    """
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise SpecError(source, line, "binary content (a NUL character): refused")
    problems: list[SpecProblem] = []

    def report(line: int, message: str) -> None:
        problems.append(SpecProblem(source, line, message))

    lines = [line.expandtabs(8).rstrip() for line in text.lstrip("\ufeff").splitlines()]
    path = PurePosixPath(source)
    slug = path.stem
    series = path.parent.name if path.parent.parent.name == "specs" else ""
    headings = _headings(lines)
    targets = _targets(lines)

    # title, preamble and top-level sections
    title_heading: _Heading | None = None
    if headings and sum(h.style == headings[0].style for h in headings) == 1:
        title_heading = headings[0]
    elif headings:
        report(headings[0].index + 1, "no document title: the first heading's style recurs")
    else:
        report(0, "no headings: no title and no sections")
    body_headings = [h for h in headings if h is not title_heading]
    top_level = min((h.level for h in body_headings), default=0)
    title = _plain(title_heading.title) if title_heading else ""
    preamble_start = title_heading.end if title_heading else 0
    first_section = next((h.start for h in body_headings if h.level == top_level), len(lines))
    sections = tuple(
        SpecSection(h.title, _text(lines, *_span(headings, position, len(lines))), h.index + 1)
        for position, h in enumerate(headings)
        if h is not title_heading and h.level == top_level
    )

    # blueprint links
    links: list[BlueprintLink] = []
    for index, line in enumerate(lines):
        for url in _urls(line):
            link, notes = _blueprint_of(url)
            if link is not None:
                links.append(replace(link, line=index + 1))
                for note in notes:
                    report(index + 1, note)
    own, why_none = _own_blueprint(lines, preamble_start, first_section, links, targets, slug)
    if own is None:
        report(why_none[0] or (title_heading.index + 1 if title_heading else 0), why_none[1])
    blueprint_name = own.name if own else slug.lower().replace("_", "-")

    preamble = lines[preamble_start:first_section]
    summary = _summary(preamble)
    assignees = _assignees(lines, headings, report)
    work_items = _work_items(lines, headings, targets, report)
    dependencies, dependencies_text = _dependencies(lines, headings, targets, report)
    gerrit = _gerrit(lines, targets)
    return ParsedSpec(
        source=source,
        series=series,
        slug=slug,
        title=title,
        title_line=title_heading.index + 1 if title_heading else 0,
        summary=summary,
        blueprint=own,
        blueprint_links=tuple(links),
        linked_by="url" if own else "file-name",
        project=own.project if own else "",
        blueprint_name=blueprint_name,
        assignees=assignees,
        work_items=work_items,
        dependencies=dependencies,
        dependencies_text=dependencies_text,
        gerrit=gerrit,
        sections=sections,
        problems=tuple(problems),
    )


def _own_blueprint(
    lines: Sequence[str],
    start: int,
    end: int,
    links: Sequence[BlueprintLink],
    targets: _Targets,
    slug: str,
) -> tuple[BlueprintLink | None, tuple[int, str]]:
    """The spec's own link (the "own blueprint" rule), or why there is none."""
    for index in range(start, end):
        for url in _urls(lines[index]):
            if _is_project_page(url):
                return None, (
                    index + 1,
                    f"the blueprint URL under the title names no blueprint ({url}); "
                    f"linked by file name",
                )
            own = next((ln for ln in links if ln.line == index + 1 and ln.url == url), None)
            if own is not None:
                return own, (0, "")
    preamble = "\n".join(lines[start:end])
    for url in targets.urls_referenced(preamble):
        own = next((ln for ln in links if ln.url == url), None)
        if own is not None:
            return own, (0, "")
    by_name = slug.lower().replace("_", "-")
    own = next((ln for ln in links if ln.name == by_name), None)
    if own is not None:
        return own, (0, "")
    return None, (0, "no blueprint URL under the title; linked by file name")


_TEMPLATE_PROSE = re.compile(
    r"(?i)^(include the url of your launchpad blueprint|work items or tasks -- |"
    r"who is leading the writing of the code|if more than one person is working)"
)


def _summary(preamble: Sequence[str]) -> str:
    """The introduction under the title: its paragraphs, less the blueprint URL lines."""
    kept: list[str] = []
    for paragraph in _paragraphs(preamble):
        joined = " ".join(paragraph)
        if _TEMPLATE_PROSE.match(joined) or not _strip_links(joined).strip(" :"):
            continue
        if re.match(r"(?i)^blueprint\s*:", joined) and _urls(joined):
            continue
        kept.append("\n".join(paragraph))
    return "\n\n".join(kept)


def _paragraphs(lines: Iterable[str]) -> list[list[str]]:
    paragraphs: list[list[str]] = [[]]
    for line in lines:
        if line.strip():
            paragraphs[-1].append(line.strip())
        elif paragraphs[-1]:
            paragraphs.append([])
    return [p for p in paragraphs if p]


def _strip_links(text: str) -> str:
    return _URL.sub("", text)


# --- assignees --------------------------------------------------------------------------------

_ASSIGNEE_TITLES = frozenset({"assignee(s)", "assignees", "assignee", "contributors"})
_LABEL = re.compile(
    r"(?i)^\s*(primary\s+assignees?|primary\s+authors?|assignee\(s\)|assignees?|"
    r"(?:other|secondary)\s+(?:contributors?|assignees?)|contributors?)(?=$|[\s:(])(.*)$"
)
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_HANDLE = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9_])?$")
_PLACEHOLDER = re.compile(
    r"(?i)^(?:none\.?|n/?a\.?|tbc|tbd|\.{2,}|\?+|<[^@>]*>|looking for volunteers.*)$"
)
_BULLET_MARK = re.compile(r"^\s*(?:[*+|-]|#\.|\d+[.)])\s+")


def _assignees(lines: Sequence[str], headings: Sequence[_Heading], report: _Report) -> Assignees:
    """The "Assignees" rule: labelled blocks of people in the assignee section."""
    position = next(
        (i for i, h in enumerate(headings) if _norm_title(h.title) in _ASSIGNEE_TITLES), None
    )
    if position is not None:
        heading = headings[position]
        start, end = _span(headings, position, len(lines))
        default = "others" if _norm_title(heading.title) == "contributors" else "primary"
        block_line = heading.index + 1
    else:
        position = next(
            (i for i, h in enumerate(headings) if _norm_title(h.title) == "implementation"), None
        )
        if position is None:
            report(0, "no Assignee(s) section")
            return Assignees()
        start, end = _span(headings, position, len(lines))
        later = [h.start for h in headings[position + 1 :] if start <= h.start < end]
        end = min(later, default=end)
        default = ""
        block_line = headings[position].index + 1
        if not any(_label(lines[i]) for i in range(start, end)):
            report(block_line, "no Assignee(s) section")
            return Assignees()

    groups: dict[str, list[SpecPerson]] = {"primary": [], "others": []}
    labelled = any(_label(lines[i]) for i in range(start, end))
    current = "" if labelled else default
    index = start
    prose: list[tuple[int, str]] = []
    while index < end:
        line = lines[index]
        label = _label(line)
        if label:
            rest, used = _label_rest(lines, index, end)
            current = label
            entries = [(index + 1, rest)] if rest.strip() else []
            index += used
        else:
            entries = [(index + 1, line)] if line.strip() else []
            index += 1
        if not current:
            continue  # prose before the first label (often the template's own words)
        for line_no, entry in entries:
            people, leftover = _people(entry)
            groups[current].extend(people)
            if leftover:
                prose.append((line_no, leftover))
    for line_no, words in _merge_prose(prose):
        report(line_no, f"assignee text not read as a person: {words!r}")
    primary, others = tuple(groups["primary"]), tuple(groups["others"])
    if not primary:
        report(block_line, "no primary assignee named")
    return Assignees(primary, others, _text(lines, start, end), block_line)


def _label(line: str) -> str:
    """``primary`` / ``others`` when ``line`` starts with an assignee label, else ``""``."""
    match = _LABEL.match(line)
    if not match:
        return ""
    rest = match.group(2)
    if rest.strip() and ":" not in rest and "(" not in rest:
        return ""  # "Contributors should …": prose, not a label
    if ":" in rest and len(rest.split(":", 1)[0]) > 80:
        return ""
    return "others" if re.match(r"(?i)other|secondary|contributor", match.group(1)) else "primary"


def _label_rest(lines: Sequence[str], index: int, end: int) -> tuple[str, int]:
    """What follows a label's colon on its line, and how many lines the label took."""
    text, used = _LABEL.match(lines[index]).group(2), 1  # type: ignore[union-attr]
    # "Other contributors (… involved in\nupgrade work so far):" runs on to its colon
    while text.count("(") > text.count(")") and ":" not in text and index + used < end:
        text += " " + lines[index + used].strip()
        used += 1
    if ":" not in text:
        return "", used
    return text.split(":", 1)[1].lstrip(":"), used


def _people(entry: str) -> tuple[list[SpecPerson], str]:
    """The people one assignee line names, and any words that are not a person."""
    entry = _BULLET_MARK.sub("", entry).strip().strip(",;").strip()
    if not entry or _PLACEHOLDER.match(entry):
        return [], ""
    people: list[SpecPerson] = []
    leftover: list[str] = []
    for part in _split_people(entry):
        person = _person(part)
        if person is not None:
            people.append(person)
        elif not _PLACEHOLDER.match(part):
            leftover.append(part)
    return people, ", ".join(leftover)


def _split_people(entry: str) -> list[str]:
    """Split at commas outside brackets; ``IRC: x`` / ``LP: y`` parts stay with their person."""
    parts: list[str] = []
    depth, current = 0, ""
    for char in entry:
        if char in "(<[":
            depth += 1
        elif char in ")>]":
            depth = max(depth - 1, 0)
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    merged: list[str] = []
    for part in (p.strip() for p in parts):
        if not part:
            continue
        if merged and re.match(r"(?i)^(irc|lp|launchpad)\s*:", part):
            merged[-1] += ", " + part
        else:
            merged.append(part)
    return merged


def _is_name(text: str) -> bool:
    words = text.split()
    return 2 <= len(words) <= 5 and all(
        w[0].isupper() and re.fullmatch(r"[^\W\d_][\w.'-]*", w) for w in words
    )


def _person(raw: str) -> SpecPerson | None:
    """One person from e.g. ``Dan Prince (dan-prince on Launchpad)``, ``dsneddon
    <dsneddon@redhat.com>``, ``Tomas Sedovic <lp: tsedovic> <irc: shadower>``,
    ``Cloudnull - Kevin Carter`` or ``fultonj for Ceph``; None for prose."""
    text = raw.strip()
    emails = _EMAIL.findall(text)
    launchpad = re.findall(r"(?i)\b(?:lp|launchpad)\s*:\s*([\w.+-]+)", text)
    launchpad += re.findall(r"(?i)\b([\w.+-]+)\s+on\s+(?:launchpad|lp)\b", text)
    irc = re.findall(r"(?i)\birc\s*:\s*([\w.+-]+)", text)
    lead = re.split(r"\s*(?:[(<,]|\s-\s|\sfor\s|(?i:irc|lp)\s*:)", text, maxsplit=1)[0].strip()
    handles: list[str] = [*launchpad]
    name = ""
    if _EMAIL.fullmatch(lead):
        pass
    elif _HANDLE.match(lead):
        handles.append(lead)
    elif _is_name(lead) or (emails and re.fullmatch(r"[^\W\d_][\w.' -]*", lead)):
        name = lead
    elif lead:
        return None
    for inner in re.findall(r"\(([^)]*)\)?", text):
        aka = re.match(r"(?i)^aka\s+([\w.+-]+)(?:\s*,\s*(.+))?$", inner.strip())
        if aka:
            handles.append(aka.group(1))
            name = name or (aka.group(2) or "").strip()
        elif not handles and _HANDLE.match(inner.strip()):
            handles.append(inner.strip())  # "Lars Kellogg-Stedman (larsks)"
    dashed = re.split(r"\s-\s", text, maxsplit=1)
    if len(dashed) == 2 and _is_name(dashed[1].strip()) and not name:
        name = dashed[1].strip()  # "Cloudnull - Kevin Carter"
    handles += irc
    handles = list(dict.fromkeys(h for h in handles if h))
    email = emails[0] if emails else ""
    token = handles[0] if handles else email or name
    if not token:
        return None
    return SpecPerson(raw=raw.strip(), token=token, name=name, email=email, handles=tuple(handles))


def _merge_prose(prose: Sequence[tuple[int, str]]) -> list[tuple[int, str]]:
    merged: list[tuple[int, str]] = []
    for line_no, words in prose:
        if merged and line_no == merged[-1][0] + merged[-1][1].count("\n") + 1:
            merged[-1] = (merged[-1][0], merged[-1][1] + "\n" + words)
        else:
            merged.append((line_no, words))
    return [(line_no, " ".join(words.split())) for line_no, words in merged]


# --- lists: work items and dependency entries -------------------------------------------------

# "**" and "#" are not reStructuredText bullets, but specs use them as such (nested, Markdown).
_BULLET = re.compile(r"^(\s*)(\*\*|[*+#-]|#\.|\d+[.)]|\(\d+\))(?:\s+(.*))?$")


@dataclass
class _Item:
    line: int
    marker_indent: int
    first: list[str] = field(default_factory=list)
    detail: list[str] = field(default_factory=list)
    children: list[_Item] = field(default_factory=list)
    closed: bool = False

    def all_text(self) -> str:
        parts = [*self.first, *self.detail]
        parts += [child.all_text() for child in self.children]
        return "\n".join(parts)


@dataclass
class _Para:
    line: int
    lines: list[str] = field(default_factory=list)


@dataclass
class _SubHeading:
    line: int
    title: str


_Block = _Item | _Para | _SubHeading


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _blocks(lines: Sequence[str], first_line: int) -> list[_Block]:
    """The list items, prose paragraphs and sub-headings of a section body, in order; literal
    blocks (after ``::``), directives, comments and targets are skipped."""
    out: list[_Block] = []
    stack: list[_Item] = []
    para: _Para | None = None
    skip_above: int | None = None  # skipping lines indented more than this (or blank)
    index = 0
    while index < len(lines):
        line, line_no = lines[index], first_line + index
        index += 1
        if skip_above is not None:
            if not line.strip() or _indent(line) > skip_above:
                continue
            skip_above = None
        if not line.strip():
            para = None
            if stack and stack[-1].first:
                stack[-1].closed = True
            continue
        indent, stripped = _indent(line), line.strip()
        following = lines[index] if index < len(lines) else ""
        if (
            indent == 0
            and not _is_adornment(stripped)
            and _is_adornment(following)
            and len(following) >= min(len(stripped), 4)
        ):
            out.append(_SubHeading(line_no, stripped))
            stack.clear()
            para = None
            index += 1
            continue
        if _is_adornment(stripped) and not stack and para is None:
            continue  # an overline or a transition
        bullet = _BULLET.match(line)
        if bullet and not stripped.startswith(".. "):
            marker_indent = len(bullet.group(1)) + (1 if bullet.group(2) == "**" else 0)
            while stack and stack[-1].marker_indent >= marker_indent:
                stack.pop()
            item = _Item(line_no, marker_indent, [bullet.group(3)] if bullet.group(3) else [])
            (stack[-1].children if stack else out).append(item)
            stack.append(item)
            para = None
            if stripped.endswith("::"):
                skip_above, item.closed = bullet.start(3) if bullet.group(3) else indent, True
            continue
        while stack and stack[-1].marker_indent >= indent:
            stack.pop()
        if stripped == ".." or stripped.startswith(".. "):
            para = None
            if not (stripped == ".." and not following.strip()):
                skip_above = indent  # a directive's or comment's indented body
            continue
        if stack:
            item = stack[-1]
            (item.detail if item.closed else item.first).append(stripped)
        else:
            if para is None:
                para = _Para(line_no)
                out.append(para)
            para.lines.append(stripped)
        if stripped.endswith("::"):
            skip_above = indent
            para = None
            if stack:
                stack[-1].closed = True
    return out


def _plain(text: str) -> str:
    """Inline reStructuredText to plain words (for titles): markup and footnote marks go."""
    text = re.sub(r"``(.+?)``", r"\1", text)
    text = re.sub(r"`([^`<]+?)\s*<[^>`]+>`__?", r"\1", text)
    text = re.sub(r":[\w-]+:`([^`]+)`", r"\1", text)
    text = re.sub(r"`([^`]+)`__?", r"\1", text)
    text = re.sub(r"`([^`]+)`", r"\1", text)
    text = re.sub(r"\*\*(.+?)\*\*", r"\1", text)
    text = re.sub(r"(?<![\w*])\*(\S(?:.*?\S)?)\*(?![\w*])", r"\1", text)
    text = re.sub(r"\s*\[(?:\d+|#\w*|\*)\]_?", "", text)
    text = re.sub(r"(?<![\w`/.-])([A-Za-z0-9][\w.+-]*?)_(?![\w])", r"\1", text)
    text = re.sub(r"\s*\(\s*\)", "", text)  # "([1]_)" once the footnote mark is gone
    return " ".join(text.split())


# "As outlined in the proposed changes.", "Documented above in the Proposed changes"
_POINTER = re.compile(
    r"(?i)^(?:as outlined\b|documented above\b|see above\b|the proposed changes? discussed)"
)
_LINK_ONLY = re.compile(r"(?i)^(?:[\w -]{1,20}:\s*)?https?://\S+(?:\s*,\s*https?://\S+)*,?$")


def _item_title(item: _Item) -> tuple[str, list[str]]:
    words = [line for line in item.first if not _LINK_ONLY.match(line)]
    title = " ".join(words)
    title = re.sub(r"\s+-+\s+https?://[^\s()]+$", "", title)  # "… - https://review…"
    return _plain(title), _urls(item.all_text())


def _section_lines(
    lines: Sequence[str], headings: Sequence[_Heading], titles: frozenset[str]
) -> list[tuple[_Heading, int, int]]:
    return [
        (heading, *_span(headings, position, len(lines)))
        for position, heading in enumerate(headings)
        if _norm_title(heading.title) in titles
    ]


def _is_group_label(paragraph: _Para) -> bool:
    """A short line ending with a colon ("tripleo-incubator:", "Second phase:") groups the
    items under it; "Items:" or "Work items:" only repeats the section's title."""
    line = paragraph.lines[0]
    return (
        len(paragraph.lines) == 1
        and line.endswith(":")
        and len(line.split()) <= 3
        and _norm_title(line) not in {"items", "work items", "tasks"}
    )


def _work_items(
    lines: Sequence[str], headings: Sequence[_Heading], targets: _Targets, report: _Report
) -> tuple[WorkItem, ...]:
    """The "Work items" rule."""
    found = _section_lines(lines, headings, frozenset({"work items"}))
    if not found:
        report(0, "no Work Items section")
        return ()
    items: list[WorkItem] = []
    for heading, start, end in found:
        blocks = _blocks(lines[start:end], start + 1)
        section_items: list[WorkItem] = []
        heading_group, label_group = "", ""
        for block in blocks:
            if isinstance(block, _SubHeading):
                heading_group, label_group = _plain(block.title), ""
            elif isinstance(block, _Para) and _is_group_label(block):
                # a label groups like a sub-heading does ("First phase" ^^^, "Second phase:")
                heading_group, label_group = "", block.lines[0][:-1]
            elif isinstance(block, _Para):
                label_group = ""
            else:
                prefix = [p for p in (heading_group, _plain(label_group)) if p]
                section_items.extend(_flatten(block, prefix, targets))
        listed = any(isinstance(b, _Item) for b in blocks)
        if not listed:
            section_items = _paragraph_items(blocks)
        pointers = [item for item in section_items if _POINTER.search(item.title)]
        for item in pointers:
            report(item.line, f"Work Items points elsewhere instead of listing: {item.title!r}")
        section_items = [item for item in section_items if item not in pointers]
        if not section_items and not pointers:
            report(heading.index + 1, "Work Items lists nothing")
        elif not listed:
            report(
                heading.index + 1,
                f"Work Items has no list: {len(section_items)} paragraph line(s) read as "
                f"work items",
            )
        items.extend(section_items)
    return tuple(items)


def _flatten(item: _Item, prefix: Sequence[str], targets: _Targets) -> list[WorkItem]:
    title, links = _item_title(item)
    links += targets.urls_referenced("\n".join(item.first))
    path = [*prefix, title] if title else list(prefix)
    if not item.children:
        return [WorkItem(": ".join(path), item.line, tuple(dict.fromkeys(links)))] if title else []
    flat: list[WorkItem] = []
    if title and not title.endswith(":"):
        flat.append(WorkItem(": ".join(path), item.line, tuple(dict.fromkeys(links))))
    parent = [p.rstrip(" .:") for p in path]
    for child in item.children:
        flat.extend(_flatten(child, parent, targets))
    return flat


def _paragraph_items(blocks: Sequence[_Block]) -> list[WorkItem]:
    items: list[WorkItem] = []
    for block in blocks:
        if not isinstance(block, _Para):
            continue
        joined = " ".join(block.lines)
        if _TEMPLATE_PROSE.match(joined) or _PLACEHOLDER.match(joined.strip()):
            continue
        if len(block.lines) > 1 and all(line[0].isupper() for line in block.lines):
            items += [WorkItem(_plain(ln), block.line + i) for i, ln in enumerate(block.lines)]
        else:
            items.append(WorkItem(_plain(joined), block.line, tuple(_urls(joined))))
    return items


# --- dependencies -----------------------------------------------------------------------------

_NO_DEPENDENCIES = re.compile(
    r"(?i)^(?:(?:none|n/?a)\b.*|nothing(?: that i'?m aware of)?\.?|"
    r"no (?:additional |new )?dependencies(?: are required)?\.?|to be added\.?)$",
    re.S,
)
_REVERSE = re.compile(r"(?i)\bdepends on this (?:spec|blueprint)\b")


def _dependencies(
    lines: Sequence[str],
    headings: Sequence[_Heading],
    targets: _Targets,
    report: _Report,
) -> tuple[tuple[SpecDependency, ...], str]:
    """The "Dependencies" rule: one entry per bullet or paragraph, linked where it links."""
    found = _section_lines(lines, headings, frozenset({"dependencies"}))
    if not found:
        report(0, "no Dependencies section")
        return (), ""
    dependencies: list[SpecDependency] = []
    texts: list[str] = []
    for _heading, start, end in found:
        body = _text(lines, start, end)
        texts.append(body)
        if not body.strip() or _NO_DEPENDENCIES.match(" ".join(body.split())):
            continue
        for block in _blocks(lines[start:end], start + 1):
            if isinstance(block, _SubHeading) or (
                isinstance(block, _Para) and _is_group_label(block)
            ):
                continue  # "Blueprint dependencies:" introduces entries, it is not one
            raw = block.all_text() if isinstance(block, _Item) else "\n".join(block.lines)
            dependencies.extend(_dependency_entries(raw, block.line, targets, report))
    return tuple(dependencies), "\n\n".join(texts)


def _dependency_entries(
    raw: str, line: int, targets: _Targets, report: _Report
) -> list[SpecDependency]:
    text = _plain(" ".join(raw.split()))
    reverse = bool(_REVERSE.search(raw))
    entries: list[SpecDependency] = []
    for url in dict.fromkeys([*_urls(raw), *targets.urls_referenced(raw)]):
        link, _notes = _blueprint_of(url)
        if link is not None:
            entries.append(
                SpecDependency(
                    "blueprint", text, line, link.project, link.name, url=url, reverse=reverse
                )
            )
            continue
        spec = _spec_of(url)
        if spec:
            entries.append(SpecDependency("spec", text, line, spec=spec, url=url, reverse=reverse))
    if reverse and entries:
        report(
            line,
            "a dependency entry says the linked work depends on this spec (kept, marked reverse)",
        )
    return entries or [SpecDependency("text", text, line)]


def _spec_of(url: str) -> str:
    """``<series>/<file name>`` of a spec a URL points at (published page or file under review)."""
    match = _SPEC_URL.match(url)
    if match:
        return f"{match.group(2)}/{match.group(3)}"
    match = _SPEC_PATH_URL.search(url)
    return f"{match.group(1)}/{match.group(2)}" if match else ""


def resolve_spec_dependencies(specs: Sequence[ParsedSpec]) -> list[ParsedSpec]:
    """Link dependencies to the specs of the tree they point at.

    A ``spec`` dependency whose ``<series>/<file>`` is in the tree takes that spec's blueprint
    (``project``/``name``); a ``text`` dependency naming another spec's title or file name
    (one with a ``-`` or ``_`` in it, so plain words do not match) becomes a ``spec`` one.
    """
    by_key = {f"{spec.series}/{spec.slug}": spec for spec in specs}
    resolved: list[ParsedSpec] = []
    for spec in specs:
        changed: list[SpecDependency] = []
        for dependency in spec.dependencies:
            if dependency.kind == "spec" and dependency.spec in by_key:
                target = by_key[dependency.spec]
                changed.append(
                    replace(dependency, project=target.project, name=target.blueprint_name)
                )
            elif dependency.kind == "text" and (
                named := [t for t in specs if t is not spec and _names_spec(dependency.text, t)]
            ):
                changed.extend(
                    replace(
                        dependency,
                        kind="spec",
                        spec=f"{t.series}/{t.slug}",
                        project=t.project,
                        name=t.blueprint_name,
                    )
                    for t in named
                )
            else:
                changed.append(dependency)
        resolved.append(replace(spec, dependencies=tuple(changed)))
    return resolved


def _names_spec(text: str, spec: ParsedSpec) -> bool:
    lowered = f" {text.lower()} "
    if spec.title and len(spec.title.split()) >= 2:
        title = re.escape(spec.title.lower())
        if re.search(rf"(?<![\w-]){title}(?![\w-])", lowered):
            return True
    slug = spec.slug.lower()
    if not re.search(r"[-_]", slug):
        return False
    variants = {slug, slug.replace("_", "-"), slug.replace("-", "_")}
    return any(re.search(rf"(?<![\w-]){re.escape(v)}(?![\w-])", lowered) for v in variants)


# --- Gerrit -----------------------------------------------------------------------------------


def _gerrit(lines: Sequence[str], targets: _Targets) -> tuple[GerritRef, ...]:
    """Change-Ids and review URLs, in order of appearance."""
    refs: list[GerritRef] = []
    for index, line in enumerate(lines):
        found: list[tuple[int, GerritRef]] = []
        for match in _CHANGE_ID.finditer(line):
            url = next(iter(_urls(targets.links.get(match.group().lower(), ""))), "")
            found.append(
                (match.start(), GerritRef(index + 1, match.group(), url, _review_number(url)))
            )
        for match in _URL.finditer(line):
            url = match.group().rstrip(".,;:!?*_")
            if _REVIEW_HOST.match(url) and not _CHANGE_ID.search(line[: match.start()]):
                found.append((match.start(), GerritRef(index + 1, "", url, _review_number(url))))
        refs.extend(ref for _pos, ref in sorted(found, key=lambda pair: pair[0]))
    return tuple(refs)


def _review_number(url: str) -> int | None:
    if not url:
        return None
    for pattern in _REVIEW_NUMBER:
        match = pattern.search(url)
        if match:
            return int(match.group(1))
    return None


# --- rendering --------------------------------------------------------------------------------

_ALLOWED_TAGS = frozenset(
    "a abbr aside blockquote br caption cite code col colgroup dd div dl dt em figcaption "
    "figure footer h1 h2 h3 h4 h5 h6 hr img kbd li ol p pre section small span strong sub "
    "sup table tbody td tfoot th thead tr tt ul var".split()
)
_VOID_TAGS = frozenset({"br", "col", "hr", "img"})
_DROPPED_WITH_CONTENT = frozenset(
    {
        "script",
        "style",
        "iframe",
        "object",
        "embed",
        "template",
        "noscript",
        "textarea",
        "svg",
        "math",
        "title",
        "head",
    }
)
_ALLOWED_ATTRIBUTES = frozenset(
    {
        "class",
        "id",
        "href",
        "src",
        "alt",
        "title",
        "colspan",
        "rowspan",
        "start",
        "width",
        "height",
        "role",
        "aria-label",
    }
)
_SAFE_SCHEMES = frozenset({"http", "https", "mailto"})
_RST_SETTINGS = {
    "raw_enabled": False,
    "file_insertion_enabled": False,
    "report_level": 5,  # no system messages in the output
    "halt_level": 5,  # never stop on an error
    "exit_status_level": 5,
    "_disable_config": True,  # no docutils.conf from the machine or the checkout
    "doctitle_xform": False,
    "sectsubtitle_xform": False,
    "initial_header_level": 3,
    "syntax_highlight": "none",
    "math_output": "HTML",
    "embed_stylesheet": False,
    "smart_quotes": False,
    "pep_references": False,
    "rfc_references": False,
    "id_prefix": "spec-",
    "input_encoding": "utf-8",
}


def render_rst(body: str, *, id_prefix: str = "spec-") -> str:
    """A section body's reStructuredText as an HTML fragment that is safe to show.

    docutils runs with raw HTML (``raw`` directive and role), file insertion (``include``,
    ``csv-table :file:``) and configuration files disabled, never halting and reporting nothing;
    its output then passes an allow-list of tags and attributes, where links and images keep
    only http(s), mailto and relative URLs (no ``javascript:`` or ``data:``). Element ids
    start with ``id_prefix`` (several bodies on one page need distinct ones).
    """
    from docutils.core import publish_parts
    from docutils.writers.html5_polyglot import Writer

    settings = dict(_RST_SETTINGS, warning_stream=io.StringIO(), id_prefix=id_prefix)
    try:
        html = publish_parts(source=body, writer=Writer(), settings_overrides=settings)["body"]
    except Exception:  # docutils has crashed on odd input before; a page must still show
        return f"<pre>{escape(body, quote=False)}</pre>"
    return sanitise_html(html)


_DEFINITION = re.compile(
    r"^\.\.\s+(?:_(?:`([^`]+)`|([^:`\s][^:]*?))\s*:|\[([^\]\s]{1,40})\])(?:\s|$)"
)
_NOTE_REFERENCE = re.compile(r"\[([^\]\s]{1,40})\]_")
_NAME_REFERENCE = re.compile(r"`([^`<]+?)`_(?!_)|(?<![\w`/.-])([A-Za-z0-9][\w.+-]*?)_(?![\w_])")


def render_spec_sections(bodies: Sequence[str]) -> list[str]:
    """Each section body rendered (``render_rst``) on its own, with the definitions it refers
    to from the spec's other sections: specs reference links and footnotes defined once,
    often under "References" (``workflow_`` → ``.. _workflow: https://…``), which a section
    rendered alone would show as plain text."""
    definitions = [_definitions(body) for body in bodies]
    first: dict[str, str] = {}
    for found in definitions:
        for key, block in found:
            first.setdefault(key, block)
    rendered = []
    for index, (body, found) in enumerate(zip(bodies, definitions, strict=True)):
        own = {key for key, _block in found}
        wanted = [f"note:{_ref_name(m.group(1))}" for m in _NOTE_REFERENCE.finditer(body)]
        wanted += [
            f"link:{_ref_name(m.group(1) or m.group(2))}" for m in _NAME_REFERENCE.finditer(body)
        ]
        extra = [first[key] for key in dict.fromkeys(wanted) if key in first and key not in own]
        source = "\n\n".join([body.rstrip(), *extra]) if extra else body
        rendered.append(render_rst(source, id_prefix=f"spec-{index + 1}-"))
    return rendered


def _definitions(body: str) -> list[tuple[str, str]]:
    """The hyperlink targets and footnotes/citations defined at the top level of ``body``:
    ``("link:<name>" | "note:<label>", block)`` (auto-numbered ``[#]``/``[*]`` left out)."""
    lines = body.splitlines()
    found: list[tuple[str, str]] = []
    index = 0
    while index < len(lines):
        match = _DEFINITION.match(lines[index])
        if not match:
            index += 1
            continue
        end = index + 1
        while end < len(lines):
            line = lines[end]
            indented_next = end + 1 < len(lines) and lines[end + 1][:1] in (" ", "\t")
            if line[:1] in (" ", "\t") or (not line.strip() and indented_next):
                end += 1
            else:
                break
        link, plain, label = match.groups()
        if label is None:
            key = f"link:{_ref_name(link or plain)}"
        elif label not in ("#", "*"):
            key = f"note:{_ref_name(label)}"
        else:
            key = ""
        if key:
            found.append((key, "\n".join(lines[index:end]).rstrip()))
        index = end
    return found


def sanitise_html(html: str) -> str:
    """Keep only allow-listed tags and attributes, and safe URLs, of an HTML fragment."""
    cleaner = _Sanitiser()
    cleaner.feed(html)
    cleaner.close()
    return "".join(cleaner.out)


def _safe_url(value: str) -> bool:
    # Browsers ignore whitespace and control characters inside a scheme ("java\tscript:").
    compact = "".join(ch for ch in value if ch > " " and ch != "\x7f")
    match = re.match(r"^([A-Za-z][A-Za-z0-9+.-]*):", compact)
    return match is None or match.group(1).lower() in _SAFE_SCHEMES


class _Sanitiser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.dropping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _DROPPED_WITH_CONTENT:
            self.dropping += 1
            return
        if self.dropping or tag not in _ALLOWED_TAGS:
            return
        kept = [
            f' {name}="{escape(value, quote=True)}"'
            for name, value in attrs
            if name in _ALLOWED_ATTRIBUTES
            and value is not None
            and (name not in {"href", "src"} or _safe_url(value))
        ]
        self.out.append(f"<{tag}{''.join(kept)}>")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _DROPPED_WITH_CONTENT:
            return
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in _DROPPED_WITH_CONTENT:
            self.dropping = max(self.dropping - 1, 0)
            return
        if not self.dropping and tag in _ALLOWED_TAGS and tag not in _VOID_TAGS:
            self.out.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        if not self.dropping:
            self.out.append(escape(data, quote=False))
