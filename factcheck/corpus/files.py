"""Reading an input file's bytes safely: regular files only, never more than the size limit."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from factcheck.errors import InputFileError

# Non-blocking so opening a FIFO does not wait for a writer; no controlling terminal from a tty.
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
_READ_CHUNK = 1024 * 1024


def irregular_reason(path: Path) -> str | None:
    """Why discover leaves out a FIFO, socket or device (also behind a symlink), else None.

    An early, friendly report only: read_document checks the opened file again. A path stat
    cannot follow (a dangling link) is left to read_document, which names the OS error.
    """
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return None
    return None if stat.S_ISREG(mode) or stat.S_ISDIR(mode) else _not_regular(mode)


def _not_regular(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        kind = " (a FIFO)"
    elif stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        kind = " (a device)"
    elif stat.S_ISSOCK(mode):
        kind = " (a socket)"
    else:
        kind = ""
    return f"not a regular file{kind}"


def read_regular_file(path: Path, max_bytes: int) -> bytes:
    """The file's bytes, reading only regular files and never more than max_bytes + 1 of them.

    The type is checked on the opened descriptor, not the path, so a file swapped for a FIFO or
    device in between cannot slip through; the limit is enforced while reading because stat's size
    can be stale (a growing file) or wrong (/proc files say 0).
    """
    fd = _open(path)
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise InputFileError(str(path), f"cannot read: {os.strerror(errno.EISDIR)}")
        if not stat.S_ISREG(info.st_mode):
            raise InputFileError(str(path), _not_regular(info.st_mode))
        if info.st_size > max_bytes:
            raise _too_large(path, info.st_size, max_bytes)
        data = _read_at_most(path, fd, max_bytes + 1)
        if len(data) > max_bytes:  # it grew, or lied: report its size now if stat knows it
            raise _too_large(path, max(os.fstat(fd).st_size, len(data)), max_bytes)
    finally:
        os.close(fd)
    return data


def _open(path: Path) -> int:
    try:
        return os.open(path, _OPEN_FLAGS)
    except OSError as exc:
        # Opening a socket fails (ENXIO) before fstat could tell us what it is.
        reason = irregular_reason(path) or f"cannot read: {exc.strerror or exc}"
        raise InputFileError(str(path), reason) from exc


def _read_at_most(path: Path, fd: int, limit: int) -> bytes:
    chunks: list[bytes] = []
    total = 0
    try:
        while total < limit:
            chunk = os.read(fd, min(limit - total, _READ_CHUNK))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
    except OSError as exc:
        raise InputFileError(str(path), f"cannot read: {exc.strerror or exc}") from exc
    return b"".join(chunks)


def _too_large(path: Path, size: int, max_bytes: int) -> InputFileError:
    return InputFileError(
        str(path),
        f"too large: {_human_size(size)}, over the limit of {_human_size(max_bytes)} "
        "(raise it with FACTCHECK_MAX_FILE_MB)",
    )


def _human_size(n_bytes: int) -> str:
    if n_bytes < 1024:
        return f"{n_bytes} bytes"
    if n_bytes < 1024 * 1024:
        return f"{n_bytes / 1024:.1f} KB"
    return f"{n_bytes / 1024 / 1024:.1f} MB"
