"""The H.264 pieces on their own: timeline, GOP cache, envelope, fitness (no server)."""

from __future__ import annotations

import dataclasses

import pytest

from livecam.bus import video_codec
from livecam.bus.codec import MalformedMessageError
from livecam.sources.base import H264Sample
from livecam.video import boxes, clock
from livecam.video.fitness import unfit
from livecam.video.gop import MAX_FRAGMENTS, GopCache
from livecam.video.packet import VideoPacket
from tests.support.mp4 import parse_fragment

INIT = boxes.init_segment(64, 48, b"\x01\x42\xc0\x1e\xff\xe1\x00\x00\x01\x00\x00")


def packet(number: int, keyframe: bool, camera_id: str = "cam") -> VideoPacket:
    sample = b"\x00\x00\x00\x02\x65\x88" if keyframe else b"\x00\x00\x00\x02\x41\x9a"
    fragment, offset = boxes.fragment(number, number * 3000, 3000, sample, keyframe, 1.8e9)
    return VideoPacket(
        camera_id, 0, number, 1.8e9, keyframe, number * 3000, fragment, offset,
        INIT if keyframe else b"",
    )  # fmt: skip


def test_the_timeline_never_steps_back_and_keeps_its_pace_after_a_clock_step():
    stream = clock.StreamClock()
    first = stream.next(1_800_000_000.0)
    second = stream.next(1_800_000_000.1)
    assert second - first == 9000
    stepped = stream.next(1_799_999_990.0)  # the wall clock went back 10 s
    later = stream.next(1_799_999_990.1)
    assert first < second < stepped < later
    assert later - stepped == 9000, "the pace continues, no crawl of one tick per picture"


def test_a_fragment_reads_back_as_written():
    fragment, offset = boxes.fragment(
        7, 123_456_789_000, 3000, b"\x00\x00\x00\x01\x65", True, 1.8e9
    )
    end = fragment.index(b"moof") - 4
    moof_size = int.from_bytes(fragment[end : end + 4], "big")
    parsed = parse_fragment(
        fragment[:end], fragment[end : end + moof_size], fragment[end + moof_size :]
    )
    assert (parsed.sequence, parsed.decode_time, parsed.duration, parsed.keyframe) == (
        7,
        123_456_789_000,
        3000,
        True,
    )
    assert abs(parsed.wall - 1.8e9) < 1e-6
    assert fragment[offset:] == b"\x00\x00\x00\x01\x65"


def test_the_gop_cache_starts_at_keyframes_and_is_bounded():
    cache = GopCache()
    assert not cache.put(packet(1, False)), "nothing before the first keyframe"
    assert cache.put(packet(2, True)) and cache.put(packet(3, False))
    assert (cache.base, cache.end, cache.keyed, cache.init) == (0, 2, True, INIT)
    assert not cache.put(packet(3, False)), "a duplicate or late packet never steps back"
    cache.put(packet(4, True))
    assert (cache.base, cache.end) == (2, 3), "a keyframe starts a new GOP; numbers run on"
    assert cache.get(1) is None and cache.get(2) is not None
    for number in range(5, 5 + MAX_FRAGMENTS):
        cache.put(packet(number, False))
    assert not cache.keyed and not cache.packets, "an overlong GOP is given up"
    assert not cache.put(packet(10_000, False))
    assert cache.put(packet(10_001, True)) and cache.keyed


def test_the_video_envelope_round_trips_and_refuses_anything_else():
    original = packet(5, True)
    blob = video_codec.encode_video(original)
    decoded = video_codec.decode_video(blob, 1 << 20)
    assert dataclasses.astuple(decoded) == dataclasses.astuple(original)
    bad = [
        blob[:20],
        blob + b"x",
        b"XXXX" + blob[4:],
        blob.replace(b"cam", b"c/m", 1),
        blob.replace(b"prft", b"junk", 1),
    ]
    for data in bad:
        with pytest.raises(MalformedMessageError):
            video_codec.decode_video(data, 1 << 20)
    delta = video_codec.encode_video(dataclasses.replace(packet(6, False), init=INIT))
    with pytest.raises(MalformedMessageError):
        video_codec.decode_video(delta, 1 << 20)  # an init segment on a non-keyframe


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ({}, ""),
        ({"profile": "High 4:4:4 Predictive"}, "profile"),
        ({"pix_fmt": "yuv420p10le"}, "4:2:0"),
        ({"reorders": True}, "B-frames"),
        ({"interlaced": True}, "interlaced"),
    ],
)
def test_fitness_for_pass_through(change: dict[str, object], why: str):
    sample = H264Sample([b"\x65"], True, 1, "Main", "yuv420p", False)
    reason = unfit(dataclasses.replace(sample, **change))  # type: ignore[arg-type]
    assert (why in reason) if why else reason == ""


def test_the_encoder_writes_a_baseline_sps_that_forbids_reordering():
    """Chrome holds ~1.7 s of frames unless the SPS says no picture is reordered."""
    import numpy as np

    from livecam.video import h264
    from livecam.video.encoder import H264Encoder
    from tests.support.sps import reorder_limit

    encoder = H264Encoder(320, 240, 30.0, 0)
    units = encoder.encode(np.zeros((240, 320, 3), dtype=np.uint8), 0, True)[0].units
    params = h264.parameter_sets(units)
    assert params is not None
    sps = params[0]
    assert sps[1] == 66 and sps[2] & 0x40, "constrained baseline"
    assert h264.codec_string(sps).startswith("avc1.42")
    assert reorder_limit(sps) == 0


@pytest.mark.parametrize("view", ["whole", "cropped", "every other column"])
def test_the_encoder_takes_whole_images_and_views_alike(view: str):
    """The image is wrapped without a copy when its rows allow it, and copied otherwise."""
    import av
    import numpy as np

    from livecam.video.encoder import H264Encoder

    big = np.zeros((240, 640, 3), dtype=np.uint8)
    big[:, :320, 2] = 200  # red left half, blue right half (BGR): a wrong stride shows
    big[:, 320:, 0] = 200
    views = {
        "whole": big[:, :320].copy(),
        "cropped": big[:, 100:420],
        "every other column": big[:, ::2],
    }
    picture = views[view]
    encoder = H264Encoder(320, 240, 30.0, 0)
    unit = encoder.encode(picture, 0, True)[0]
    assert unit.keyframe
    decoder = av.CodecContext.create("h264", "r")
    annexb = b"".join(b"\x00\x00\x00\x01" + nal for nal in unit.units)
    packets = decoder.parse(annexb) + decoder.parse(None)  # None: the parser's last packet
    frames = [f for p in packets for f in decoder.decode(p)] + decoder.decode(None)
    shown = frames[0].to_ndarray(format="bgr24").astype(int)
    assert shown.shape == (240, 320, 3)
    assert np.abs(shown - picture.astype(int)).mean() < 8, "the picture that went in"
