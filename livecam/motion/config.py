"""The capture-side snapshot of a camera's motion and recording settings (plain data)."""

from __future__ import annotations

import dataclasses
import logging
from typing import Any

from livecam.motion.detector import DetectorConfig, parse_mask

logger = logging.getLogger(__name__)


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

    @property
    def active(self) -> bool:
        """Return True when frames of this camera need looking at."""
        return self.motion or self.recording

    @property
    def buffer_seconds(self) -> float:
        """Return how much recent video to keep for a motion recording's start."""
        return self.pre_seconds if self.motion and self.record_on_motion else 0.0

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
        )
