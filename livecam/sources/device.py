"""V4L2 webcams through OpenCV: ask for MJPEG and pass the camera's own JPEG through."""

from __future__ import annotations

import errno
import logging
import os
import re
import stat

import cv2

from livecam.sources.base import CaptureOptions, FrameSource, SourceError, SourceFrame, SourceSpec
from livecam.sources.jpeg import checked_jpeg
from livecam.sources.opencv import FOURCC_MJPG, GuardedCapture

logger = logging.getLogger(__name__)

MAX_CORRUPT_IN_A_ROW = 30
_INDEXED = re.compile(r"/dev/video([0-9]+)")


class DeviceSource(FrameSource):
    """Capture from a V4L2 device. Most UVC webcams deliver MJPEG: no decode, no re-encode.

    ``passes_jpeg`` becomes True once open when the camera delivers MJPEG; otherwise frames
    are decoded images.
    """

    def __init__(self, spec: SourceSpec, options: CaptureOptions) -> None:
        super().__init__(spec, options)
        self.path = spec.target
        self.dropped = 0
        """Torn or short JPEG frames from the camera, dropped."""
        self._frames = 0
        self._capture = GuardedCapture(self._open_capture)

    def _open_capture(self) -> cv2.VideoCapture:
        # By index when the node is /dev/videoN (also behind a by-id link): the form every
        # OpenCV build's V4L2 backend supports; by name otherwise.
        real = os.path.realpath(self.path)
        match = _INDEXED.fullmatch(real)
        target: int | str = int(match[1]) if match else real
        return cv2.VideoCapture(target, cv2.CAP_V4L2)

    def open(self) -> None:
        """Open the device and ask for MJPEG at the configured size and rate."""
        self._check_device()
        self.passes_jpeg = False
        self._frames = 0
        if not self._capture.open():
            if self._capture.closed:
                raise SourceError("camera closed")
            raise SourceError(f"cannot open {self.path} (busy, or not a video capture device)")
        capture = self._capture
        # Order matters to V4L2: the pixel format first, then the size, then the rate.
        capture.set(cv2.CAP_PROP_FOURCC, FOURCC_MJPG)
        if self.options.width > 0 and self.options.height > 0:
            capture.set(cv2.CAP_PROP_FRAME_WIDTH, self.options.width)
            capture.set(cv2.CAP_PROP_FRAME_HEIGHT, self.options.height)
        if self.options.fps > 0:
            capture.set(cv2.CAP_PROP_FPS, self.options.fps)
        # With MJPEG and RGB conversion off, OpenCV hands over the camera's compressed buffer.
        self.passes_jpeg = int(capture.get(cv2.CAP_PROP_FOURCC)) == FOURCC_MJPG and capture.set(
            cv2.CAP_PROP_CONVERT_RGB, 0
        )
        logger.info(
            "%s opened at %dx%d (%s)",
            self.path,
            capture.get(cv2.CAP_PROP_FRAME_WIDTH),
            capture.get(cv2.CAP_PROP_FRAME_HEIGHT),
            "MJPEG pass-through" if self.passes_jpeg else "decoded",
        )

    def _check_device(self) -> None:
        """Say clearly what is wrong before OpenCV hides it behind a failed open."""
        real = os.path.realpath(self.path)
        try:
            mode = os.stat(real).st_mode
        except FileNotFoundError:
            raise SourceError(f"no camera at {self.path}") from None
        except OSError as exc:
            raise SourceError(f"cannot open {self.path}: {exc.strerror}") from None
        if not stat.S_ISCHR(mode):
            raise SourceError(f"{self.path} is not a camera device")
        try:
            fd = os.open(real, os.O_RDWR | os.O_NONBLOCK)
        except OSError as exc:
            if exc.errno in (errno.EACCES, errno.EPERM):
                raise SourceError(
                    f"no permission to open {self.path} (add the user to the 'video' group)"
                ) from None
            if exc.errno == errno.EBUSY:
                raise SourceError(f"{self.path} is busy (another program uses it)") from None
            if exc.errno in (errno.ENODEV, errno.ENXIO):
                raise SourceError(f"no camera at {self.path} (unplugged?)") from None
            raise SourceError(f"cannot open {self.path}: {exc.strerror}") from None
        os.close(fd)

    def read(self) -> SourceFrame:
        """Return the next frame: the camera's JPEG when it sends MJPEG, else the image."""
        for _ in range(MAX_CORRUPT_IN_A_ROW):
            ok, data = self._capture.read()
            if not ok or data is None:
                raise self._read_error()
            self._frames += 1
            if not (self.passes_jpeg and data.ndim <= 2):
                height, width = data.shape[:2]
                return SourceFrame(width, height, image=data)
            buffer = data.tobytes()
            checked = checked_jpeg(buffer)
            if checked is not None:
                jpeg, width, height = checked
                return SourceFrame(width, height, jpeg=jpeg)
            if not buffer.startswith(b"\xff\xd8"):
                self._fall_back_to_decoding()
                continue
            # USB cameras occasionally deliver a short or torn frame: drop it, keep going.
            self.dropped += 1
        raise SourceError(f"{self.path} sends only corrupt frames")

    def _fall_back_to_decoding(self) -> None:
        # The format said MJPEG but the buffer is no JPEG at all: let OpenCV decode instead.
        logger.warning("%s does not deliver JPEG buffers; decoding its frames", self.path)
        self.passes_jpeg = False
        self._capture.set(cv2.CAP_PROP_CONVERT_RGB, 1)

    def _read_error(self) -> SourceError:
        if self._capture.closed:
            return SourceError("camera closed")
        if not os.path.exists(self.path):
            return SourceError(f"camera unplugged ({self.path} is gone)")
        if self._frames == 0:
            return SourceError(f"no frame from {self.path} (busy, or unsupported format?)")
        return SourceError(f"{self.path} stopped delivering frames")

    def close(self) -> None:
        """Release the device; a read blocked in OpenCV ends it when it returns."""
        self._capture.close()
