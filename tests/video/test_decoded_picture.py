"""H.264 from a decoder's own picture: encoded as it is, with our timing and our keyframes."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import av
import numpy as np
import pytest

from livecam.capture.config import CameraConfig
from livecam.capture.convert import own_video
from livecam.frames import Frame
from livecam.sources.avreader import VideoReader
from livecam.sources.base import CaptureOptions, SourceFrame, SourceSpec
from livecam.sources.pattern import PatternSource
from livecam.sources.yuv import planes_of
from livecam.video.encoder import H264Encoder
from livecam.video.producer import VideoProducer

DARK, BRIGHT = 30, 220
"""Grey levels of the clips' background and moving bar."""


def write_clip(path: Path, codec: str, pix_fmt: str, frames: int = 30) -> None:
    """Write a 160x120 15 fps clip: a dark frame with a bright bar that moves 3 px a frame."""
    with av.open(str(path), "w") as container:
        stream = container.add_stream(codec, rate=15)
        stream.width, stream.height, stream.pix_fmt = 160, 120, pix_fmt
        if codec == "libx264":
            stream.options = {"bf": "2", "g": "10", "preset": "medium"}  # I, P and B pictures
        for index in range(frames):
            image = np.full((120, 160, 3), DARK, dtype=np.uint8)
            image[:, (index * 3) % 140 : (index * 3) % 140 + 20] = BRIGHT
            for packet in stream.encode(av.VideoFrame.from_ndarray(image, format="bgr24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)


def decoded_frames(path: Path) -> list[SourceFrame]:
    """Read a whole clip with livecam's own reader."""
    reader = VideoReader(str(path), file=True)
    frames = []
    while (frame := reader.read()) is not None:
        frames.append(frame)
    reader.close()
    return frames


def encode_all(frames: list[SourceFrame], use_picture: bool) -> tuple[list[bool], list[np.ndarray]]:
    """Encode every frame (a keyframe each 4th, by our choice); return keyframe flags, pictures."""
    encoder = H264Encoder(160, 120, 15.0, 0)
    keyframes, data = [], b""
    for index, frame in enumerate(frames):
        source = frame.picture if use_picture else frame.image
        for unit in encoder.encode(source, index * 6000, index % 4 == 0):
            keyframes.append(unit.keyframe)
            data += b"".join(b"\x00\x00\x00\x01" + nal for nal in unit.units)
    decoder = av.CodecContext.create("h264", "r")
    packets = decoder.parse(data) + decoder.parse(None)
    shown = [f for p in packets for f in decoder.decode(p)] + decoder.decode(None)
    return keyframes, [f.to_ndarray(format="bgr24").astype(int) for f in shown]


@pytest.mark.parametrize(
    ("codec", "pix_fmt"),
    [("libx264", "yuv420p"), ("mjpeg", "yuvj420p"), ("mpeg4", "yuv420p")],
    ids=["h264 with B-frames", "full-range mjpeg", "mpeg4"],
)
def test_the_decoders_picture_encodes_to_the_same_picture_as_its_bgr_image(
    tmp_path: Path, codec: str, pix_fmt: str
):
    path = tmp_path / f"clip.{'avi' if codec == 'mjpeg' else 'mp4'}"
    write_clip(path, codec, pix_fmt)
    frames = decoded_frames(path)
    assert len(frames) == 30
    assert all(f.picture is not None and f.picture.format.name == pix_fmt for f in frames)
    from_picture = encode_all(frames, use_picture=True)
    from_image = encode_all(frames, use_picture=False)
    # Our keyframes, not the source's (its I pictures) nor its B pictures.
    assert from_picture[0] == [index % 4 == 0 for index in range(30)] == from_image[0]
    assert len(from_picture[1]) == len(from_image[1]) == 30
    for frame, via_yuv, via_bgr in zip(frames, from_picture[1], from_image[1], strict=True):
        assert frame.image is not None
        # The levels stay where they were: full range is not taken for limited range.
        assert np.abs(via_yuv - frame.image.astype(int)).mean() < 4
        assert np.abs(via_yuv - via_bgr).mean() < 3


def test_the_picture_is_used_only_when_the_image_is_unchanged():
    image = np.zeros((120, 160, 3), dtype=np.uint8)
    raw = SourceFrame(160, 120, image=image, picture="the decoder's picture")
    plain = CameraConfig("cam", "file:clip.mp4", width=160, height=120)
    masked = CameraConfig("cam", "file:clip.mp4", width=160, height=120, masks=((0, 0, 10, 10),))
    assert own_video(raw, plain, image)[2] == "the decoder's picture"
    assert own_video(raw, plain, image.copy())[2] is None  # drawn on (an overlay), resized
    assert own_video(raw, masked, image)[2] is None  # never past a privacy mask
    assert own_video(SourceFrame(160, 120, jpeg=b"..."), plain, None)[2] is None


def test_a_full_range_flag_on_plain_yuv420p_keeps_the_levels():
    """VP9 and AV1 decoders say full range by a flag on yuv420p, not by a yuvj format."""
    image = np.full((120, 160, 3), DARK, dtype=np.uint8)
    image[:, 60:80] = BRIGHT
    # Grey in full range: luma is the grey level itself (limited range would put 30 at 42).
    planes = np.full((180, 160), 128, dtype=np.uint8)
    planes[:120] = image[:, :, 0]
    picture = av.VideoFrame.from_ndarray(planes, format="yuv420p")
    picture.color_range = 2  # AVCOL_RANGE_JPEG
    keyframes, shown = encode_all([SourceFrame(160, 120, image=image, picture=picture)], True)
    assert keyframes == [True]
    assert np.abs(shown[0] - image.astype(int)).mean() < 4


def test_a_yuyv_webcam_frame_is_encoded_from_its_own_yuv():
    """V4L2 YUYV: the raw picture goes to the encoder (4:2:2 to 4:2:0, no colour matrix)."""
    from livecam.sources.v4l2stream import V4l2Stream

    stream = V4l2Stream("/dev/null")  # not opened: only the decoding is used
    stream.pixel_format, stream.width, stream.height = "YUYV", 160, 120
    stream._bytes_per_line = 0
    # Limited-range grey 30 (Y 42), with a bright bar (Y 205) in columns 60 to 79.
    pairs = np.full((120, 80, 4), (42, 128, 42, 128), dtype=np.uint8)
    pairs[:, 30:40] = (205, 128, 205, 128)
    frame = stream.frame(pairs.tobytes())
    assert frame.picture is not None and frame.picture.format.name == "yuyv422"
    assert frame.image is not None
    keyframes, shown = encode_all([frame], use_picture=True)
    assert keyframes == [True]
    assert np.abs(shown[0] - frame.image.astype(int)).mean() < 4
    assert abs(int(frame.image[0, 0, 0]) - DARK) <= 3 and int(frame.image[0, 70, 0]) > 200


def pattern_frames(width: int, height: int, count: int, **controls: int) -> list[SourceFrame]:
    """Read ``count`` frames of the test pattern (at a high rate: the test need not wait)."""
    source = PatternSource(SourceSpec("pattern", ""), CaptureOptions(width, height, 1000))
    source.set_controls(controls)
    with source:
        return [source.read() for _ in range(count)]


@pytest.mark.parametrize(
    "size", [(640, 480), (320, 240), (642, 362), (16, 16)], ids=lambda s: f"{s[0]}x{s[1]}"
)
def test_the_patterns_picture_is_exactly_its_image_converted(size: tuple[int, int]):
    """Moved background planes plus converted drawn areas equal converting the whole frame."""
    frames = pattern_frames(*size, count=40)
    for frame in frames:
        assert frame.image is not None and callable(frame.picture)
        picture = frame.picture()
        assert (picture.format.name, picture.width, picture.height) == ("yuv420p", *size)
        # Bit for bit: the box crosses chroma blocks at odd edges, the bars wrap round.
        assert np.array_equal(picture.to_ndarray(), planes_of(frame.image))


def test_the_pattern_encodes_to_the_same_stream_from_its_picture_as_from_its_image():
    frames = pattern_frames(160, 120, count=12)
    pictured = [SourceFrame(f.width, f.height, image=f.image, picture=f.picture()) for f in frames]
    from_picture = encode_all(pictured, use_picture=True)
    from_image = encode_all(frames, use_picture=False)
    assert from_picture[0] == from_image[0] == [index % 4 == 0 for index in range(12)]
    for via_yuv, via_bgr in zip(from_picture[1], from_image[1], strict=True):
        assert np.array_equal(via_yuv, via_bgr)


def test_the_pattern_gives_no_picture_for_odd_sides_or_adjusted_frames():
    assert all(f.picture is None for f in pattern_frames(161, 121, count=2))
    assert all(f.picture is None for f in pattern_frames(160, 120, count=2, brightness=20))
    assert all(callable(f.picture) for f in pattern_frames(160, 120, count=2, brightness=0))


def test_a_drawn_picture_is_made_once_and_only_for_a_full_width_stream():
    frames = pattern_frames(320, 240, count=3)
    made: list[int] = []
    watched = [frozenset({160})]

    def picture_of(frame: SourceFrame) -> Callable[[], Any]:
        def make() -> Any:
            made.append(1)
            return frame.picture()

        return make

    packets: list[Any] = []
    producer = VideoProducer("cam", lambda _camera: watched[0], packets.append, fps=30)
    for seq, frame in enumerate(frames, 1):
        if seq == 2:
            watched[0] = frozenset({0, 320, 160})  # two names for the full width, one smaller
        assert frame.image is not None
        shown = Frame("cam", seq, 1_800_000_000.0 + seq / 30, b"", 320, 240)
        producer.on_frame(shown, frame.image, picture=picture_of(frame))
    producer.close()
    assert len(made) == 2  # frames 2 and 3, once each; frame 1 had only the 160 stream
    assert len(packets) == 7  # 1 + 3 + 3 fragments
