"""The capture-side snapshot of a camera's configuration (plain data, no ORM object)."""

from __future__ import annotations

import dataclasses
from typing import Any


@dataclasses.dataclass(frozen=True, slots=True)
class CameraConfig:
    """What a capture worker needs to know about its camera."""

    camera_id: str
    source: str
    label: str = ""
    width: int = 0
    height: int = 0
    fps: float = 0.0
    quality: int = 80
    rotation: int = 0
    enabled: bool = True
    on_demand: bool = False
    linger: float = 10.0
    bitrate: int = 0
    """H.264 bitrate cap in kbit/s (0: a default for the size)."""
    keyframe_interval: float = 1.0
    """Seconds between H.264 keyframes."""
    controls: tuple[tuple[str, int], ...] = ()
    """Picture control values (name, value), applied live without reopening the source."""
    masks: tuple[tuple[float, float, float, float], ...] = ()
    """Privacy masks (x, y, w, h in percent), burned black before the encode."""

    @classmethod
    def from_model(cls, camera: Any) -> CameraConfig:
        """Copy the fields capture uses from a Camera row."""
        return cls(
            camera_id=camera.id,
            source=camera.source,
            label=camera.label,
            width=camera.width,
            height=camera.height,
            fps=camera.fps,
            quality=camera.quality,
            rotation=camera.rotation,
            enabled=camera.enabled,
            on_demand=camera.on_demand,
            linger=camera.linger,
            bitrate=camera.bitrate,
            keyframe_interval=camera.keyframe_interval,
            controls=_controls(getattr(camera, "controls", None)),
            masks=_masks(getattr(camera, "privacy_masks", None)),
        )

    def capture_fields(self) -> tuple[object, ...]:
        """Return the fields whose change needs the source reopened."""
        return (
            self.source,
            self.width,
            self.height,
            self.fps,
            self.quality,
            self.rotation,
            self.bitrate,
            self.keyframe_interval,
        )


def _controls(values: Any) -> tuple[tuple[str, int], ...]:
    if not isinstance(values, dict):
        return ()
    return tuple(sorted((str(k), int(v)) for k, v in values.items() if isinstance(v, int)))


def _masks(value: Any) -> tuple[tuple[float, float, float, float], ...]:
    from livecam.cameras.masks import parse_masks

    try:
        return parse_masks(value or [])
    except ValueError:  # a row written by hand: no mask is wrong, but never crash capture
        return ()
