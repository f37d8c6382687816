"""One H.264 encoder (libx264 through PyAV): low latency, no B-frames, keyframes on time."""

from __future__ import annotations

import dataclasses
import logging
from fractions import Fraction
from typing import Any

import numpy as np

from livecam.sources.base import Image
from livecam.video import h264
from livecam.video.boxes import TIMESCALE
from livecam.video.headers import InBandHeaders

logger = logging.getLogger(__name__)

_FULL_RANGE = 2
"""FFmpeg's AVCOL_RANGE_JPEG: samples use 0 to 255 (x264 is told limited range, 16 to 235)."""
_LUMA_TO_LIMITED = np.round(16 + np.arange(256) * 219 / 255).astype(np.uint8)
_CHROMA_TO_LIMITED = np.round(128 + (np.arange(256) - 128) * 224 / 255).astype(np.uint8)

BASE_BITRATE = 1200
"""kbit/s for 640x480; other sizes scale by pixel count (see `default_bitrate`)."""


class EncoderError(RuntimeError):
    """The encoder could not be created or refused a frame."""


def default_bitrate(width: int, height: int) -> int:
    """Return the default bitrate cap in kbit/s for a picture size (1200 at 640x480)."""
    return max(150, min(8000, round(BASE_BITRATE * width * height / (640 * 480))))


def even(value: int) -> int:
    """Return ``value`` rounded down to an even number (4:2:0 needs even sizes), at least 2."""
    return max(2, value - value % 2)


@dataclasses.dataclass(frozen=True, slots=True)
class X264Tuning:
    """How libx264 spends CPU and bits: preset, and CRF (0: plain bitrate) under a VBV cap."""

    preset: str = "superfast"
    crf: float = 21.0
    """Constant quality; the camera's bitrate is then a cap (VBV maxrate over a 1 s buffer)."""
    aq: bool = True
    """Adaptive quantisation (spends bits on flat areas, where blocking shows most)."""


TUNING = X264Tuning()


def x264_options(kbps: int, tuning: X264Tuning = TUNING) -> dict[str, str]:
    """Return libx264's options: low latency, no B-frames, keyframes forced by the caller."""
    params = (
        f"bframes=0:scenecut=0:keyint=600:min-keyint=1:rc-lookahead=0:"
        f"vbv-maxrate={kbps}:vbv-bufsize={kbps}:repeat-headers=1:aud=0"
    )
    if not tuning.aq:
        params += ":aq-mode=0"
    options = {
        "preset": tuning.preset,
        "tune": "zerolatency",
        "profile": "baseline",
        "forced-idr": "1",
        "x264-params": params,
    }
    if tuning.crf:
        options["crf"] = f"{tuning.crf:g}"
    return options


@dataclasses.dataclass(frozen=True, slots=True)
class AccessUnit:
    """One encoded picture: its NAL units (no start codes) and whether it is a keyframe."""

    units: list[bytes]
    keyframe: bool


class H264Encoder:
    """Encode BGR images of one size; every output picture is one `AccessUnit`.

    zerolatency: no lookahead, no B-frames, one picture in, one picture out (no frame of delay
    in the encoder); the preset and rate control come from `X264Tuning` (bench/RESULTS.md has
    the measurements behind the defaults). Baseline profile, so every browser decodes it; the SPS
    carries VUI bitstream_restriction with max_num_reorder_frames=0 (x264 writes it), which
    keeps Chrome from holding frames back. Keyframes are forced on time by the caller
    (``keyframe=True``) rather than by frame count, since capture rates vary; each one carries
    the SPS and PPS, whichever way the encoder gives them (`InBandHeaders`).
    """

    def __init__(
        self,
        width: int,
        height: int,
        fps: float,
        bitrate_kbps: int,
        codec: str = "libx264",
        tuning: X264Tuning = TUNING,
        keyframe_interval: float = 1.0,
    ) -> None:
        import av

        self.width, self.height = even(width), even(height)
        kbps = bitrate_kbps or default_bitrate(self.width, self.height)
        self.bitrate = kbps
        try:
            ctx: Any = av.CodecContext.create(codec, "w")
            ctx.width, ctx.height = self.width, self.height
            ctx.pix_fmt = "yuv420p"
            ctx.time_base = self._time_base = Fraction(1, TIMESCALE)
            ctx.framerate = Fraction(round(fps or 30))
            if codec != "libx264" or not tuning.crf:
                ctx.bit_rate = kbps * 1000
            ctx.thread_count = 1  # one capture thread per camera already; no frame threads
            # Every encoder, not only x264's options: the muxer writes pictures in decode order
            # with no composition offsets, and browsers must not hold frames back.
            ctx.max_b_frames = 0
            if codec != "libx264":
                # Keyframes are forced on time (``keyframe``); an encoder that ignores that
                # request still makes one every two intervals of its own accord.
                ctx.gop_size = max(1, round(2 * keyframe_interval * (fps or 30)))
            ctx.options = x264_options(kbps, tuning) if codec == "libx264" else {}
            ctx.open()
        except Exception as exc:  # PyAV raises its own FFmpeg error types
            raise EncoderError(f"H.264 encoder failed to start: {exc}") from exc
        self._ctx = ctx
        self._headers = InBandHeaders(bytes(ctx.extradata or b""))
        self._av = av
        self._picture_types = (av.video.frame.PictureType.NONE, av.video.frame.PictureType.I)

    def encode(self, image: Image | Any, pts: int, keyframe: bool) -> list[AccessUnit]:
        """Encode one picture shown at ``pts`` (media ticks); return the pictures that came out.

        ``image`` is a BGR image, or a decoder's own picture (a PyAV ``VideoFrame``), which
        is taken as it is when it already is 4:2:0 of the encoder's size.
        """
        av = self._av
        if isinstance(image, av.VideoFrame):
            frame = self._yuv(image)
        else:
            try:
                # No copy: the frame wraps the image for the conversion below (0.15 ms at VGA).
                frame = av.VideoFrame.from_numpy_buffer(image, format="bgr24")
            except ValueError:  # a strided view (a crop): copy it
                frame = av.VideoFrame.from_ndarray(image, format="bgr24")
            # One conversion: BGR to YUV 4:2:0, scaled to the even size the encoder was made for.
            frame = frame.reformat(width=self.width, height=self.height, format="yuv420p")
        # A decoder's picture brings its own time base and picture type: both would steer
        # the encoder (pts rescaled, a keyframe wherever the source had one).
        frame.time_base = self._time_base
        frame.pts = pts
        frame.pict_type = self._picture_types[keyframe]
        try:
            packets = self._ctx.encode(frame)
        except Exception as exc:
            raise EncoderError(f"H.264 encode failed: {exc}") from exc
        units_out = []
        for packet in packets:
            units = self._headers.complete(h264.split_annexb(bytes(packet)))
            if units is not None:  # None: parameter sets on their own, kept for the keyframe
                units_out.append(AccessUnit(units, h264.is_keyframe(units)))
        return units_out

    def _yuv(self, picture: Any) -> Any:
        """Return a decoder's picture as limited-range YUV 4:2:0 of the encoder's size."""
        if picture.format.name == "yuv420p" and picture.color_range == _FULL_RANGE:
            # VP9 and AV1 decoders flag full range on plain yuv420p; swscale copies such a
            # picture unchanged, so the levels are mapped here (yuvj formats it maps itself).
            planes = picture.to_ndarray()
            planes[: picture.height] = _LUMA_TO_LIMITED[planes[: picture.height]]
            planes[picture.height :] = _CHROMA_TO_LIMITED[planes[picture.height :]]
            picture = self._av.VideoFrame.from_ndarray(planes, format="yuv420p")
        size = (picture.width, picture.height)
        if picture.format.name == "yuv420p" and size == (self.width, self.height):
            return picture  # the common case (H.264, HEVC, VP9 decoders): no conversion at all
        return picture.reformat(width=self.width, height=self.height, format="yuv420p")

    def close(self) -> None:
        """Release the encoder."""
        self._ctx = None
