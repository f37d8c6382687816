"""Stream frames from a V4L2 device through linuxpy: MJPEG as is, YUYV decoded with PyAV.

Reads wait in ``select`` on the device and a wake-up pipe, so ``close`` from another
thread ends a waiting read at once, and a camera that stops sending ends one after the
read timeout instead of hanging the capture thread.
"""

from __future__ import annotations

import logging
import os
import select
import threading
from typing import Any

import numpy as np

from livecam.sources.base import SourceFrame

logger = logging.getLogger(__name__)

MJPEG_FORMATS = ("MJPEG", "JPEG")
"""linuxpy's names of the compressed formats passed through as JPEG."""
_RAW_FORMATS = {"YUYV": "yuyv422", "UYVY": "uyvy422", "RGB24": "rgb24", "BGR24": "bgr24"}
"""Uncompressed formats decoded to BGR (linuxpy name -> FFmpeg pixel format)."""


class StreamClosed(Exception):
    """The stream was closed (from another thread) while or before reading."""


class V4l2Stream:
    """One streaming V4L2 capture: ask for a format, then read frames until closed."""

    def __init__(self, path: str) -> None:
        from linuxpy.video.device import Device

        self.path = path
        self._device: Any = Device(path, blocking=False)
        self._capture: Any = None
        self._lock = threading.Lock()
        self._closing = threading.Event()
        self._wake_r, self._wake_w = os.pipe()
        self._reformatter: Any = None
        self.width = self.height = 0
        self.pixel_format = ""
        self._bytes_per_line = 0

    def start(self, width: int, height: int, fps: float) -> None:
        """Open the device, ask for MJPEG (else YUYV) at the size and rate, and stream."""
        from linuxpy.video.device import BufferType, VideoCapture

        with self._lock:
            self._device.open()
            capture = VideoCapture(self._device, size=4)
            # Order matters to V4L2: the pixel format with the size first, then the rate.
            current = capture.get_format()
            want_w, want_h = (width, height) if width > 0 and height > 0 else (0, 0)
            for fourcc in ("MJPG", "YUYV"):
                try:
                    capture.set_format(want_w or current.width, want_h or current.height, fourcc)
                except OSError as exc:
                    logger.info("%s: %s refused: %s", self.path, fourcc, exc)
                    continue
                if self._format_name(capture.get_format()) in MJPEG_FORMATS:
                    break
            if fps > 0:
                try:
                    capture.set_fps(fps)
                except (OSError, ValueError) as exc:  # fixed-rate devices refuse
                    logger.info("%s: frame rate %s refused: %s", self.path, fps, exc)
            fmt = self._device.get_format(BufferType.VIDEO_CAPTURE)
            self.width, self.height = int(fmt.width), int(fmt.height)
            self.pixel_format = self._format_name(fmt)
            self._bytes_per_line = int(fmt.bytes_per_line)
            capture.open()  # request buffers, start streaming
            self._capture = capture

    @staticmethod
    def _format_name(fmt: Any) -> str:
        return str(getattr(fmt.pixel_format, "name", fmt.pixel_format))

    @property
    def passes_jpeg(self) -> bool:
        """Return True when the device delivers JPEG (Motion-JPEG) frames."""
        return self.pixel_format in MJPEG_FORMATS

    @property
    def decodable(self) -> bool:
        """Return True when frames are JPEG or a raw format this stream can decode."""
        return self.passes_jpeg or self.pixel_format in _RAW_FORMATS

    def read(self, timeout: float) -> bytes:
        """Return the next frame's bytes; TimeoutError when none came, StreamClosed when closed."""
        with self._lock:
            try:
                capture = self._capture
                if capture is None or self._closing.is_set():
                    raise StreamClosed
                ready, _, _ = select.select([self._device, self._wake_r], [], [], timeout)
                if self._closing.is_set():
                    raise StreamClosed
                if not ready:
                    raise TimeoutError(f"no frame in {timeout:.0f} s")
                frame = capture.buffer.raw_read()
                return bytes(frame.data)
            finally:
                if self._closing.is_set():  # close() came while reading: release here
                    self._release_locked()

    def frame(self, data: bytes) -> SourceFrame:
        """Return a raw (uncompressed) frame: its BGR image, and for YUV its own picture."""
        import av
        from av.video.reformatter import VideoReformatter

        fmt = _RAW_FORMATS[self.pixel_format]
        channels = 3 if fmt in ("rgb24", "bgr24") else 2
        line = self._bytes_per_line or self.width * channels
        rows = np.frombuffer(data, np.uint8)[: line * self.height].reshape(self.height, line)
        pixels = rows[:, : self.width * channels].reshape(self.height, self.width, channels)
        if fmt == "bgr24":
            return SourceFrame(self.width, self.height, image=pixels.copy())
        if fmt == "rgb24":
            image = np.ascontiguousarray(pixels[:, :, ::-1])
            return SourceFrame(self.width, self.height, image=image)
        if self._reformatter is None:
            self._reformatter = VideoReformatter()  # keeps its swscale context between frames
        # The YUV picture goes along: H.264 is encoded from it, without a BGR round trip.
        picture = av.VideoFrame.from_ndarray(np.ascontiguousarray(pixels), format=fmt)
        image = self._reformatter.reformat(picture, format="bgr24").to_ndarray()
        return SourceFrame(self.width, self.height, image=image, picture=picture)

    def close(self) -> None:
        """Stop streaming and release the device; a waiting read ends at once."""
        if self._closing.is_set():
            return
        self._closing.set()
        try:
            os.write(self._wake_w, b"x")
        except OSError:
            pass
        if self._lock.acquire(blocking=False):
            try:
                self._release_locked()
            finally:
                self._lock.release()

    def _release_locked(self) -> None:
        capture, self._capture = self._capture, None
        try:
            if capture is not None:
                capture.close()
        except (OSError, ValueError) as exc:  # unplugged: the device is gone anyway
            logger.info("%s: %s while stopping", self.path, exc)
        try:
            self._device.close()
        except OSError:
            pass
        for fd in (self._wake_r, self._wake_w):
            try:
                os.close(fd)
            except OSError:
                pass
        self._wake_r = self._wake_w = -1
