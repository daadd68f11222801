"""Reading a source file of a checkout: its bytes or text, or an error naming the file.

Every file goes through ``core.files.read_regular``: a regular file, resolving inside the tree
(file and directory links included), of at most ``MAX_SOURCE_BYTES`` (the largest file of
openstack/releases is 140 KB).
"""

from __future__ import annotations

from pathlib import Path

from core.files import FileRefused, Resolver, read_regular
from releases.schedule.parsed import ScheduleError

MAX_SOURCE_BYTES = 4 * 1024 * 1024


def read_source(
    path: Path,
    *,
    source: str | None = None,
    root: Path | None = None,
    max_bytes: int = MAX_SOURCE_BYTES,
    resolver: Resolver | None = None,
) -> bytes:
    """The bytes of ``path`` (``read_regular``); a refused file raises ScheduleError naming
    ``source``."""
    try:
        return read_regular(path, max_bytes=max_bytes, root=root, resolver=resolver)
    except FileRefused as exc:
        raise ScheduleError(source or str(path), None, str(exc)) from exc


def read_text(path: Path, *, source: str | None = None, root: Path | None = None) -> str:
    """A source file's text (``read_source``); non-UTF-8 files raise ScheduleError with the
    line."""
    source = source or str(path)
    return decode_utf8(read_source(path, source=source, root=root), source=source)


def decode_utf8(data: bytes, *, source: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ScheduleError(source, line, f"not UTF-8 (byte 0x{data[exc.start]:02x})") from exc
