"""``schedule.rst``: each ``.. _label:`` followed by a section title gives an event id its title
and prose."""

from __future__ import annotations

import re
from dataclasses import dataclass

_LABEL_RE = re.compile(r"^\.\.\s+_([A-Za-z0-9][A-Za-z0-9_.:-]*):\s*$")
_ADORNMENT_RE = re.compile(r"^([=\-^~\"'`#*+_.:])\1{2,}\s*$")


@dataclass(frozen=True)
class Section:
    title: str
    prose: str
    line: int  # 1-based line of the label


def rst_sections(rst: str) -> dict[str, Section]:
    """Label -> (title, prose) of every ``.. _label:`` followed by a section title."""
    lines = rst.splitlines()
    n = len(lines)

    def is_title(i: int) -> bool:
        return (
            i + 1 < n
            and bool(lines[i].strip())
            and not _ADORNMENT_RE.match(lines[i])
            and bool(_ADORNMENT_RE.match(lines[i + 1]))
        )

    def stops(i: int) -> bool:
        if _LABEL_RE.match(lines[i]):
            return True
        if _ADORNMENT_RE.match(lines[i]) and i + 2 < n and _ADORNMENT_RE.match(lines[i + 2]):
            return True
        return is_title(i)

    sections: dict[str, Section] = {}
    i = 0
    while i < n:
        match = _LABEL_RE.match(lines[i])
        if not match:
            i += 1
            continue
        label, label_line = match.group(1), i + 1
        j = i + 1
        while j < n and not lines[j].strip():
            j += 1
        if j >= n or not is_title(j):
            i = j
            continue
        title = lines[j].strip()
        k = j + 2
        body: list[str] = []
        while k < n and not stops(k):
            body.append(lines[k])
            k += 1
        sections[label] = Section(title, _clean_prose(body), label_line)
        i = k
    return sections


def _clean_prose(lines: list[str]) -> str:
    """Paragraphs joined by blank lines, each on one line; rst targets/comments dropped."""
    paragraphs: list[str] = []
    current: list[str] = []
    skipping = False
    for raw in lines:
        stripped = raw.strip()
        if not stripped:
            skipping = False
            if current:
                paragraphs.append(" ".join(current))
                current = []
            continue
        if stripped.startswith(".. ") or (skipping and raw[:1].isspace()):
            skipping = True
            continue
        skipping = False
        current.append(stripped)
    if current:
        paragraphs.append(" ".join(current))
    return "\n\n".join(paragraphs)
