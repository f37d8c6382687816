"""Scripted test scenes for motion detection: still, an object moving in, a lighting change.

Scene time is the frame count divided by the frame rate (not the wall clock), so what a
scene shows at a given frame is the same on every run, fast or slow machine alike.
"""

from __future__ import annotations

import threading
from typing import cast

import cv2
import numpy as np
import numpy.typing as npt

from livecam.sources.base import (
    CaptureOptions,
    FrameSource,
    Image,
    SourceError,
    SourceFrame,
    SourceSpec,
)
from livecam.sources.pacing import Pacer
from livecam.sources.script import Script, script_of

_NOISE_FRAMES = 8  # pre-drawn sensor-noise patterns, cycled (drawing noise per frame is slow)


class SceneSource(FrameSource):
    """A still, textured scene with sensor noise, plus the scripted change of its target."""

    def __init__(self, spec: SourceSpec, options: CaptureOptions) -> None:
        super().__init__(spec, options)
        self.script = script_of(spec.target)
        self.width = options.width or 640
        self.height = options.height or 480
        self.fps = options.fps if options.fps > 0 else 30.0
        self.count = 0
        self._closed = threading.Event()
        self._pacer = Pacer(self.fps)
        self._background: Image | None = None
        self._noise: list[npt.NDArray[np.int16]] = []

    def open(self) -> None:
        """Draw the scene's background and noise patterns once."""
        self._background, self._noise = render_background(self.width, self.height)
        self._closed.clear()
        self._pacer.reset()
        self.count = 0

    def read(self) -> SourceFrame:
        """Wait until the next frame is due and draw it."""
        if self._background is None:
            raise SourceError("scene source is not open")
        if not self._pacer.wait(self._closed):
            raise SourceError("scene source closed")
        image = draw(self.script, self._background, self._noise, self.count, self.fps)
        self.count += 1
        return SourceFrame(self.width, self.height, image=image)

    def close(self) -> None:
        """Stop: a read waiting for its deadline returns at once with SourceError."""
        self._closed.set()


def render_background(
    width: int, height: int, seed: int = 7
) -> tuple[Image, list[npt.NDArray[np.int16]]]:
    """Return a deterministic textured background and signed sensor-noise patterns."""
    rng = np.random.default_rng(seed)
    blocks = rng.integers(40, 170, size=(12, 16, 3), dtype=np.uint8)
    background = cv2.resize(blocks, (width, height), interpolation=cv2.INTER_CUBIC)
    background = cast(Image, cv2.GaussianBlur(background, (0, 0), 3))
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
        frame = cast(Image, cv2.convertScaleAbs(background, alpha=script.gain))
    elif script.scene == "motion" and active:
        frame = background.copy()
        height, width = frame.shape[:2]
        side = max(4, int(min(width, height) * script.size * 2))
        progress = (t - script.at) / script.duration
        x = int(-side + progress * (width + side))  # enters at the left, leaves at the right
        y = height // 2 - side // 2
        cv2.rectangle(frame, (x, y), (x + side, y + side), (20, 20, 230), -1)
    noisy = cv2.add(frame, noise[index % len(noise)], dtype=cv2.CV_8U)
    return np.asarray(noisy, dtype=np.uint8)
