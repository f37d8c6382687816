"""One recording in progress: a thread that writes the camera's H.264 fragments to an MP4.

Capture makes the camera's H.264 once (or passes the camera's own through) and puts
references to the fragments it already muxed for viewers into a bounded queue; this thread
only rewrites each fragment's timestamps to start at zero and appends it to the file. Nothing
is decoded or encoded here. A recorder that falls too far behind drops fragments (counted):
the file then holds the pictures before the gap, and the next ones only from the following
keyframe, so nothing undecodable is written. A write error (a full disk) ends the recording
early but keeps what was written, with the reason.
"""

from __future__ import annotations

import datetime as dt
import errno
import logging
import queue
import threading
from collections.abc import Callable, Iterable
from typing import Any

from django.db import DatabaseError, close_old_connections

from livecam import metrics
from livecam.capture.identity import process_id
from livecam.motion import files
from livecam.recording.segments import SegmentFile
from livecam.video import boxes
from livecam.video.packet import VideoPacket

logger = logging.getLogger(__name__)

_QUEUE_FRAMES = 300  # ten seconds at 30 fps: references to existing fragments, not copies
_STOP = None
_FIRST_DURATION = boxes.TIMESCALE // 30  # the first picture's length until the second comes


def _utc(at: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(at, tz=dt.UTC)


def describe(exc: BaseException) -> str:
    """Return a short reason for a failed write ("disk full" for ENOSPC)."""
    if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
        return "disk full"
    if isinstance(exc, OSError) and exc.strerror:
        return f"write error: {exc.strerror}"[:200]
    return f"internal error: {type(exc).__name__}"


class _Rebased:
    """Fragments of one init segment, renumbered and re-timed to start at zero."""

    def __init__(self, first: VideoPacket) -> None:
        self.init = first.init
        self.first_at = first.captured_at
        self.last_at = first.captured_at
        self.frames = 0
        self._base = first.decode_time
        self._last_time: int | None = None
        self._duration = _FIRST_DURATION

    def fragment(self, packet: VideoPacket) -> bytes | None:
        """Return the packet's fragment for the file; None to leave it out."""
        if self._last_time is not None:
            if packet.decode_time <= self._last_time:
                return None  # the backlog and the live feed overlap by a fragment
            self._duration = min(boxes.TIMESCALE, packet.decode_time - self._last_time)
        self._last_time = packet.decode_time
        self.frames += 1
        self.last_at = packet.captured_at
        fragment, _ = boxes.fragment(
            self.frames,
            packet.decode_time - self._base,
            self._duration,
            packet.sample,
            packet.keyframe,
            packet.captured_at,
        )
        return fragment

    @property
    def duration(self) -> float:
        """Return the recorded time: first to last picture plus one picture's length."""
        span = self.last_at - self.first_at
        return span + (span / (self.frames - 1) if self.frames > 1 else 0.0)


class Recorder:
    """Record one camera's H.264 fragments to a new MP4 file until ``stop``."""

    def __init__(
        self,
        camera_id: str,
        trigger: str,
        announce: Callable[[str, dict[str, Any]], None],
        backlog: Iterable[VideoPacket] = (),
    ) -> None:
        self.camera_id = camera_id
        self.trigger = trigger
        self.dropped = 0
        self.stopped = False
        self.error = ""
        """Why the recording ended by itself (empty while it runs or after a normal stop)."""
        self._announce = announce
        backlog = list(backlog)
        # Room for the whole pre-roll (up to 30 s) on top of the live margin: references only.
        self._queue: queue.Queue[VideoPacket | None] = queue.Queue(_QUEUE_FRAMES + len(backlog))
        self._skipping = False
        for packet in backlog:
            self.feed(packet)
        self._thread = threading.Thread(target=self._run, name=f"record-{camera_id}", daemon=True)
        self._thread.start()

    def feed(self, packet: VideoPacket) -> None:
        """Queue a full-size fragment (capture thread; never blocks).

        After a drop, nothing is queued until the next keyframe: a picture whose reference
        is missing would not decode, so the file goes on from a keyframe.
        """
        if self._skipping and not packet.keyframe:
            self.dropped += 1
            return
        try:
            self._queue.put_nowait(packet)
            self._skipping = False
        except queue.Full:
            self.dropped += 1
            self._skipping = True

    def stop(self) -> None:
        """Finish the file after the fragments already queued (returns at once)."""
        if self.stopped:
            return
        self.stopped = True
        while True:  # never block capture: make room for the stop mark if the queue is full
            try:
                self._queue.put_nowait(_STOP)
                return
            except queue.Full:
                # Far behind: the file ends at what is written; dropping only the oldest
                # fragment would leave a picture without its reference.
                try:
                    while True:
                        self._queue.get_nowait()
                        self.dropped += 1
                except queue.Empty:
                    pass

    def join(self, timeout: float) -> bool:
        """Wait for the file to be finished; return True if it was."""
        self._thread.join(timeout)
        return not self._thread.is_alive()

    @property
    def ended(self) -> bool:
        """Return True once the recording thread is over (stopped, or ended by an error)."""
        return not self._thread.is_alive()

    def _first(self) -> VideoPacket | None:
        """Return the first keyframe with its init segment (None: stopped before one came)."""
        while True:
            packet = self._queue.get()
            if packet is None or (packet.keyframe and packet.init):
                return packet

    def _run(self) -> None:
        name = files.new_name("recordings", self.camera_id, ".mp4")
        path = files.resolve(name)
        file: SegmentFile | None = None
        try:
            first = self._first()
            if first is None or path is None:
                return  # stopped before any picture: no file, no row
            try:
                # The file (locked: being written) exists before its row, so no other process
                # ever sees a "recording" row without a writer it can detect.
                file = SegmentFile(path, first.init)
            except OSError as exc:
                self._give_up(exc)
                return
            self._record(file, first, name)
        except Exception:
            logger.exception("camera %s: recording failed", self.camera_id)
            self.error = self.error or "internal error"
        finally:
            if file is not None:
                file.release()
            while self._queue.qsize():  # let go of the fragments still referenced
                self._queue.get_nowait()
            close_old_connections()

    def _record(self, file: SegmentFile, first: VideoPacket, name: str) -> None:
        from livecam.recording.models import Recording

        try:
            row = Recording.objects.create(
                camera_id=self.camera_id,
                started_at=_utc(first.captured_at),
                trigger=self.trigger,
                file=name,
                owner=process_id(),
            )
        except DatabaseError:
            file.discard()
            raise
        self._announce("started", _summary(row))
        rebased = _Rebased(first)
        try:
            packet: VideoPacket | None = first
            while packet is not None:
                if packet.init and packet.init != rebased.init:
                    # A new picture size or encoder needs a new file (one init per MP4).
                    self.error = row.error = "picture size changed"
                    break
                fragment = rebased.fragment(packet)
                if fragment is not None:
                    file.append(fragment)
                packet = self._queue.get()
        except OSError as exc:  # the file was cut back to its last whole fragment
            self._cut_short(row, exc)
        row.state, row.frames, row.size = "done", file.frames, file.bytes
        row.duration = round(rebased.duration, 3) if file.frames else 0.0
        row.ended_at = _utc(rebased.first_at + rebased.duration)
        try:
            if file.frames == 0:  # nothing but the init segment got onto the disk
                row.state, row.size = "failed", 0
                file.discard()
            else:
                file.finish()
        except OSError as exc:  # left as .part: the start-up recovery keeps what it holds
            logger.warning("camera %s: cannot finish a recording: %s", self.camera_id, exc)
            return
        row.save(update_fields=["state", "size", "frames", "duration", "ended_at", "error"])
        if self.dropped:
            logger.warning(
                "camera %s: recording dropped %d fragments", self.camera_id, self.dropped
            )
        self._announce("ended", _summary(row))

    def _cut_short(self, row: Any, exc: BaseException) -> None:
        """Record why the file ended early (what was written stays)."""
        self.error = row.error = describe(exc)
        metrics.RECORDING_ERRORS.labels(self.camera_id).inc()
        logger.warning("camera %s: recording cut short: %s", self.camera_id, exc)

    def _give_up(self, exc: OSError) -> None:
        """Say why no file could be created (a full disk); there is no row to update."""
        self.error = describe(exc)
        metrics.RECORDING_ERRORS.labels(self.camera_id).inc()
        logger.warning("camera %s: cannot start a recording: %s", self.camera_id, exc)
        self._announce("failed", {"camera": self.camera_id, "error": self.error})


def _summary(row: Any) -> dict[str, Any]:
    from livecam.motion.serialize import recording_json

    return recording_json(row)
