"""Capture side of the live view: encode and mux a camera's H.264 streams while watched.

Runs in the camera's capture thread, right after the one JPEG encode, on the image the
worker already has (decoded only when the JPEG was passed through). One encoder per watched
width; none at all while nobody watches, so an unwatched camera costs no H.264 CPU.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable
from typing import Any

from livecam import metrics
from livecam.capture import processing
from livecam.frames import Frame
from livecam.sources.base import H264Sample, Image
from livecam.video import clock
from livecam.video.encoder import AccessUnit, EncoderError, H264Encoder, even
from livecam.video.mux import FragmentMuxer
from livecam.video.packet import VideoPacket
from livecam.video.passing import PassThrough

logger = logging.getLogger(__name__)

RETRY_AFTER = 10.0
"""Seconds before an encoder that failed is tried again."""


@dataclasses.dataclass(slots=True)
class _Stream:
    """One watched width: its encoder (re-created when the picture size changes) and muxer."""

    muxer: FragmentMuxer
    encoder: H264Encoder | None = None
    size: tuple[int, int] = (0, 0)
    last_key: float = -1e18
    """Capture time of the last keyframe."""


class VideoProducer:
    """Encode and mux one camera's frames for the widths someone watches."""

    def __init__(
        self,
        camera_id: str,
        wanted: Callable[[str], frozenset[int]],
        publish: Callable[[VideoPacket], None],
        *,
        fps: float = 0.0,
        bitrate: int = 0,
        keyframe_interval: float = 1.0,
        codec: str = "libx264",
    ) -> None:
        self.camera_id = camera_id
        self.error = ""
        """Why the H.264 stream is unavailable (empty when it works or nobody watches)."""
        self._wanted = wanted
        self._publish = publish
        self._fps = fps
        self._bitrate = bitrate
        self._codec = codec
        self._key_interval = keyframe_interval
        self._streams: dict[int, _Stream] = {}
        self._passing = PassThrough()
        self._retry_at = 0.0
        self._encoded = metrics.VIDEO_FRAMES_ENCODED.labels(camera_id)

    @property
    def mode(self) -> str:
        """Return how H.264 is made: "passthrough" (the source's own) or "encoded"."""
        return "passthrough" if self._passing.active else "encoded"

    @property
    def reason(self) -> str:
        """Return why the source's own H.264 is re-encoded ("" when it passes or has none)."""
        return self._passing.reason

    def on_frame(
        self,
        frame: Frame,
        image: Image | None,
        sample: H264Sample | None = None,
        withheld: str = "",
        picture: Any = None,
    ) -> None:
        """Make H.264 of ``frame`` for the watched widths.

        ``image`` is its picture (None when the JPEG passed through); ``sample`` the source's
        own H.264 picture when the frame is that picture unchanged (then, if fit, it passes
        through at full size without an encode); ``withheld`` why the source's own H.264 was
        not given (a mask, a resize); ``picture`` the decoder's own picture when ``image`` is
        it unchanged (encoded at full size as it is: no conversion from BGR), or a callable
        that makes it (a drawn source's `PatchedPicture`).
        """
        widths = self._wanted(self.camera_id)
        passing = self._passing.check(sample, frame.captured_at, withheld)
        if not widths:
            if self._streams:
                self.close()
            return
        for width in [w for w in self._streams if w not in widths]:
            self._drop(width)
        if self._retry_at and time.monotonic() < self._retry_at:
            return
        if passing and sample is not None:
            for width in [w for w in widths if not 0 < w < frame.width]:
                self._pass(width, sample, frame)
            widths = frozenset(w for w in widths if 0 < w < frame.width)
            if not widths:
                return
        if image is None:
            image = processing.decode(frame.jpeg)  # only when watched: pass-through JPEGs
        scaled: dict[int, Image] = {}
        full = image.shape[1]
        if callable(picture):  # a drawn source's picture, made only now that H.264 needs it
            picture = picture() if any(not 0 < w < full for w in widths) else None
        for width in sorted(widths):
            target = width if 0 < width < full else 0
            scaled_image = scaled.get(target)
            if scaled_image is None:
                scaled_image = scaled[target] = (
                    processing.process(image, target, 0, 0) if target else image
                )
            try:
                self._encode(width, scaled_image, frame, None if target else picture)
            except EncoderError as exc:
                self._fail(str(exc))
                return
        self.error, self._retry_at = "", 0.0

    def _encode(self, width: int, image: Image, frame: Frame, picture: Any = None) -> None:
        stream = self._streams.get(width)
        if stream is None:
            stream = self._streams[width] = _Stream(FragmentMuxer(self.camera_id, width, self._fps))
        height, full_width = image.shape[:2]
        size = (even(full_width), even(height))
        if stream.encoder is None or stream.size != size:
            stream.encoder = H264Encoder(
                *size,
                self._fps,
                self._bitrate,
                self._codec,
                keyframe_interval=self._key_interval,
            )
            stream.size = size
            stream.last_key = -1e18  # a new encoder starts with a keyframe anyway
        decode_time = clock.clock_for(self.camera_id, width).next(frame.captured_at)
        since = frame.captured_at - stream.last_key
        keyframe = since >= self._key_interval or since < 0  # < 0: the wall clock stepped back
        source = image if picture is None else picture
        for unit in stream.encoder.encode(source, decode_time, keyframe):
            self._encoded.inc()
            if unit.keyframe:
                stream.last_key = frame.captured_at
            packet = stream.muxer.mux(unit, frame.seq, frame.captured_at, decode_time, size)
            if packet is not None:
                self._publish(packet)

    def _pass(self, width: int, sample: H264Sample, frame: Frame) -> None:
        stream = self._streams.get(width)
        if stream is None or stream.encoder is not None:
            if stream is not None:
                self._drop(width)
            if not sample.keyframe:
                return  # a viewer can only start at a keyframe
            stream = self._streams[width] = _Stream(FragmentMuxer(self.camera_id, width, self._fps))
        decode_time = clock.clock_for(self.camera_id, width).next(frame.captured_at)
        unit = AccessUnit(sample.units, sample.keyframe)
        size = (frame.width, frame.height)
        packet = stream.muxer.mux(unit, frame.seq, frame.captured_at, decode_time, size)
        if packet is not None:
            self._publish(packet)

    def _fail(self, reason: str) -> None:
        if reason != self.error:
            logger.warning("camera %s: %s", self.camera_id, reason)
        self.error = reason
        self._retry_at = time.monotonic() + RETRY_AFTER
        self.close()

    def _drop(self, width: int) -> None:
        stream = self._streams.pop(width, None)
        if stream is not None and stream.encoder is not None:
            stream.encoder.close()

    def close(self) -> None:
        """Release every encoder (nobody watches, or the capture session ended)."""
        for width in list(self._streams):
            self._drop(width)
