"""Reading a file named by input (a checkout, a command-line argument) without trusting it.

A tree handed to an importer may hold a symbolic link to a file or a directory elsewhere on the
machine (``/etc``, another user's files), a FIFO that would block the reader for ever, or a file
of gigabytes. ``read_regular`` reads only a regular file, resolving inside ``root`` when one is
given (links within it are fine), of at most ``max_bytes``, and never shows what a refused file
holds.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path


class FileRefused(ValueError):
    """The file is not read; the message says why (never what it holds)."""


class Resolver:
    """Real paths for one read of a tree: each directory is resolved once, then a file in it
    costs one ``lstat`` (an import reads thousands of files in a few dozen directories). A
    file that is itself a link is resolved in full, as ``os.path.realpath`` does. Make one per
    read: it remembers directories, so a tree changed meanwhile needs a new one."""

    def __init__(self) -> None:
        self._dirs: dict[str, str] = {}

    def real_dir(self, directory: str) -> str:
        real = self._dirs.get(directory)
        if real is None:
            real = self._dirs[directory] = os.path.realpath(directory, strict=True)
        return real

    def real_file(self, path: str) -> str:
        directory, name = os.path.split(path)
        candidate = os.path.join(self.real_dir(directory or "."), name)
        if stat.S_ISLNK(os.lstat(candidate).st_mode):
            return os.path.realpath(candidate, strict=True)
        return candidate


def read_regular(
    path: Path, *, max_bytes: int, root: Path | None = None, resolver: Resolver | None = None
) -> bytes:
    """The bytes of ``path`` if it is a regular file of at most ``max_bytes`` (inside ``root``
    when given, after every link is followed); ``FileRefused`` otherwise. ``resolver`` keeps
    the directories of a tree resolved between the reads of one import."""
    # Plain strings (os.path.realpath) rather than pathlib: an import reads thousands of files.
    try:
        if resolver is None:
            resolved = os.path.realpath(path, strict=True)
        else:
            resolved = resolver.real_file(os.fspath(path))
    except FileNotFoundError:
        raise FileRefused("cannot read: no such file") from None
    except (OSError, RuntimeError) as exc:  # RuntimeError: a symlink loop
        raise FileRefused(f"cannot read: {getattr(exc, 'strerror', None) or exc}") from exc
    real_root = None
    if root is not None:
        real_root = (
            os.path.realpath(root) if resolver is None else resolver.real_dir(os.fspath(root))
        )
    if real_root is not None and not _inside(resolved, real_root):
        raise FileRefused(
            "resolves outside the tree (a symbolic link to it or to a directory above it): not read"
        )
    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer; fstat then refuses it.
        fd = os.open(resolved, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0))
    except OSError as exc:
        raise FileRefused(f"cannot read: {exc.strerror}") from exc
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise FileRefused("is not a regular file: not read")
        if info.st_size > max_bytes:
            raise FileRefused(f"is {info.st_size:,} bytes, more than the {max_bytes:,} allowed")
        data = handle.read(max_bytes + 1)
    if len(data) > max_bytes:  # grew while being read
        raise FileRefused(f"is more than the {max_bytes:,} bytes allowed")
    return data


def _inside(resolved: str, real_root: str) -> bool:
    """``resolved`` is ``real_root`` or below it (both already free of links)."""
    return resolved == real_root or resolved.startswith(real_root.rstrip(os.sep) + os.sep)
