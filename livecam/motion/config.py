"""The capture-side snapshot of a camera's motion and recording settings (plain data)."""

from __future__ import annotations

import dataclasses
import logging
from typing import Any

from livecam.motion.detector import DetectorConfig, parse_mask

logger = logging.getLogger(__name__)


CONFIRM_DETECTIONS = 2
"""Consecutive detections that confirm motion (the event tracker's ``confirm``)."""
ANALYSIS_LAG_SECONDS = 1.0
"""How far analysis may lag behind capture before a motion recording's pre-roll is cut short."""


@dataclasses.dataclass(frozen=True, slots=True)
class MediaConfig:
    """What the media service needs to know about one camera."""

    camera_id: str
    motion: bool = False
    analysis_fps: float = 5.0
    detector: DetectorConfig = dataclasses.field(default_factory=DetectorConfig)
    overlay: bool = False
    webhook_url: str = ""
    record_on_motion: bool = False
    pre_seconds: float = 3.0
    post_seconds: float = 5.0
    recording: bool = False
    max_age_days: float = 30.0
    max_count: int = 1000
    continuous: bool = False
    schedule: str = ""
    max_gb: float = 0.0

    @property
    def active(self) -> bool:
        """Return True when frames of this camera need looking at."""
        return self.motion or self.recording

    @property
    def buffer_seconds(self) -> float:
        """Return how much recent video to keep for a motion recording's start."""
        if not (self.motion and self.record_on_motion):
            return 0.0
        # The recording starts when motion is confirmed, which is later than the motion's start
        # by the detections it takes to confirm and by how far analysis lags behind capture;
        # the pre-roll is counted from the start, so the ring must reach back further.
        confirming = CONFIRM_DETECTIONS / max(0.1, self.analysis_fps)
        return self.pre_seconds + confirming + ANALYSIS_LAG_SECONDS

    @classmethod
    def from_model(cls, settings: Any) -> MediaConfig:
        """Copy a MotionSettings row (an unusable mask is logged and ignored)."""
        try:
            mask = parse_mask(settings.mask)
        except ValueError:
            logger.warning("camera %s: ignoring a bad motion mask", settings.camera_id)
            mask = ()
        return cls(
            camera_id=settings.camera_id,
            motion=settings.motion,
            analysis_fps=settings.analysis_fps,
            detector=DetectorConfig(
                threshold=settings.threshold, min_area=settings.min_area, mask=mask
            ),
            overlay=settings.overlay,
            webhook_url=settings.webhook_url,
            record_on_motion=settings.record_on_motion,
            pre_seconds=settings.pre_seconds,
            post_seconds=settings.post_seconds,
            recording=settings.recording,
            max_age_days=settings.max_age_days,
            max_count=settings.max_count,
            continuous=settings.continuous,
            schedule=settings.schedule,
            max_gb=settings.max_gb,
        )
