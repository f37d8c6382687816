"""stream.mp4 end to end: a real server, read as it arrives, decoded by PyAV (FFmpeg)."""

from __future__ import annotations

import time

import httpx
import numpy as np
import pytest

from tests.support.mp4 import Fragment, Mp4Stream, decode
from tests.support.server import LivecamServer


def add_pattern(server: LivecamServer, camera_id: str, fps: str = "15") -> None:
    server.add_camera(camera_id, "pattern:", "--width", "320", "--height", "240", "--fps", fps)
    server.wait_for(camera_id, lambda s: s["online"], timeout=30)


def live(stream: Mp4Stream, count: int) -> list[Fragment]:
    """Read until `count` live pictures (not placeholders: those last a second) arrived."""
    found: list[Fragment] = []
    while len(found) < count:
        found.extend(f for f in stream.fragments(1) if f.duration < 90_000)
    return found


def test_stream_mp4_starts_with_init_then_a_keyframe_and_decodes(
    server: LivecamServer, camera_id: str
):
    add_pattern(server, camera_id)
    with Mp4Stream(server, f"/cameras/{camera_id}/stream.mp4") as stream:
        assert stream.response.status_code == 200
        assert stream.response.headers["content-type"] == "video/mp4"
        assert stream.response.headers["cache-control"] == "no-store"
        kind, _init = stream.next()
        assert kind == "init"
        fragments = live(stream, 30)
        data = bytes(stream.data)
    assert data[4:8] == b"ftyp"
    first = next(item for kind, item in stream.items if kind == "fragment")
    assert isinstance(first, Fragment) and first.keyframe
    times = [f.decode_time for f in fragments]
    assert times == sorted(set(times)), "decode times strictly increase"
    assert sum(f.keyframe for f in fragments) >= 2, "a keyframe about every second (15 fps)"
    frames, errors = decode(data)
    assert not errors
    assert len(frames) == sum(1 for kind, _ in stream.items if kind == "fragment")
    assert (frames[-1].width, frames[-1].height) == (320, 240)
    # The pattern's own picture, colours right: the cyan bar is the one right of the yellow
    # one (40 columns on, round the edge as the bars scroll; swapped U and V planes would
    # give the same colours in the other order), and the clock band is black, without a
    # tint. Two places for each, far enough apart that the moving box hides one at most.
    blue, green, red = frames[-1].to_ndarray(format="bgr24").astype(int).transpose(2, 0, 1)

    def bars_in_order(row: int) -> bool:
        yellow = np.flatnonzero((blue[row] < 60) & (green[row] > 130) & (red[row] > 130))
        cyan = (blue[row] > 130) & (green[row] > 130) & (red[row] < 60)
        return len(yellow) > 20 and cyan[(yellow + 40) % 320].mean() > 0.8

    def black(columns: slice) -> bool:
        return max(c[-20:, columns].mean() for c in (blue, green, red)) < 40

    assert bars_in_order(0) or bars_in_order(100)
    assert black(slice(0, 4)) or black(slice(-4, None))


def test_an_odd_sized_camera_streams_at_the_even_size_below(server: LivecamServer, camera_id: str):
    """4:2:0 needs even sides: the picture is scaled by a pixel, not refused or cropped wrong."""
    server.add_camera(camera_id, "pattern:", "--width", "161", "--height", "121", "--fps", "15")
    server.wait_for(camera_id, lambda s: s["online"], timeout=30)
    with Mp4Stream(server, f"/cameras/{camera_id}/stream.mp4") as stream:
        assert stream.next()[0] == "init"
        live(stream, 5)
        data = bytes(stream.data)
    frames, errors = decode(data)
    assert not errors and len(frames) >= 5
    assert {(f.width, f.height) for f in frames} == {(160, 120)}


def test_a_late_joiner_starts_at_the_cached_keyframe(server: LivecamServer, camera_id: str):
    add_pattern(server, camera_id)
    with Mp4Stream(server, f"/cameras/{camera_id}/stream.mp4") as first:
        newest = live(first, 22)[-1]  # mid-GOP (keyframes every 15 pictures)
        # Drain what the socket buffered while this process was busy: the first viewer is then
        # at the server's newest pictures, so the ones it reads next come after the join.
        for _ in range(60):
            if time.time() - newest.wall < 0.3:
                break
            newest = live(first, 1)[-1]
        with Mp4Stream(server, f"/cameras/{camera_id}/stream.mp4") as late:
            kind, _ = late.next()
            assert kind == "init"
            joined = late.fragments(10)
        others = live(first, 10)
    assert joined[0].keyframe
    # The GOP cache gives the late joiner pictures the first viewer already had: no wait.
    assert joined[0].decode_time < others[-1].decode_time
    frames, errors = decode(bytes(late.data))
    assert not errors and len(frames) == 10


def test_width_variant_and_bad_width(server: LivecamServer, camera_id: str):
    add_pattern(server, camera_id)
    with Mp4Stream(server, f"/cameras/{camera_id}/stream.mp4?width=170") as stream:
        live(stream, 5)
        data = bytes(stream.data)
    frames, errors = decode(data)
    assert not errors
    assert (frames[-1].width, frames[-1].height) == (160, 120)
    with server.api() as api:
        response = api.get(f"/cameras/{camera_id}/stream.mp4?width=abc")
    assert response.status_code == 400
    assert "width" in response.json()["detail"]


def test_unknown_and_hidden_cameras_answer_like_mjpeg(server: LivecamServer, camera_id: str):
    with server.api() as api:
        for suffix in ("mjpg", "mp4"):
            response = api.get(f"/cameras/no-such-camera/stream.{suffix}")
            assert response.status_code == 404
            assert response.json() == {"detail": "no such camera"} or "detail" in response.json()
    anonymous = httpx.get(server.url(f"/cameras/{camera_id}/stream.mp4"), timeout=5)
    assert anonymous.status_code in (401, 403)
    assert "detail" in anonymous.json()


@pytest.mark.timeout(60)
def test_off_shows_a_placeholder_picture_and_on_resumes(server: LivecamServer, camera_id: str):
    add_pattern(server, camera_id)
    with Mp4Stream(server, f"/cameras/{camera_id}/stream.mp4") as stream, server.api() as api:
        live(stream, 5)
        assert api.post(f"/api/cameras/{camera_id}/off").status_code == 200
        placeholders: list[Fragment] = []
        while len(placeholders) < 2:
            placeholders.extend(f for f in stream.fragments(1) if f.duration == 90_000)
        assert api.post(f"/api/cameras/{camera_id}/on").status_code == 200
        resumed = live(stream, 10)
        data = bytes(stream.data)
    assert all(p.keyframe for p in placeholders)
    assert resumed[0].keyframe
    fragments = [item for kind, item in stream.items if kind == "fragment"]
    times = [f.decode_time for f in fragments if isinstance(f, Fragment)]
    assert times == sorted(set(times)), "the timeline runs on across OFF and ON"
    frames, errors = decode(data)
    assert not errors and len(frames) == len(fragments)
    sizes = {(f.width, f.height) for f in frames}
    assert sizes == {(320, 240)}
