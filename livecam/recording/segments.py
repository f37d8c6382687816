"""One segment file being written: the live fMP4 fragments of a camera, appended as they come.

The file is ``path.part`` (locked: `livecam.recording.lock`) until it is finished, then
renamed to ``path``. Each fragment is written with one unbuffered ``os.write``, so a kill -9
loses nothing that was handed to the kernel, and a torn last fragment is cut off on recovery
(`livecam.recording.salvage`). A failed write (a full disk) truncates the file back to its
last whole fragment, so what is on disk stays a valid MP4.
"""

from __future__ import annotations

import os
from pathlib import Path

from livecam.recording import lock


class SegmentFile:
    """Append init + fragments to ``path.part``; ``finish`` renames it to ``path``."""

    def __init__(self, path: Path, init: bytes) -> None:
        self.path = path
        self.part = path.with_name(path.name + ".part")
        self.bytes = 0
        self.frames = 0
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o750)
        self._lock = lock.hold(self.part)  # created here, locked: "being written"
        try:
            self._fd = os.open(self.part, os.O_WRONLY | os.O_APPEND | os.O_CLOEXEC)
        except BaseException:
            self._lock.close()
            self.part.unlink(missing_ok=True)
            raise
        try:
            self._write(init)
        except BaseException:
            self.discard()
            raise

    def _write(self, data: bytes) -> None:
        view = memoryview(data)
        try:
            while view:
                view = view[os.write(self._fd, view) :]
        except OSError:
            os.ftruncate(self._fd, self.bytes)  # back to the last whole fragment
            raise
        self.bytes += len(data)

    def append(self, fragment: bytes) -> None:
        """Write one picture's fragment (raises OSError, e.g. ENOSPC, with the file intact)."""
        self._write(fragment)
        self.frames += 1

    def finish(self) -> int:
        """Close and rename to ``path``; return the size. The lock stays until ``release``."""
        os.close(self._fd)
        self._fd = -1
        os.replace(self.part, self.path)
        return self.bytes

    def discard(self) -> None:
        """Close and delete the file (nothing worth keeping)."""
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1
        self.part.unlink(missing_ok=True)
        self._lock.close()

    def release(self) -> None:
        """Let go of the lock (after the segment's row says it is finished)."""
        self._lock.close()
