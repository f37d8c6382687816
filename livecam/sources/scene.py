"""Scripted test scenes for motion detection: still, an object moving in, a lighting change.

Scene time is the frame count divided by the frame rate (not the wall clock), so what a
scene shows at a given frame is the same on every run, fast or slow machine alike.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from PIL import Image as PILImage
from PIL import ImageFilter

from livecam import drawing
from livecam.sources.base import CaptureOptions, Image, SourceError, SourceSpec
from livecam.sources.pacing import DrawnSource
from livecam.sources.script import Script, script_of

_NOISE_FRAMES = 8  # pre-drawn sensor-noise patterns, cycled (drawing noise per frame is slow)


class SceneSource(DrawnSource):
    """A still, textured scene with sensor noise, plus the scripted change of its target."""

    name = "scene"

    def __init__(self, spec: SourceSpec, options: CaptureOptions) -> None:
        super().__init__(spec, options)
        self.script = script_of(spec.target)
        self._background: Image | None = None
        self._noise: list[npt.NDArray[np.int16]] = []

    def prepare(self) -> None:
        """Draw the scene's background and noise patterns once."""
        self._background, self._noise = render_background(self.width, self.height)

    def draw(self) -> Image:
        """Draw the scene at frame `count` (scene time: count / fps)."""
        if self._background is None:
            raise SourceError(f"{self.name} source is not open")
        return draw(self.script, self._background, self._noise, self.count, self.fps)


def render_background(
    width: int, height: int, seed: int = 7
) -> tuple[Image, list[npt.NDArray[np.int16]]]:
    """Return a deterministic textured background and signed sensor-noise patterns."""
    rng = np.random.default_rng(seed)
    blocks = rng.integers(40, 170, size=(12, 16, 3), dtype=np.uint8)
    # Bicubic blocks, softened: a texture with gradients and edges, like a real scene.
    picture = PILImage.fromarray(blocks).resize((width, height), PILImage.Resampling.BICUBIC)
    background: Image = np.array(picture.filter(ImageFilter.GaussianBlur(3)))
    # Noise as int16 offsets of about +-3 levels: what a real sensor adds to every frame.
    noise = [
        rng.normal(0, 2.0, size=(height, width, 3)).round().astype(np.int16)
        for _ in range(_NOISE_FRAMES)
    ]
    return background, noise


def draw(
    script: Script, background: Image, noise: list[npt.NDArray[np.int16]], index: int, fps: float
) -> Image:
    """Return frame ``index`` of the scene (a new array)."""
    t = index / fps
    active = script.at <= t < script.at + script.duration
    frame = background
    if script.scene == "lighting" and active:
        frame = np.clip(background * np.float32(script.gain), 0, 255).astype(np.uint8)
    elif script.scene == "motion" and active:
        frame = background.copy()
        height, width = frame.shape[:2]
        side = max(4, int(min(width, height) * script.size * 2))
        progress = (t - script.at) / script.duration
        x = int(-side + progress * (width + side))  # enters at the left, leaves at the right
        y = height // 2 - side // 2
        drawing.rectangle(frame, (x, y), (x + side, y + side), (20, 20, 230), -1)
    noisy = frame + noise[index % len(noise)]  # int16: no wrap-around before the clip
    out: Image = np.clip(noisy, 0, 255).astype(np.uint8)
    return out
