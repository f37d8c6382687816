"""Every keyframe carries its SPS and PPS, however an encoder hands its parameter sets over."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import av
import numpy as np

from livecam.video import h264
from livecam.video.headers import InBandHeaders, extradata_units

_SIZE = (160, 120)


def x264_output(global_header: bool) -> tuple[bytes, list[list[bytes]]]:
    """Return a real libx264 stream (extradata, NAL units per packet), a keyframe every 10."""
    ctx: Any = av.CodecContext.create("libx264", "w")
    ctx.width, ctx.height = _SIZE
    ctx.pix_fmt, ctx.time_base, ctx.framerate = "yuv420p", Fraction(1, 30), 30
    ctx.options = {"tune": "zerolatency", "forced-idr": "1", "x264-params": "threads=1"}
    if global_header:  # the parameter sets go to extradata only, as some encoders do
        ctx.flags |= av.codec.context.Flags.global_header
    ctx.open()
    packets = []
    for index in range(30):
        image = np.full((_SIZE[1], _SIZE[0], 3), index * 7, np.uint8)
        image[:, index : index + 20] = 255
        frame = av.VideoFrame.from_ndarray(image, format="bgr24").reformat(format="yuv420p")
        frame.pts = index
        key = index % 10 == 0
        frame.pict_type = av.video.frame.PictureType.I if key else av.video.frame.PictureType.NONE
        packets += [h264.split_annexb(bytes(packet)) for packet in ctx.encode(frame)]
    return bytes(ctx.extradata or b""), packets


def decodes_from(access_units: list[list[bytes]]) -> int:
    """Return how many pictures a fresh H.264 decoder gets out of these access units."""
    decoder: Any = av.CodecContext.create("h264", "r")
    pictures = 0
    for units in access_units:
        data = b"".join(b"\x00\x00\x00\x01" + unit for unit in units)
        try:
            pictures += len(decoder.decode(av.Packet(data)))
        except av.error.InvalidDataError:
            pass  # a decoder without parameter sets refuses the slices
    return pictures


def later_gop(units: list[list[bytes]]) -> list[list[bytes]]:
    """Return the stream from its second keyframe on (where a late joiner or a recording starts)."""
    keys = [index for index, unit in enumerate(units) if h264.is_keyframe(unit)]
    return units[keys[1] :]


def headers(units: list[bytes]) -> list[int]:
    return [h264.nal_type(u) for u in units if h264.nal_type(u) in (h264.NAL_SPS, h264.NAL_PPS)]


def test_parameter_sets_from_extradata_go_in_front_of_every_keyframe():
    extradata, packets = x264_output(global_header=True)
    assert extradata_units(extradata), "x264 with a global header puts SPS and PPS in extradata"
    assert not any(headers(units) for units in packets), "and none in the stream"
    assert decodes_from(later_gop(packets)) == 0  # what viewers would get without the fix

    keeper = InBandHeaders(extradata)
    completed = [keeper.complete(units) for units in packets]
    assert all(units is not None for units in completed)
    whole = [units for units in completed if units is not None]
    for units in whole:
        assert headers(units) == ([7, 8] if h264.is_keyframe(units) else [])
    assert decodes_from(later_gop(whole)) == 20  # both later GOPs, every picture
    assert decodes_from(whole) == 30


def test_sets_seen_on_the_first_keyframe_or_alone_serve_the_later_keyframes():
    _, packets = x264_output(global_header=False)
    first = packets[0]
    assert headers(first) == [7, 8]
    # Upstream FFmpeg's h264_v4l2m2m: the parameter sets come once, before the first keyframe,
    # some encoders in a packet of their own.
    sets = [u for u in first if h264.nal_type(u) in (h264.NAL_SPS, h264.NAL_PPS)]
    rest = [u for u in first if u not in sets]
    bare = [[u for u in units if u not in sets] for units in packets[1:]]
    keeper = InBandHeaders()
    assert keeper.complete(sets) is None, "no picture in it: not a frame"
    whole = [keeper.complete(rest), *(keeper.complete(units) for units in bare)]
    assert all(units is not None for units in whole)
    done = [units for units in whole if units is not None]
    assert len(done) == 30
    assert all(headers(units) == [7, 8] for units in done if h264.is_keyframe(units))
    assert decodes_from(later_gop(bare)) == 0
    assert decodes_from(later_gop(done)) == 20


def test_an_access_unit_delimiter_stays_first_and_new_sets_replace_old_ones():
    sps_a, pps_a = b"\x67\x42\x00\x0a\x01", b"\x68\x01"
    sps_b, pps_b = b"\x67\x42\x00\x0b\x02", b"\x68\x02"
    aud, idr, slice_ = b"\x09\xf0", b"\x65\x88", b"\x41\x9a"
    keeper = InBandHeaders(h264.avcc_record(sps_a, pps_a))
    assert keeper.complete([aud, idr]) == [aud, sps_a, pps_a, idr]
    assert keeper.complete([slice_]) == [slice_]  # not a keyframe: left as it is
    assert keeper.complete([sps_b, pps_b, idr]) == [sps_b, pps_b, idr]  # has its own
    assert keeper.complete([idr]) == [sps_b, pps_b, idr]  # the newest ones from then on
    assert InBandHeaders().complete([idr]) == [idr]  # none known: nothing to add
