"""Read the segment being written up to its last whole fragment, without disturbing its writer.

The writer appends whole ``moof``+``mdat`` fragments to ``NAME.mp4.part``; a reader that
stops at the last complete one (`livecam.recording.salvage.complete_length`) sees a valid
fragmented MP4, however far the writer got since. Only reads: no lock is taken.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

from livecam.recording.salvage import complete_length


class Bounded(io.RawIOBase):
    """A read-only file of the first ``length`` bytes of ``path`` (for PyAV)."""

    def __init__(self, path: Path, length: int) -> None:
        super().__init__()
        self._file = path.open("rb", buffering=0)
        self.length = length
        self._at = 0

    def readable(self) -> bool:
        """Return True: this file is read."""
        return True

    def seekable(self) -> bool:
        """Return True: PyAV seeks to read the MP4's boxes."""
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        """Read into ``buffer`` without passing ``length``."""
        want = min(len(buffer), self.length - self._at)
        if want <= 0:
            return 0
        self._file.seek(self._at)
        got = self._file.readinto(memoryview(buffer)[:want]) or 0
        self._at += got
        return got

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        """Move within the first ``length`` bytes."""
        base = {os.SEEK_SET: 0, os.SEEK_CUR: self._at, os.SEEK_END: self.length}[whence]
        self._at = max(0, base + offset)
        return self._at

    def tell(self) -> int:
        """Return the position."""
        return self._at

    def close(self) -> None:
        """Close the underlying file."""
        self._file.close()
        super().close()


def open_growing(path: Path) -> Bounded | None:
    """Return the written part of a segment (``path`` or its ``.part``); None if none yet."""
    for candidate in (path.with_name(path.name + ".part"), path):
        try:
            length = complete_length(candidate)
            if length:
                return Bounded(candidate, length)
        except OSError:  # renamed or deleted meanwhile: try the other name
            continue
    return None
