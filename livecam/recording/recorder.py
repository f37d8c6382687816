"""One recording in progress: a thread that turns the camera's JPEG frames into an MP4.

Capture only puts references to frames it already built into a bounded queue; decoding and
H.264 encoding happen here, so viewers' frames are never re-encoded or delayed. A recorder
that falls too far behind drops frames (counted) rather than let memory grow.
"""

from __future__ import annotations

import datetime as dt
import logging
import queue
import threading
from collections.abc import Callable, Iterable
from typing import Any

from django.db import DatabaseError, close_old_connections

from livecam.frames import Frame
from livecam.motion import files

logger = logging.getLogger(__name__)

_QUEUE_FRAMES = 300  # ten seconds at 30 fps: references to existing JPEGs, not copies
_STOP = None


def _utc(at: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(at, tz=dt.UTC)


class Recorder:
    """Record one camera's frames to a new MP4 file until ``stop``."""

    def __init__(
        self,
        camera_id: str,
        trigger: str,
        fps: float,
        announce: Callable[[str, dict[str, Any]], None],
        backlog: Iterable[Frame] = (),
    ) -> None:
        self.camera_id = camera_id
        self.trigger = trigger
        self.dropped = 0
        self.stopped = False
        self._fps = fps or 30.0
        self._announce = announce
        self._queue: queue.Queue[Frame | None] = queue.Queue(_QUEUE_FRAMES)
        for frame in backlog:
            self.feed(frame)
        self._thread = threading.Thread(target=self._run, name=f"record-{camera_id}", daemon=True)
        self._thread.start()

    def feed(self, frame: Frame) -> None:
        """Queue a frame (capture thread; never blocks)."""
        try:
            self._queue.put_nowait(frame)
        except queue.Full:
            self.dropped += 1

    def stop(self) -> None:
        """Finish the file after the frames already queued (returns at once)."""
        if self.stopped:
            return
        self.stopped = True
        while True:  # never block capture: make room for the stop mark if the queue is full
            try:
                self._queue.put_nowait(_STOP)
                return
            except queue.Full:
                try:
                    self._queue.get_nowait()
                    self.dropped += 1
                except queue.Empty:
                    pass

    def join(self, timeout: float) -> bool:
        """Wait for the file to be finished; return True if it was."""
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def _run(self) -> None:
        from livecam.recording.models import Recording
        from livecam.recording.writer import Mp4Writer

        name = files.new_name("recordings", self.camera_id, ".mp4")
        row: Any = None
        writer: Mp4Writer | None = None
        try:
            first = self._queue.get()
            if first is None:
                return  # stopped before any frame: no file, no row
            row = Recording.objects.create(
                camera_id=self.camera_id,
                started_at=_utc(first.captured_at),
                trigger=self.trigger,
                file=name,
            )
            self._announce("started", _summary(row))
            path = files.resolve(name)
            if path is None:  # generated names always resolve; this guards the impossible
                raise ValueError(f"bad media name {name!r}")
            writer = Mp4Writer(path, first.width, first.height, self._fps)
            frame: Frame | None = first
            while frame is not None:
                writer.write_jpeg(frame.jpeg, frame.captured_at)
                frame = self._queue.get()
            size = writer.close()
            row.state, row.size, row.frames = "done", size, writer.frames
            row.duration = round(writer.duration, 3)
            row.ended_at = _utc(writer.last_at)
            row.save(update_fields=["state", "size", "frames", "duration", "ended_at"])
            if self.dropped:
                logger.warning(
                    "camera %s: recording dropped %d frames", self.camera_id, self.dropped
                )
            self._announce("ended", _summary(row))
        except Exception:
            logger.exception("camera %s: recording failed", self.camera_id)
            if writer is not None:
                writer.abort()
            self._fail(row)
        finally:
            close_old_connections()

    def _fail(self, row: Any) -> None:
        if row is None or row.pk is None:
            return
        try:
            row.state = "failed"
            row.save(update_fields=["state"])
            self._announce("ended", _summary(row))
        except DatabaseError:
            logger.exception("camera %s: cannot mark the recording failed", self.camera_id)


def _summary(row: Any) -> dict[str, Any]:
    from livecam.motion.serialize import recording_json

    return recording_json(row)
