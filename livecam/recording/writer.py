"""Write H.264 video to a fragmented MP4 with PyAV: a crash loses at most about a second.

The file is ``ftyp`` + an empty ``moov`` up front, then one ``moof``+``mdat`` fragment per
keyframe, and a keyframe is forced about every second of capture time. Each fragment is on
disk once it is complete, so after a crash, a full disk or kill -9 everything up to the last
whole fragment is playable (see `livecam.recording.salvage`). Browsers and FFmpeg play and
seek such files like any MP4.

Interface: ``Mp4Writer(path, width, height, fps)``, then ``write_image`` / ``write_jpeg`` per
frame, then ``close()`` (or ``abort()``). The file is written to ``path.part`` under an
exclusive lock (`livecam.recording.lock`), renamed to ``path`` when finished.

Motion and manual recordings no longer use it: they write capture's own H.264 fragments
(`livecam.recording.recorder`). It stays for what has no H.264 stream to copy: the salvage
tests make torn files with it, and `bench.recorder_cost` measures the former path.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import numpy as np
import simplejpeg

from livecam.recording import lock
from livecam.sources.base import Image

TIME_BASE = Fraction(1, 1000)
"""Timestamps in milliseconds: frames keep their capture times (variable frame rate)."""
KEYFRAME_EVERY = 1.0
"""Seconds of capture time between forced keyframes, so between fragments on disk."""
MOVFLAGS = "frag_keyframe+empty_moov+default_base_moof"
"""A fragment per keyframe, no index at the end to lose; base offsets browsers expect."""


class Mp4Writer:
    """Encode frames into ``path`` (written to ``path.part``, renamed when finished)."""

    def __init__(self, path: Path, width: int, height: int, fps: float) -> None:
        self.path = path
        # H.264 with 4:2:0 chroma needs even sides.
        self.width, self.height = width - width % 2, height - height % 2
        self.frames = 0
        self.first_at: float | None = None
        self.last_at = 0.0
        self.part = path.with_name(path.name + ".part")
        self._last_pts = -1
        self._next_key = 0.0
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o750)
        self._lock = lock.hold(self.part)  # creates the file: other processes see it written
        try:
            # flush_packets: each finished fragment goes to the file at once, not to a buffer.
            self._container: Any = av.open(
                str(self.part),
                "w",
                format="mp4",
                options={"movflags": MOVFLAGS, "flush_packets": "1"},
            )
        except BaseException:
            self._lock.close()
            self.part.unlink(missing_ok=True)
            raise
        stream = self._container.add_stream("libx264", rate=max(1, round(fps)))
        stream.width, stream.height = self.width, self.height
        stream.pix_fmt = "yuv420p"
        stream.time_base = TIME_BASE
        stream.codec_context.time_base = TIME_BASE
        # One encoder thread and a fast preset: a recording must not starve capture on a
        # small machine; CRF 23 is x264's default quality. zerolatency: no look-ahead and no
        # B-frames, so each frame leaves the encoder at once and a crash loses only the
        # fragment in progress (files are a little larger).
        stream.options = {"preset": "veryfast", "tune": "zerolatency", "crf": "23", "threads": "1"}
        self._stream = stream

    def write_jpeg(self, jpeg: bytes, captured_at: float) -> None:
        """Decode one JPEG frame and encode it at its capture time."""
        self.write_image(simplejpeg.decode_jpeg(jpeg, colorspace="BGR", fastdct=True), captured_at)

    def write_image(self, image: Image, captured_at: float) -> None:
        """Encode one BGR image at its capture time (resized if the camera's size changed)."""
        if self.first_at is None:
            self.first_at = captured_at
        pts = max(self._last_pts + 1, round((captured_at - self.first_at) * 1000))
        # PyAV (libswscale) converts BGR to the encoder's YUV 4:2:0 and, when the camera's
        # size changed mid-recording, scales to the file's size in the same pass.
        frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(image), format="bgr24")
        frame = frame.reformat(width=self.width, height=self.height, format="yuv420p")
        frame.pts = pts
        frame.time_base = TIME_BASE
        if captured_at >= self._next_key:  # a keyframe starts the next fragment
            frame.pict_type = av.video.frame.PictureType.I
            self._next_key = captured_at + KEYFRAME_EVERY
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
        """Flush the encoder, finish the file, rename it and return its size in bytes."""
        try:
            for packet in self._stream.encode(None):
                self._container.mux(packet)
        finally:
            self._container.close()
        self.part.replace(self.path)  # the lock stays on the file until `release`
        return self.path.stat().st_size

    def release(self) -> None:
        """Let go of the file (after its recording row says it is finished)."""
        self._lock.close()

    def abort(self) -> None:
        """Stop writing: close what can be closed and keep the partial file for salvage."""
        try:
            self._container.close()
        except Exception:  # noqa: S110 - already failing (a full disk): the part stays as is
            pass
