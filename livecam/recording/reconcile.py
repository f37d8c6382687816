"""Start-up reconciliation of the segment index with the files on disk.

- a ``writing`` row whose file no process writes any more (capture died, kill -9): its
  ``.part`` is cut at the last whole fragment and kept (renamed), the row made final;
- a row whose file is gone: the row is deleted;
- a segment file without a row: indexed again (its times come from its own timestamps,
  which are capture times); an unreadable one is deleted.

Safe when several processes start at once: every file is handled under its exclusive lock
(`livecam.recording.lock`), a file some process writes is skipped, and each row is checked
again after the lock is taken. What was done is logged.
"""

from __future__ import annotations

import logging
from pathlib import Path

import av

from livecam.motion import files
from livecam.recording import lock, runs
from livecam.recording.salvage import complete_length
from livecam.video.clock import EPOCH

logger = logging.getLogger(__name__)


def probe(path: Path) -> tuple[int, float, float]:
    """Return (frames, start, end) of a segment file, times as capture times (Unix seconds)."""
    frames, first, last, step = 0, None, 0.0, 0.0
    with av.open(str(path)) as container:
        for packet in container.demux(container.streams.video[0]):
            if packet.pts is None or packet.time_base is None:
                continue
            at = EPOCH + float(packet.pts * packet.time_base)
            first = at if first is None else first
            step = at - last if frames else 0.0
            last = at
            frames += 1
    if first is None:
        return 0, 0.0, 0.0
    return frames, first, last + (step if step > 0 else 1 / 30)


def _recover(row: object, path: Path) -> str:
    """Finish one interrupted segment under its lock; return what was done."""
    part = path.with_name(path.name + ".part")
    target = part if part.exists() else path
    try:
        held = lock.hold(target) if target.exists() else None
    except BlockingIOError:
        return ""  # a living process writes it
    try:
        if part.exists():
            length = complete_length(part)
            if length == 0:
                part.unlink()
                row.delete()  # type: ignore[attr-defined]
                return "deleted (nothing readable)"
            _truncate(part, length)
            part.replace(path)
        if not path.exists():
            row.delete()  # type: ignore[attr-defined]
            return "deleted (no file)"
        frames, _, end = probe(path)
        if frames == 0:
            row.delete()  # type: ignore[attr-defined]
            return "deleted (no pictures)"
        type(row).objects.filter(pk=row.pk).update(  # type: ignore[attr-defined]
            end=end, frames=frames, bytes=path.stat().st_size, writing=False
        )
        return f"recovered {frames} frames"
    finally:
        if held is not None:
            held.close()


def _truncate(path: Path, length: int) -> None:
    with path.open("r+b") as file:
        file.truncate(length)


def reconcile() -> dict[str, int]:
    """Reconcile rows and files; return counts of what was done (also logged)."""
    from livecam.recording.models import Segment

    done = {"recovered": 0, "rows_deleted": 0, "files_indexed": 0, "files_deleted": 0, "skipped": 0}
    for row in Segment.objects.filter(writing=True):
        path = files.resolve(row.path)
        if path is None:
            continue
        what = _recover(row, path)
        if what:
            logger.info("segment %s: %s", row.path, what)
            done["recovered" if what.startswith("recovered") else "rows_deleted"] += 1
    known = set(Segment.objects.values_list("path", flat=True))
    for row_id, name in Segment.objects.filter(writing=False).values_list("id", "path"):
        path = files.resolve(name)
        if path is not None and not path.exists():
            Segment.objects.filter(pk=row_id, writing=False).delete()
            logger.info("segment %s: row deleted (file missing)", name)
            done["rows_deleted"] += 1
    root = files.media_root() / "segments"
    for path in sorted(root.glob("*/*/*.mp4*")) if root.is_dir() else []:
        name = path.relative_to(files.media_root()).as_posix()
        if name.removesuffix(".part") in known:
            continue
        done[_adopt(path, name)] += 1
    if any(count for what, count in done.items() if what != "skipped"):
        logger.warning("segments reconciled after an unclean stop: %s", done)
    return done


def _adopt(path: Path, name: str) -> str:
    """Index a file that has no row (or delete it when unreadable); under its lock."""
    from livecam.recording.models import Segment

    camera_id = Path(name).parts[1]
    try:
        held = lock.hold(path)
    except (BlockingIOError, FileNotFoundError):
        return "skipped"
    try:
        final = path.with_name(path.name.removesuffix(".part"))
        if Segment.objects.filter(path=final.relative_to(files.media_root()).as_posix()).exists():
            return "skipped"  # another process indexed it meanwhile
        if path.name.endswith(".part"):
            length = complete_length(path)
            if length:
                _truncate(path, length)
                path.replace(final)
        try:
            frames, start, end = probe(final) if final.exists() else (0, 0.0, 0.0)
        except av.error.FFmpegError:
            frames = 0
        from livecam.models import Camera

        if frames == 0 or not Camera.objects.filter(pk=camera_id).exists():
            path.unlink(missing_ok=True)
            final.unlink(missing_ok=True)
            logger.info("segment file %s deleted (unreadable or camera gone)", name)
            return "files_deleted"
        Segment.objects.create(
            camera_id=camera_id,
            start=start,
            end=end,
            frames=frames,
            bytes=final.stat().st_size,
            path=final.relative_to(files.media_root()).as_posix(),
            joins=runs.joins_previous(camera_id, start),
        )
        runs.repair(camera_id, [end])  # the segment after it may now join it
        logger.info("segment file %s indexed (%d frames)", name, frames)
        return "files_indexed"
    finally:
        held.close()
