"""One camera's motion and recording state, fed by capture and driven by the analysis thread.

Ownership keeps locking small: the capture thread appends the camera's H.264 fragments to the
pre-roll ring and feeds recorders; the analysis thread owns the detector, the event tracker
and motion recordings; the settings thread only swaps the configuration and stops what was
switched off.
"""

from __future__ import annotations

import logging
import shutil
import threading
import time
from collections.abc import Callable
from typing import Any

import simplejpeg

from livecam.frames import Frame
from livecam.motion import files
from livecam.motion.config import CONFIRM_DETECTIONS, MediaConfig
from livecam.motion.detector import ANALYSIS_WIDTH, Box, MotionDetector, to_gray
from livecam.motion.store import EventStore
from livecam.motion.tracker import EventTracker
from livecam.recording.preroll import PreRoll
from livecam.recording.recorder import Recorder
from livecam.sources.base import Image
from livecam.video.packet import VideoPacket

logger = logging.getLogger(__name__)

RESUME_INITIAL, RESUME_MAX = 2.0, 30.0
"""Backoff (seconds) before a manual recording that ended on an error starts again."""
RESUME_FREE = 1024 * 1024
"""Free bytes the media folder needs before a recording that hit a full disk starts again."""


def free_bytes() -> int:
    """Return the free space of the media folder's filesystem (0 if it cannot be read)."""
    try:
        return shutil.disk_usage(files.media_root()).free
    except OSError:
        return 0


NewRecorder = Callable[[str, str, list[VideoPacket]], Recorder]
"""(camera_id, trigger, backlog) -> a started Recorder."""


class CameraMedia:
    """Detect motion, keep events and run recordings for one camera."""

    def __init__(self, config: MediaConfig, store: EventStore, new_recorder: NewRecorder) -> None:
        self.config = config
        self.box: Box | None = None
        """The current motion box, for the overlay (None when nothing moves)."""
        self.analyses = 0
        self._store = store
        self._new_recorder = new_recorder
        self._detector = MotionDetector(config.detector)
        self._tracker = EventTracker(confirm=CONFIRM_DETECTIONS, gap=2.0)
        self._row: Any = None
        self._peak: Frame | None = None
        self._motion_rec: Recorder | None = None
        self._last_motion_at = 0.0
        self._manual: Recorder | None = None
        self._resume_at: float | None = None
        self._resume_backoff = RESUME_INITIAL
        self._lock = threading.Lock()
        self._ring = PreRoll()
        self._next_analysis = 0.0

    @property
    def wants_frames(self) -> bool:
        """Return True when this camera's frames are needed at all."""
        return self.config.active or self._manual is not None or self._motion_rec is not None

    @property
    def wants_h264(self) -> bool:
        """Return True when the camera's full-size H.264 is needed: recording, or armed to."""
        cfg = self.config
        return (
            (cfg.motion and cfg.record_on_motion)
            or cfg.recording
            or self._manual is not None
            or self._motion_rec is not None
        )

    @property
    def recording(self) -> bool:
        """Return True while a recording of this camera is running."""
        return self._manual is not None or self._motion_rec is not None

    # --- capture thread -------------------------------------------------------------------

    def on_frame(self, frame: Frame, image: Image | None) -> bool:
        """Start a manual recording when due; return True when the frame is due for analysis."""
        with self._lock:
            cfg = self.config  # read under the lock: stop_manual after a swap always wins
            if cfg.recording and self._manual_due():
                # From the keyframe of the GOP running now, if H.264 is already made (a
                # viewer, continuous recording); else capture starts an encoder: a keyframe.
                backlog = self._ring.since(frame.captured_at)
                self._manual = self._new_recorder(cfg.camera_id, "manual", backlog)
            if not self.wants_h264:
                self._ring.clear()
        if not cfg.motion:
            return False
        now = time.monotonic()
        if now < self._next_analysis:
            return False
        period = 1.0 / max(0.1, cfg.analysis_fps)
        self._next_analysis = max(self._next_analysis + period, now - period / 2)
        return True

    def on_packet(self, packet: VideoPacket) -> None:
        """Keep a full-size fragment in the pre-roll ring and hand it to the recordings."""
        with self._lock:
            for recorder in (self._manual, self._motion_rec):
                if recorder is not None:
                    recorder.feed(packet)
            if self.wants_h264:  # the current GOP at least: a manual recording starts there
                self._ring.put(packet, self.config.buffer_seconds)

    def _manual_due(self) -> bool:
        """Return True when Record is on and a new manual recording should start now.

        A manual recording only ends by itself on an error (a full disk): Record stays on, so
        a new one starts after a backoff, once the media folder has room again.
        """
        manual = self._manual
        if manual is None:
            return True
        if not manual.ended:
            return False
        now = time.monotonic()
        if self._resume_at is None:
            self._resume_at = now + self._resume_backoff
            self._resume_backoff = min(self._resume_backoff * 2, RESUME_MAX)
            logger.warning(
                "camera %s: recording stopped (%s); retrying in %.0f s",
                self.config.camera_id,
                manual.error or "ended",
                self._resume_at - now,
            )
        if now < self._resume_at or free_bytes() < RESUME_FREE:
            return False
        self._resume_at = None
        return True

    def stop_manual(self) -> None:
        """Finish the manual recording, if any (its file is completed in its own thread)."""
        with self._lock:
            recorder, self._manual = self._manual, None
            self._resume_at, self._resume_backoff = None, RESUME_INITIAL
        if recorder is not None:
            recorder.stop()

    # --- settings thread ------------------------------------------------------------------

    def configure(self, config: MediaConfig) -> bool:
        """Apply new settings; return True when open events must be finished (motion off)."""
        old, self.config = self.config, config
        if config.detector != old.detector:
            self._detector = MotionDetector(config.detector)
        if not config.recording:
            self.stop_manual()
        motion_off = old.motion and not config.motion
        return motion_off or (old.record_on_motion and not config.record_on_motion)

    # --- analysis thread ------------------------------------------------------------------

    def analyse(self, frame: Frame, image: Image | None) -> None:
        """Look for motion in one frame and start or end events and motion recordings."""
        cfg = self.config
        if image is not None:
            gray = to_gray(image)
        else:  # a passed-through JPEG: decode it small (DCT scaling makes this cheap)
            small = simplejpeg.decode_jpeg(
                frame.jpeg, colorspace="BGR", fastdct=True, min_width=ANALYSIS_WIDTH
            )
            gray = to_gray(small)
        detection = self._detector.analyse(gray)
        self.analyses += 1
        self.box = detection.box if detection.motion else None
        change = self._tracker.update(detection, frame.captured_at)
        if change.started is not None:
            self._row = self._store.started(cfg.camera_id, change.started, frame, cfg.webhook_url)
            self._peak = None
            if cfg.record_on_motion and self._motion_rec is None:
                self._start_motion_recording(change.started.started_at)
        elif change.new_peak:
            self._peak = frame
        current = self._tracker.current
        if current is not None:
            self._last_motion_at = current.last_motion_at
        if change.ended is not None:
            self._close_event(change.ended)
        if (
            self._motion_rec is not None
            and current is None
            and frame.captured_at >= self._last_motion_at + cfg.post_seconds
        ):
            self._stop_motion_recording()

    def finish(self) -> None:
        """End the open event and motion recording now (camera stopped or motion switched off)."""
        self.box = None
        ended = self._tracker.finish()
        if ended is not None:
            self._close_event(ended)
        self._stop_motion_recording()
        self._detector.reset()

    def _close_event(self, ended: Any) -> None:
        if self._row is not None:
            self._store.ended(self._row, ended, self._peak, self.config.webhook_url)
        self._row, self._peak = None, None

    def _start_motion_recording(self, started_at: float) -> None:
        since = started_at - self.config.pre_seconds
        with self._lock:
            backlog = self._ring.since(since)
            self._motion_rec = self._new_recorder(self.config.camera_id, "motion", backlog)

    def _stop_motion_recording(self) -> None:
        with self._lock:
            recorder, self._motion_rec = self._motion_rec, None
        if recorder is not None:
            recorder.stop()

    def recorders(self) -> list[Recorder]:
        """Return the recordings running now."""
        return [r for r in (self._manual, self._motion_rec) if r is not None]
