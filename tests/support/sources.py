"""Helpers for source tests: generated video clips whose frames say which frame they are."""

from __future__ import annotations

import threading
import time
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from livecam.sources import make_source, parse_source
from livecam.sources.base import CaptureOptions, FrameSource, SourceError

LEVEL_STEP = 3
"""Frame i of a generated clip is uniformly grey at level 20 + i * LEVEL_STEP."""
MAX_FRAMES = (255 - 20) // LEVEL_STEP


def write_mjpeg(path: Path, images: list[np.ndarray], fps: float) -> Path:
    """Write BGR images as a Motion-JPEG video (the container follows the file's suffix)."""
    height, width = images[0].shape[:2]
    with av.open(str(path), "w") as container:
        stream = container.add_stream("mjpeg", rate=Fraction(fps).limit_denominator(1001))
        stream.width, stream.height, stream.pix_fmt = width, height, "yuvj420p"
        for image in images:
            frame = av.VideoFrame.from_ndarray(image, format="bgr24")
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    return path


def write_clip(path: Path, frames: int, fps: float, size: tuple[int, int] = (320, 240)) -> Path:
    """Write an MJPG .avi whose frame i is grey at level 20 + i * LEVEL_STEP."""
    assert frames <= MAX_FRAMES
    width, height = size
    levels = [20 + index * LEVEL_STEP for index in range(frames)]
    return write_mjpeg(
        path, [np.full((height, width, 3), level, dtype=np.uint8) for level in levels], fps
    )


def frame_index(image: np.ndarray) -> int:
    """Return which frame of a generated clip an image is."""
    return round((float(image.mean()) - 20) / LEVEL_STEP)


def source_for(text: str, **options: float) -> FrameSource:
    """Make the source for a source string with the given capture options."""
    return make_source(parse_source(text), CaptureOptions(**options))  # type: ignore[arg-type]


def read_until_error(source: FrameSource, limit: int = 500) -> SourceError:
    """Read until the source fails; return its SourceError (fail if it never does)."""
    for _ in range(limit):
        try:
            source.read()
        except SourceError as exc:
            return exc
    raise AssertionError(f"no SourceError in {limit} reads")


def close_during_read(source: FrameSource, reads: int = 1, join: float = 3.0) -> tuple[str, float]:
    """Close `source` from this thread while another thread is in read().

    Returns the SourceError message the reader got and the seconds from close() to the end
    of the read. Fails when the read did not end with a SourceError within `join` seconds.
    """
    waiting, outcome = threading.Event(), []

    def reader() -> None:
        waiting.set()
        try:
            for _ in range(reads):
                source.read()
        except SourceError as exc:
            outcome.append((str(exc), time.monotonic()))

    thread = threading.Thread(target=reader)
    thread.start()
    assert waiting.wait(2)
    closed_at = time.monotonic()
    source.close()
    thread.join(join)
    assert not thread.is_alive() and outcome, "the read ended with a SourceError"
    message, ended_at = outcome[0]
    source.close()  # closing twice is harmless
    return message, ended_at - closed_at
