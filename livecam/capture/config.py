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
        )

    def capture_fields(self) -> tuple[object, ...]:
        """Return the fields whose change needs the source reopened."""
        return (self.source, self.width, self.height, self.fps, self.quality, self.rotation)
