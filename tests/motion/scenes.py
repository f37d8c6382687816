"""Run scripted scenes through the detector and tracker offline, as capture would."""

from __future__ import annotations

import dataclasses

from livecam.motion.detector import DetectorConfig, MotionDetector, to_gray
from livecam.motion.tracker import EventTracker
from livecam.sources.scene import draw, render_background
from livecam.sources.script import script_of


@dataclasses.dataclass
class SceneResult:
    """What the detector made of a scene."""

    analyses: int = 0
    detections: int = 0
    detected_at: list[float] = dataclasses.field(default_factory=list)
    events: list[tuple[float, float, float]] = dataclasses.field(default_factory=list)
    """(started_at, last_motion_at, peak_area) of each event."""


def run_scene(
    target: str,
    seconds: float = 10,
    fps: float = 30,
    analysis_fps: float = 5,
    config: DetectorConfig | None = None,
    size: tuple[int, int] = (640, 480),
) -> SceneResult:
    """Analyse ``seconds`` of a scene at ``analysis_fps`` and return the detections and events."""
    script = script_of(target)
    background, noise = render_background(*size)
    detector = MotionDetector(config or DetectorConfig())
    tracker = EventTracker()
    result = SceneResult()
    step = max(1, round(fps / analysis_fps))
    for index in range(0, int(seconds * fps), step):
        at = index / fps
        detection = detector.analyse(to_gray(draw(script, background, noise, index, fps)))
        result.analyses += 1
        if detection.motion:
            result.detections += 1
            result.detected_at.append(at)
        change = tracker.update(detection, at)
        if change.ended is not None:
            ended = change.ended
            result.events.append((ended.started_at, ended.last_motion_at, ended.peak_area))
    last = tracker.finish()
    if last is not None:
        result.events.append((last.started_at, last.last_motion_at, last.peak_area))
    return result
