"""Clips: one MP4 of a time range, remuxed from a camera's segments without re-encoding.

The clip starts at the keyframe at or before the asked start and ends at the asked end (or
the last recorded picture). It is an ordinary MP4 with its index up front (``faststart``),
so browsers play and seek it like any file. Timestamps are rebuilt from capture times: a
gap between segments shows as the picture before it held, never as a step back.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import logging
import os
import time
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
from django.db.models import Q

from livecam.motion import files
from livecam.recording.growing import open_growing as growing_file

logger = logging.getLogger(__name__)

TIME_BASE = Fraction(1, 90_000)
_CACHE_SECONDS = 3600.0  # a clip file is kept this long for the player's range requests


@dataclasses.dataclass(frozen=True)
class Clip:
    """A clip on disk: where, and what it holds."""

    path: Path
    start: float
    end: float
    frames: int


_Row = tuple[int, float, str, int]
"""(segment id, start, path, bytes readable now: 0 for a finished segment)."""


def _rows(camera_id: str, start: float, end: float) -> list[_Row]:
    """Return the segments in the range, the one being written up to its last whole fragment.

    The row of the segment being written says where it ended at its last update (every few
    seconds): asked for past that, it is taken too, so a clip reaches the newest pictures.
    """
    from livecam.recording.models import Segment

    found = Segment.objects.filter(camera_id=camera_id, start__lt=end).filter(
        Q(end__gt=start) | Q(writing=True)
    )
    rows: list[_Row] = []
    for pk, seg_start, name, writing in found.order_by("start", "id").values_list(
        "id", "start", "path", "writing"
    ):
        size = 0
        if writing:
            path = files.resolve(name)
            growing = growing_file(path) if path is not None else None
            if growing is None:
                continue
            size = growing.length  # the written length keys the clip's cache
            growing.close()
        rows.append((pk, seg_start, name, size))
    return rows


def export(camera_id: str, start: float, end: float) -> Clip | None:
    """Return the clip of [start, end] (made once, cached for an hour); None: nothing recorded."""
    rows = _rows(camera_id, start, end)
    if not rows:
        return None
    key = hashlib.sha256(repr((camera_id, start, end, rows)).encode()).hexdigest()[:24]
    folder = files.media_root() / "clips"
    folder.mkdir(parents=True, exist_ok=True, mode=0o750)
    _purge(folder)
    path = folder / f"{camera_id}-{key}.mp4"
    meta = path.with_suffix(".txt")
    if path.exists() and meta.exists():
        first, last, frames = meta.read_text().split()
        return Clip(path, float(first), float(last), int(frames))
    tmp = path.with_name(f"{path.name}.{os.getpid()}.part")
    try:
        made = _remux(rows, start, end, tmp)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    if made is None:
        tmp.unlink(missing_ok=True)
        return None
    os.replace(tmp, path)
    meta.write_text(f"{made[0]} {made[1]} {made[2]}")
    return Clip(path, *made)


@contextlib.contextmanager
def _open(path: Path, size: int) -> Iterator[Any]:
    """Open a finished segment, or the first ``size`` bytes of the one being written."""
    if not size:
        with av.open(str(path)) as container:
            yield container
        return
    growing = growing_file(path)
    if growing is None:
        raise FileNotFoundError(path)
    growing.length = min(growing.length, size)  # what the cache key says, no more
    try:
        with av.open(growing, format="mp4") as container:
            yield container
    finally:
        growing.close()


def _remux(
    rows: list[_Row], start: float, end: float, out: Path
) -> tuple[float, float, int] | None:
    output: Any = None
    out_stream: Any = None
    extradata = None
    pending: list[tuple[float, Any]] = []
    base: float | None = None
    last_dts, last_at, frames = -1, 0.0, 0
    try:
        for _, seg_start, name, size in rows:
            path = files.resolve(name)
            if path is None or not (size or path.is_file()):
                continue
            with contextlib.ExitStack() as stack:
                try:
                    source = stack.enter_context(_open(path, size))
                except (OSError, av.error.FFmpegError):
                    continue  # deleted meanwhile, or (being written) not readable yet
                stream = source.streams.video[0]
                if extradata is not None and stream.codec_context.extradata != extradata:
                    break  # the picture size or encoder changed: the clip ends here
                first_pts = None
                for packet in source.demux(stream):
                    if packet.pts is None or packet.time_base is None:
                        continue
                    first_pts = packet.pts if first_pts is None else first_pts
                    at = seg_start + float((packet.pts - first_pts) * packet.time_base)
                    if at >= end:
                        break
                    if base is None:  # not started: hold the GOP that reaches ``start``
                        if packet.is_keyframe:
                            pending = [(at, packet)]
                        elif pending:
                            pending.append((at, packet))
                        if at < start or not pending:
                            continue
                        batch, pending = pending, []
                    else:
                        batch = [(at, packet)]
                    if output is None:
                        output = av.open(
                            str(out), "w", format="mp4", options={"movflags": "+faststart"}
                        )
                        out_stream = output.add_stream_from_template(stream)
                        extradata = stream.codec_context.extradata
                    for when, held in batch:
                        base = when if base is None else base
                        dts = max(last_dts + 1, round((when - base) / TIME_BASE))
                        duration = held.duration * held.time_base if held.duration else 0
                        held.stream = out_stream
                        held.time_base = TIME_BASE
                        held.pts = held.dts = dts
                        held.duration = round(duration / TIME_BASE) if duration else 0
                        output.mux(held)
                        last_dts, last_at, frames = dts, when, frames + 1
    finally:
        if output is not None:
            output.close()
    if base is None or frames == 0:
        return None
    return base, last_at, frames


def _purge(folder: Path) -> None:
    """Delete clips older than an hour (each export; cheap: a handful of files)."""
    cutoff = time.time() - _CACHE_SECONDS
    for old in folder.iterdir():
        try:
            if old.stat().st_mtime < cutoff:
                old.unlink()
        except OSError:
            pass
