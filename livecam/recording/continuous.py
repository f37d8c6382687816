"""One camera's continuous recorder: cut its live H.264 into segment files.

Capture asks for the camera's full-size H.264 stream while a camera records (the same
fragments `stream.mp4` sends, encoded once or passed through), and hands each fragment here.
A thread per camera appends them to the current segment file and starts a new segment at
the first keyframe after ``SEGMENT_SECONDS``: a segment's end is the next one's start, so no
picture is lost or written twice at a boundary. A write error (a full disk) finishes the
segment with what is on disk and pauses recording with the reason; it retries by itself.
"""

from __future__ import annotations

import dataclasses
import logging
import queue
import threading
import time
from collections.abc import Callable

from django.db import DatabaseError, close_old_connections
from django.utils import timezone

from livecam import conf
from livecam.motion import files
from livecam.recording import budget, counters, runs, schedule
from livecam.recording.segments import SegmentFile
from livecam.video.packet import VideoPacket

logger = logging.getLogger(__name__)

RETRY_AFTER = 5.0
"""Seconds a paused recording waits before it tries again."""
_ROW_EVERY = 5.0  # seconds between updates of the row being written (the timeline's newest end)
_IDLE = 3.0  # seconds without a picture after which the open segment is finished
_QUEUE = 600  # fragments (20 s at 30 fps) the writer may fall behind before it drops

Announce = Callable[[str, str, str], None]
"""(camera_id, state, reason): publish a change of the recording state."""


@dataclasses.dataclass(slots=True)
class _Open:
    file: SegmentFile
    row_id: int
    start: float
    init: bytes
    last_at: float
    frame: float = 1 / 30
    updated: float = 0.0


class ContinuousRecorder:
    """One camera's continuous recording: settings, state and the writer thread."""

    def __init__(self, camera_id: str, announce: Announce) -> None:
        self.camera_id = camera_id
        self.enabled = False
        self.max_gb = 0.0
        self.windows: list[schedule.Window] = []
        self.reason = ""
        """Why recording is paused (empty when it is not)."""
        self._announce = announce
        self._retry_at = 0.0
        self._scheduled = (0.0, False)
        self._lost = 0
        self._told = ("", "")
        self._queue: queue.Queue[VideoPacket | str | None] = queue.Queue(_QUEUE)
        self._thread = threading.Thread(target=self._run, name=f"segments-{camera_id}", daemon=True)
        self._thread.start()

    # --- capture thread ------------------------------------------------------------------

    def scheduled(self) -> bool:
        """Return True when the schedule says record now (checked once a second)."""
        checked_at, answer = self._scheduled
        now = time.monotonic()
        if now - checked_at >= 1.0:
            answer = schedule.active(self.windows, timezone.localtime())
            self._scheduled = (now, answer)
        return answer

    def wants(self) -> bool:
        """Return True when capture should make H.264 for this recording."""
        if not self.enabled or not self.scheduled():
            return False
        return not self.reason or time.monotonic() >= self._retry_at

    def reconfigure(self, enabled: bool, windows: list[schedule.Window], max_gb: float) -> None:
        """Apply new settings and re-check the schedule now."""
        self.enabled, self.windows, self.max_gb = enabled, windows, max_gb
        self._scheduled = (0.0, False)
        self._tell()

    def on_packet(self, packet: VideoPacket) -> None:
        """Queue a full-size fragment (never blocks capture)."""
        try:
            self._queue.put_nowait(packet)
        except queue.Full:
            self._lost += 1

    def state(self) -> tuple[str, str]:
        """Return (state, reason): off, scheduled-idle, paused or recording."""
        if not self.enabled:
            return "off", ""
        if not self.scheduled():
            return "scheduled-idle", ""
        return ("paused", self.reason) if self.reason else ("recording", "")

    def finish(self) -> None:
        """Finish the open segment (the source closed, or recording was switched off)."""
        self._put_mark("finish")

    def close(self, timeout: float) -> None:
        """Finish the open segment and end the thread within ``timeout``."""
        self._put_mark(None)
        self._thread.join(timeout)

    def _put_mark(self, mark: str | None) -> None:
        try:
            self._queue.put(mark, timeout=1.0)
        except queue.Full:
            logger.warning("camera %s: segment writer is stuck", self.camera_id)

    # --- writer thread -------------------------------------------------------------------

    def _run(self) -> None:
        current: _Open | None = None
        lost = 0
        while True:
            try:
                item = self._queue.get(timeout=1.0)
            except queue.Empty:
                item = "tick"
            try:
                if isinstance(item, VideoPacket):
                    if self._lost != lost:  # fell behind: the segment ends where pictures ended
                        lost = self._lost
                        self._close(current, None)
                        current = None
                    current = self._take(current, item)
                elif item is None:
                    self._close(current, None)
                    return
                elif current is not None and (
                    item == "finish" or time.time() - current.last_at > _IDLE or not self.wants()
                ):
                    self._close(current, None)
                    current = None
                self._tell()
            except Exception:  # a bug must not stop recording for good: pause and retry
                logger.exception("camera %s: segment writer failed", self.camera_id)
                self._pause("internal error")
                current = None
            finally:
                close_old_connections()

    def _take(self, current: _Open | None, packet: VideoPacket) -> _Open | None:
        if current is not None and packet.keyframe:
            too_long = packet.captured_at - current.start >= float(conf.get("SEGMENT_SECONDS"))
            if too_long or (packet.init and packet.init != current.init):
                self._close(current, packet.captured_at)
                current = None
        if current is None:
            if not packet.keyframe or not packet.init or not self.wants():
                return None  # a segment starts with a keyframe and its init segment
            current = self._open(packet)
            if current is None:
                return None
        try:
            current.file.append(packet.fragment)
        except OSError as exc:
            self._close(current, None)
            self._pause(budget.describe(exc))
            budget.on_disk_full(self.camera_id, self.max_gb)
            return None
        if current.file.frames > 1:
            current.frame = max(0.001, packet.captured_at - current.last_at)
        current.last_at = packet.captured_at
        if time.monotonic() - current.updated >= _ROW_EVERY:
            self._save(current, packet.captured_at, writing=True)
        return current

    def _open(self, packet: VideoPacket) -> _Open | None:
        from livecam.recording.models import Segment

        room = budget.make_room(self.camera_id)
        if room:
            self._pause(room)
            return None
        name = files.new_name("segments", self.camera_id, ".mp4")
        path = files.resolve(name)
        if path is None:
            return None
        try:
            file = SegmentFile(path, packet.init)
        except OSError as exc:
            self._pause(budget.describe(exc))
            budget.on_disk_full(self.camera_id, self.max_gb)
            return None
        try:
            row = Segment.objects.create(
                camera_id=self.camera_id,
                start=packet.captured_at,
                end=packet.captured_at,
                path=name,
                writing=True,
                joins=runs.joins_previous(self.camera_id, packet.captured_at),
            )
        except DatabaseError as exc:
            file.discard()
            self._pause("database unavailable")
            logger.warning("camera %s: cannot index a segment: %s", self.camera_id, exc)
            return None
        self._resume()
        now = time.monotonic()
        return _Open(file, row.pk, packet.captured_at, packet.init, packet.captured_at, updated=now)

    def _close(self, current: _Open | None, end: float | None) -> None:
        """Finish a segment: renamed, its row final, the budget applied."""
        from livecam.recording.models import Segment

        if current is None:
            return
        end = end if end is not None else current.last_at + current.frame
        if current.file.frames == 0:
            current.file.discard()
            Segment.objects.filter(pk=current.row_id).delete()
            return
        try:
            current.file.finish()
        except OSError as exc:  # left as .part: the start-up reconciliation recovers it
            logger.warning("camera %s: cannot finish a segment: %s", self.camera_id, exc)
            current.file.release()
            return
        self._save(current, end, writing=False)
        current.file.release()
        counters.SEGMENTS_WRITTEN.labels(self.camera_id).inc()
        budget.enforce(self.camera_id, self.max_gb)

    def _save(self, current: _Open, end: float, *, writing: bool) -> None:
        from livecam.recording.models import Segment

        current.updated = time.monotonic()
        try:
            Segment.objects.filter(pk=current.row_id).update(
                end=end, bytes=current.file.bytes, frames=current.file.frames, writing=writing
            )
        except DatabaseError as exc:  # the reconciliation fixes the row from the file later
            logger.warning("camera %s: cannot update a segment row: %s", self.camera_id, exc)

    def _pause(self, reason: str) -> None:
        if reason != self.reason:
            logger.warning("camera %s: continuous recording paused: %s", self.camera_id, reason)
        self.reason = reason
        self._retry_at = time.monotonic() + RETRY_AFTER
        counters.RECORDING_PAUSED.labels(self.camera_id).set(1)
        self._tell()

    def _resume(self) -> None:
        if self.reason:
            logger.info("camera %s: continuous recording resumed", self.camera_id)
        self.reason = ""
        counters.RECORDING_PAUSED.labels(self.camera_id).set(0)

    def _tell(self) -> None:
        state = self.state()
        if state != self._told:
            self._told = state
            self._announce(self.camera_id, *state)
