"""V4L2 webcams through linuxpy: ask for MJPEG and pass the camera's own JPEG through."""

from __future__ import annotations

import errno
import logging
import os
import stat

from livecam.sources import v4l2
from livecam.sources.base import (
    CaptureOptions,
    Control,
    FrameSource,
    SourceError,
    SourceFrame,
    SourceSpec,
)
from livecam.sources.jpeg import checked_jpeg
from livecam.sources.v4l2stream import StreamClosed, V4l2Stream

logger = logging.getLogger(__name__)

MAX_CORRUPT_IN_A_ROW = 30
READ_TIMEOUT = 5.0
"""Seconds without a frame before a read fails (a camera that stopped sending)."""
_JPEG_SEARCH = 64
"""Some cameras put a few bytes in front of the JPEG in each buffer: skipped."""


class DeviceSource(FrameSource):
    """Capture from a V4L2 device. Most UVC webcams deliver MJPEG: no decode, no re-encode.

    ``passes_jpeg`` becomes True once open when the camera delivers MJPEG; otherwise frames
    (YUYV and other raw formats) are decoded images.
    """

    def __init__(self, spec: SourceSpec, options: CaptureOptions) -> None:
        super().__init__(spec, options)
        self.path = spec.target
        self.dropped = 0
        """Torn or short JPEG frames from the camera, dropped."""
        self._frames = 0
        self._stream: V4l2Stream | None = None
        self._closed = False
        self._controls: object = None  # a linuxpy Device for the controls, opened on first use

    def open(self) -> None:
        """Open the device and ask for MJPEG at the configured size and rate."""
        self._check_device()
        self.passes_jpeg = False
        self._frames = 0
        self._closed = False
        real = os.path.realpath(self.path)
        try:
            stream = V4l2Stream(real)
        except ImportError:
            raise SourceError("cameras need linuxpy (Linux only)") from None
        self._stream = stream
        try:
            stream.start(self.options.width, self.options.height, self.options.fps)
        except (OSError, StreamClosed) as exc:
            stream.close()
            if self._closed:
                raise SourceError("camera closed") from None
            logger.info("%s: %s", self.path, exc)
            raise SourceError(
                f"cannot open {self.path} (busy, or not a video capture device)"
            ) from None
        if not stream.decodable:
            stream.close()
            raise SourceError(f"{self.path} delivers {stream.pixel_format}, which is not supported")
        self.passes_jpeg = stream.passes_jpeg
        logger.info(
            "%s opened at %dx%d (%s)",
            self.path,
            stream.width,
            stream.height,
            "MJPEG pass-through" if self.passes_jpeg else f"{stream.pixel_format}, decoded",
        )

    def _check_device(self) -> None:
        """Say clearly what is wrong before a failed open hides it."""
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
        stream = self._stream
        if stream is None or self._closed:
            raise SourceError("camera closed")
        for _ in range(MAX_CORRUPT_IN_A_ROW):
            try:
                data = stream.read(READ_TIMEOUT)
            except StreamClosed:
                raise SourceError("camera closed") from None
            except (OSError, TimeoutError) as exc:
                raise self._read_error(exc) from None
            self._frames += 1
            if not self.passes_jpeg:
                return stream.frame(data)
            start = data.find(b"\xff\xd8", 0, _JPEG_SEARCH)
            checked = checked_jpeg(data[start:] if start > 0 else data)
            if checked is not None:
                jpeg, width, height = checked
                return SourceFrame(width, height, jpeg=jpeg)
            # USB cameras occasionally deliver a short or torn frame: drop it, keep going.
            self.dropped += 1
        raise SourceError(f"{self.path} sends only corrupt frames")

    def _read_error(self, exc: Exception) -> SourceError:
        if self._closed:
            return SourceError("camera closed")
        if not os.path.exists(self.path):
            return SourceError(f"camera unplugged ({self.path} is gone)")
        logger.info("%s: %s", self.path, exc)
        if self._frames == 0:
            return SourceError(f"no frame from {self.path} (busy, or unsupported format?)")
        return SourceError(f"{self.path} stopped delivering frames")

    def _control_device(self) -> object:
        # A second handle on the same node: V4L2 lets one process set controls while another
        # handle streams, so capture goes on undisturbed.
        if self._controls is None:
            from linuxpy.video.device import Device

            device = Device(os.path.realpath(self.path))
            device.open()
            self._controls = device
        return self._controls

    def controls(self) -> list[Control]:
        """Return the device's V4L2 controls (empty when they cannot be read)."""
        try:
            return v4l2.read_controls(self._control_device())[0]
        except (ImportError, OSError) as exc:
            logger.warning("%s: cannot read controls: %s", self.path, exc)
            return []

    def set_controls(self, values: dict[str, int]) -> None:
        """Set V4L2 controls by name; a refused one is logged, never fatal."""
        try:
            problems = v4l2.set_controls(self._control_device(), values)
        except (ImportError, OSError) as exc:
            problems = [str(exc)]
        for problem in problems:
            logger.warning("%s: control not applied: %s", self.path, problem)

    def close(self) -> None:
        """Release the device; a read waiting for a frame ends at once."""
        self._closed = True
        stream, self._stream = self._stream, None
        if stream is not None:
            stream.close()
        device, self._controls = self._controls, None
        if device is not None:
            try:
                device.close()  # type: ignore[attr-defined]
            except OSError:
                pass
