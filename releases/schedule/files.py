"""Reading a schedule source file: its text, or an error naming the file and line."""

from __future__ import annotations

from pathlib import Path

from releases.schedule.parsed import ScheduleError


def read_text(path: Path, *, source: str | None = None) -> str:
    """A source file's text; unreadable or non-UTF-8 files raise ScheduleError with the line."""
    source = source or str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ScheduleError(source, None, f"cannot read: {exc.strerror}") from exc
    return decode_utf8(data, source=source)


def decode_utf8(data: bytes, *, source: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ScheduleError(source, line, f"not UTF-8 (byte 0x{data[exc.start]:02x})") from exc
