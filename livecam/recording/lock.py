"""Which recording files are being written: an exclusive lock held by the writing process.

The writer holds ``flock`` on its file from creation until its row is final. The kernel drops
the lock when the process dies however it dies (kill -9 included), so "locked" means "a
living process is writing this", on any process of the machine, and a file whose lock can
be taken has no writer left. Another process never fails, recovers or deletes a locked file.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path


class FileLock:
    """An exclusive lock on one file, held until ``close``."""

    def __init__(self, fd: int) -> None:
        self._fd: int | None = fd

    def close(self) -> None:
        """Release the lock (idempotent)."""
        fd, self._fd = self._fd, None
        if fd is not None:
            os.close(fd)  # closing the descriptor releases its flock


def hold(path: Path) -> FileLock:
    """Create (or open) path and lock it exclusively; raise BlockingIOError if it is held."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o640)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BaseException:
        os.close(fd)
        raise
    return FileLock(fd)


def being_written(path: Path) -> bool:
    """Return True when a living process holds the lock of path (False: no file, no writer)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)  # also drops the shared lock just taken
    return False
