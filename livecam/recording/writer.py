"""Write frames to an H.264 MP4 with PyAV: yuv420p, moov up front, so browsers play it."""

from __future__ import annotations

import os
from fractions import Fraction
from pathlib import Path
from typing import Any, cast

import av
import cv2
import numpy as np
import simplejpeg

from livecam.sources.base import Image

TIME_BASE = Fraction(1, 1000)
"""Timestamps in milliseconds: frames keep their capture times (variable frame rate)."""


class Mp4Writer:
    """Encode JPEG frames into ``path`` (written to ``path.part``, renamed when finished)."""

    def __init__(self, path: Path, width: int, height: int, fps: float) -> None:
        self.path = path
        # H.264 with 4:2:0 chroma needs even sides.
        self.width, self.height = width - width % 2, height - height % 2
        self.frames = 0
        self.first_at: float | None = None
        self.last_at = 0.0
        self._last_pts = -1
        self._part = path.with_name(path.name + ".part")
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o750)
        self._container: Any = av.open(
            str(self._part), "w", format="mp4", options={"movflags": "+faststart"}
        )
        stream = self._container.add_stream("libx264", rate=max(1, round(fps)))
        stream.width, stream.height = self.width, self.height
        stream.pix_fmt = "yuv420p"
        stream.time_base = TIME_BASE
        stream.codec_context.time_base = TIME_BASE
        # One encoder thread and a fast preset: a recording must not starve capture on a
        # small machine; CRF 23 is x264's default quality.
        stream.options = {"preset": "veryfast", "crf": "23", "threads": "1"}
        self._stream = stream

    def write_jpeg(self, jpeg: bytes, captured_at: float) -> None:
        """Decode one JPEG frame and encode it at its capture time."""
        self.write_image(simplejpeg.decode_jpeg(jpeg, colorspace="BGR", fastdct=True), captured_at)

    def write_image(self, image: Image, captured_at: float) -> None:
        """Encode one BGR image at its capture time (resized if the camera's size changed)."""
        if self.first_at is None:
            self.first_at = captured_at
        pts = max(self._last_pts + 1, round((captured_at - self.first_at) * 1000))
        height, width = image.shape[:2]
        if (width, height) != (self.width, self.height):
            image = cast(
                Image, cv2.resize(image, (self.width, self.height), interpolation=cv2.INTER_AREA)
            )
        yuv = cast(Image, cv2.cvtColor(np.ascontiguousarray(image), cv2.COLOR_BGR2YUV_I420))
        frame = av.VideoFrame.from_ndarray(yuv, format="yuv420p")
        frame.pts = pts
        frame.time_base = TIME_BASE
        for packet in self._stream.encode(frame):
            self._container.mux(packet)
        self._last_pts = pts
        self.last_at = captured_at
        self.frames += 1

    @property
    def duration(self) -> float:
        """Return the recorded time: first to last frame plus one frame's length."""
        if self.first_at is None or self.frames == 0:
            return 0.0
        span = self.last_at - self.first_at
        return span + (span / (self.frames - 1) if self.frames > 1 else 0.0)

    def close(self) -> int:
        """Flush the encoder, finish the file and return its size in bytes."""
        try:
            for packet in self._stream.encode(None):
                self._container.mux(packet)
        finally:
            self._container.close()
        os.replace(self._part, self.path)
        return self.path.stat().st_size

    def abort(self) -> None:
        """Give up: close and delete the partial file."""
        try:
            self._container.close()
        except Exception:  # noqa: S110 - already failing; the file is deleted below
            pass
        self._part.unlink(missing_ok=True)
