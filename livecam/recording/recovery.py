"""Recordings whose writer died (crash, kill -9): keep what they wrote, never touch live ones.

A "recording" row is left alone while its file is locked (its writer lives, in this process or
another: a standby capture, a second server that failed to start) and when it was written on
another machine, whose own capture processes check it. Otherwise its file is cut at the last
whole fragment and indexed as done, with the reason; a row without any file becomes failed.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from livecam.capture.identity import HOST, host_of, process_id
from livecam.motion import files
from livecam.recording import lock
from livecam.recording.salvage import salvage

logger = logging.getLogger(__name__)

INTERRUPTED = "interrupted; kept what was written"


def recover_interrupted() -> int:
    """Salvage the recordings of dead writers on this machine; return how many were ended."""
    from livecam.recording.models import Recording

    me, ended = process_id(), 0
    for row in Recording.objects.filter(state="recording"):
        if row.owner == me or (row.owner and host_of(row.owner) != HOST):
            continue
        path = files.resolve(row.file)
        if path is None:
            continue
        part = path.with_name(path.name + ".part")
        target = part if part.exists() else path
        if not target.exists():
            ended += _finish(row, None, "failed", "interrupted; no file was written")
            continue
        try:
            held = lock.hold(target)  # fails while the writer lives; one salvager at a time
        except BlockingIOError:
            continue
        try:
            kept = salvage(part, path)
        finally:
            held.close()
        if kept is None or kept.frames == 0:
            ended += _finish(row, None, "failed", "interrupted; nothing readable was written")
        else:
            ended += _finish(row, kept, "done", INTERRUPTED)
    return ended


def _finish(row: Any, kept: Any, state: str, error: str) -> int:
    from livecam.recording.models import Recording

    fields: dict[str, Any] = {"state": state, "error": error}
    if kept is not None:
        fields.update(size=kept.size, frames=kept.frames, duration=round(kept.duration, 3))
        fields["ended_at"] = row.started_at + dt.timedelta(seconds=kept.duration)
    # Only a row still "recording": another process may have ended it meanwhile.
    count = Recording.objects.filter(pk=row.pk, state="recording").update(**fields)
    if count:
        logger.warning("recording %s of camera %s: %s", row.pk, row.camera_id, error)
    return int(count)
