"""One camera's motion and recording state, fed by capture and driven by the analysis thread.

Ownership keeps locking small: the capture thread appends to the pre-record buffer and feeds
recorders; the analysis thread owns the detector, the event tracker and motion recordings;
the settings thread only swaps the configuration and stops what was switched off.
"""

from __future__ import annotations

import collections
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

import simplejpeg

from livecam.frames import Frame
from livecam.motion.config import MediaConfig
from livecam.motion.detector import ANALYSIS_WIDTH, Box, MotionDetector, to_gray
from livecam.motion.store import EventStore
from livecam.motion.tracker import EventTracker
from livecam.recording.recorder import Recorder
from livecam.sources.base import Image

logger = logging.getLogger(__name__)

NewRecorder = Callable[[str, str, list[Frame]], Recorder]
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
        self._tracker = EventTracker(confirm=2, gap=2.0)
        self._row: Any = None
        self._peak: Frame | None = None
        self._motion_rec: Recorder | None = None
        self._last_motion_at = 0.0
        self._manual: Recorder | None = None
        self._lock = threading.Lock()
        self._ring: collections.deque[Frame] = collections.deque()
        self._next_analysis = 0.0

    @property
    def wants_frames(self) -> bool:
        """Return True when this camera's frames are needed at all."""
        return self.config.active or self._manual is not None or self._motion_rec is not None

    @property
    def recording(self) -> bool:
        """Return True while a recording of this camera is running."""
        return self._manual is not None or self._motion_rec is not None

    # --- capture thread -------------------------------------------------------------------

    def on_frame(self, frame: Frame, image: Image | None) -> bool:
        """Buffer and record a frame; return True when it is due for analysis."""
        with self._lock:
            cfg = self.config  # read under the lock: stop_manual after a swap always wins
            if cfg.recording and self._manual is None:
                self._manual = self._new_recorder(cfg.camera_id, "manual", [])
            for recorder in (self._manual, self._motion_rec):
                if recorder is not None:
                    recorder.feed(frame)
            keep = cfg.buffer_seconds
            if keep:
                self._ring.append(frame)
                while self._ring and self._ring[0].captured_at < frame.captured_at - keep:
                    self._ring.popleft()
            elif self._ring:
                self._ring.clear()
        if not cfg.motion:
            return False
        now = time.monotonic()
        if now < self._next_analysis:
            return False
        period = 1.0 / max(0.1, cfg.analysis_fps)
        self._next_analysis = max(self._next_analysis + period, now - period / 2)
        return True

    def stop_manual(self) -> None:
        """Finish the manual recording, if any (its file is completed in its own thread)."""
        with self._lock:
            recorder, self._manual = self._manual, None
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
            backlog = [f for f in self._ring if f.captured_at >= since]
            self._motion_rec = self._new_recorder(self.config.camera_id, "motion", backlog)

    def _stop_motion_recording(self) -> None:
        with self._lock:
            recorder, self._motion_rec = self._motion_rec, None
        if recorder is not None:
            recorder.stop()

    def recorders(self) -> list[Recorder]:
        """Return the recordings running now."""
        return [r for r in (self._manual, self._motion_rec) if r is not None]
