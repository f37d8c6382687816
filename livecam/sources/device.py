"""V4L2 webcams through OpenCV: ask for MJPEG and pass the camera's own JPEG through."""

from __future__ import annotations

import errno
import logging
import os

import cv2

from livecam.sources.base import CaptureOptions, FrameSource, SourceError, SourceFrame, SourceSpec
from livecam.sources.jpeg import jpeg_size
from livecam.sources.opencv import FOURCC_MJPG, GuardedCapture

logger = logging.getLogger(__name__)

_MAX_CORRUPT_IN_A_ROW = 30


class DeviceSource(FrameSource):
    """Capture from /dev/videoN. Most UVC webcams deliver MJPEG: no decode, no re-encode."""

    passes_jpeg = True

    def __init__(self, spec: SourceSpec, options: CaptureOptions) -> None:
        super().__init__(spec, options)
        self.path = spec.target
        self._raw = False
        self.dropped = 0
        self._capture = GuardedCapture(lambda: cv2.VideoCapture(self.path, cv2.CAP_V4L2))

    def open(self) -> None:
        """Open the device and ask for MJPEG at the configured size and rate."""
        self._check_device()
        capture = self._capture.open()
        if capture is None:
            raise SourceError(f"cannot open the camera at {self.path} (busy or not a camera?)")
        capture.set(cv2.CAP_PROP_FOURCC, FOURCC_MJPG)
        if self.options.width and self.options.height:
            capture.set(cv2.CAP_PROP_FRAME_WIDTH, self.options.width)
            capture.set(cv2.CAP_PROP_FRAME_HEIGHT, self.options.height)
        if self.options.fps:
            capture.set(cv2.CAP_PROP_FPS, self.options.fps)
        # With MJPEG and RGB conversion off, OpenCV hands over the camera's compressed buffer.
        self._raw = int(capture.get(cv2.CAP_PROP_FOURCC)) == FOURCC_MJPG and bool(
            capture.set(cv2.CAP_PROP_CONVERT_RGB, 0)
        )
        logger.info("%s opened (%s)", self.path, "MJPEG pass-through" if self._raw else "decoded")

    def _check_device(self) -> None:
        real = os.path.realpath(self.path)
        if not os.path.exists(real):
            raise SourceError(f"no camera at {self.path}")
        try:
            fd = os.open(real, os.O_RDWR | os.O_NONBLOCK)
        except OSError as exc:
            if exc.errno in (errno.EACCES, errno.EPERM):
                raise SourceError(
                    f"no permission to open {self.path} (add the user to 'video')"
                ) from None
            if exc.errno == errno.EBUSY:
                raise SourceError(
                    f"{self.path} is busy (another program uses the camera)"
                ) from None
            raise SourceError(f"cannot open {self.path}: {exc.strerror}") from None
        os.close(fd)

    def read(self) -> SourceFrame:
        """Return the next frame: the camera's JPEG when it sends MJPEG, else the image."""
        for _ in range(_MAX_CORRUPT_IN_A_ROW):
            ok, data = self._capture.read()
            if not ok or data is None:
                if self._capture.closed:
                    raise SourceError("camera closed")
                if not os.path.exists(self.path):
                    raise SourceError(f"camera unplugged ({self.path} is gone)")
                raise SourceError(f"no frame from {self.path}")
            if not (self._raw and data.ndim <= 2):
                height, width = data.shape[:2]
                return SourceFrame(width, height, image=data)
            jpeg = data.tobytes()
            size = jpeg_size(jpeg)
            if size is not None:
                return SourceFrame(size[0], size[1], jpeg=jpeg)
            # USB cameras occasionally deliver a short or torn frame: drop it, keep going.
            self.dropped += 1
        raise SourceError(f"{self.path} sends only corrupt frames")

    def close(self) -> None:
        """Release the device (the file descriptor is closed)."""
        self._capture.close()
