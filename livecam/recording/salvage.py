"""Keep what a broken recording wrote: cut a fragmented MP4 at its last whole fragment.

A writer stopped by a crash, kill -9 or a full disk leaves ``ftyp``, ``moov`` and a run of
``moof``+``mdat`` fragments, the last one possibly torn. Cutting the file after the last
complete ``mdat`` makes it a valid, playable MP4 without copying a byte (so it works on a
full disk too); PyAV then counts what it holds.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import struct
from pathlib import Path

import av

logger = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class Salvaged:
    """What a salvaged file holds."""

    size: int
    frames: int
    duration: float


def complete_length(path: Path) -> int:
    """Return the length of the file's whole top-level boxes up to its last whole fragment.

    0 when there is no ``moov`` or no complete ``moof``+``mdat`` pair after it.
    """
    total = path.stat().st_size
    good = offset = 0
    seen_moov = pending_moof = False
    with path.open("rb") as file:
        while offset + 8 <= total:
            file.seek(offset)
            size, kind = struct.unpack(">I4s", file.read(8))
            if size == 1:  # a 64-bit size follows
                if offset + 16 > total:
                    break
                (size,) = struct.unpack(">Q", file.read(8))
            if size < 8 or offset + size > total:
                break  # torn: this box was never finished
            offset += size
            if kind == b"moov":
                seen_moov = True
            elif kind == b"moof":
                pending_moof = True
            elif kind == b"mdat" and seen_moov and pending_moof:
                pending_moof = False
                good = offset
    return good


def probe(path: Path) -> tuple[int, float]:
    """Return (frames, duration in seconds) of an MP4, reading packets only (no decode)."""
    frames, first, last = 0, None, 0.0
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        for packet in container.demux(stream):
            if packet.pts is None or packet.time_base is None:
                continue
            at = float(packet.pts * packet.time_base)
            first = at if first is None else min(first, at)
            last = max(last, at)
            frames += 1
    if frames == 0 or first is None:
        return 0, 0.0
    span = last - first
    return frames, span + (span / (frames - 1) if frames > 1 else 0.0)


def salvage(part: Path, final: Path) -> Salvaged | None:
    """Cut `part` at its last whole fragment and rename it to `final`; None if nothing is left.

    Call it only for a file nobody writes any more (see `livecam.recording.lock`).
    """
    if not part.exists():
        if final.exists():  # the writer renamed it and died before its row said so
            frames, duration = probe(final)
            return Salvaged(final.stat().st_size, frames, duration)
        return None
    length = complete_length(part)
    if length == 0:
        part.unlink(missing_ok=True)
        return None
    os.truncate(part, length)  # frees the torn tail: needs no space
    part.replace(final)
    try:
        frames, duration = probe(final)
    except av.error.FFmpegError:
        logger.warning("salvaged %s but cannot read it", final.name, exc_info=True)
        return Salvaged(length, 0, 0.0)
    return Salvaged(length, frames, duration)
