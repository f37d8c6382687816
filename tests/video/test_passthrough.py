"""A source that already delivers H.264: passed through untouched when fit, re-encoded if not."""

from __future__ import annotations

import functools
import http.server
import struct
import threading
from collections.abc import Iterator
from pathlib import Path

import av
import numpy as np
import pytest

from tests.support.mp4 import Fragment, Mp4Stream, decode
from tests.support.server import LivecamServer
from tests.video.test_mp4_faults import metric


def write_h264(path: Path, bframes: int, frames: int = 45) -> list[bytes]:
    """Write a 160x120 15 fps H.264 MP4 (a keyframe a second); return its packets' bytes."""
    # moov first, so it can be read from a plain HTTP server too (no seeking)
    with av.open(str(path), "w", options={"movflags": "faststart"}) as container:
        stream = container.add_stream("libx264", rate=15)
        stream.width, stream.height, stream.pix_fmt = 160, 120, "yuv420p"
        stream.options = {"bf": str(bframes), "g": "15", "preset": "ultrafast"}
        if bframes:
            stream.options = {"bf": str(bframes), "g": "15", "preset": "medium"}
        for index in range(frames):
            image = np.full((120, 160, 3), 30, dtype=np.uint8)
            image[:, (index * 3) % 140 : (index * 3) % 140 + 20] = 220
            for packet in stream.encode(av.VideoFrame.from_ndarray(image, format="bgr24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    with av.open(str(path)) as container:
        return [bytes(p) for p in container.demux(video=0) if p.size]


def sample_of(fragment: Fragment) -> bytes:
    """Return the H.264 sample in a fragment's mdat."""
    offset = fragment.data.rindex(b"mdat") + 4
    (size,) = struct.unpack_from(">I", fragment.data, offset - 8)
    return fragment.data[offset : offset - 8 + size]


def test_a_fit_h264_file_passes_through_without_an_encode(server: LivecamServer, camera_id: str):
    path = server.data_dir / "media" / f"{camera_id}.mp4"
    packets = set(write_h264(path, bframes=0))
    server.add_camera(camera_id, f"file:{path}")
    state = server.wait_for(camera_id, lambda s: s["online"], timeout=30)
    assert (state["video"], state["video_reason"]) == ("passthrough", "")
    with Mp4Stream(server, f"/cameras/{camera_id}/stream.mp4") as stream:
        fragments = [f for f in stream.fragments(40) if f.duration < 90_000]
        data = bytes(stream.data)
    assert metric(server, "livecam_video_frames_encoded_total", camera=camera_id) == 0
    assert fragments[0].keyframe
    for fragment in fragments:
        sample = sample_of(fragment)
        # The file's own pictures; keyframes get the stream's SPS and PPS in front.
        assert sample in packets or (fragment.keyframe and sample.endswith(tuple(packets)))
    frames, errors = decode(data)
    assert not errors and len(frames) == len(
        [i for _k, i in stream.items if isinstance(i, Fragment)]
    )


def test_a_looping_h264_file_keeps_passing_through(server: LivecamServer, camera_id: str):
    """Each loop of a short file goes on at the file's pace: no frame dropped, no re-encode."""
    path = server.data_dir / "media" / f"{camera_id}.mp4"
    write_h264(path, bframes=0, frames=15)  # one second, one GOP: a loop a second
    server.add_camera(camera_id, f"file:{path}", "--fps", "15")  # capped at the file's rate
    server.wait_for(camera_id, lambda s: s["online"], timeout=30)
    with Mp4Stream(server, f"/cameras/{camera_id}/stream.mp4") as stream:
        fragments = [f for f in stream.fragments(50) if f.duration < 90_000]  # 3 loops and more
        data = bytes(stream.data)
    assert len(fragments) >= 45
    assert metric(server, "livecam_frames_dropped_total", camera=camera_id) == 0
    assert metric(server, "livecam_video_frames_encoded_total", camera=camera_id) == 0
    with server.api() as api:
        state = api.get(f"/api/cameras/{camera_id}").json()
    assert (state["video"], state["video_reason"]) == ("passthrough", "")
    frames, errors = decode(data)
    assert not errors and frames


def test_h264_with_b_frames_is_re_encoded_and_says_why(server: LivecamServer, camera_id: str):
    path = server.data_dir / "media" / f"{camera_id}.mp4"
    write_h264(path, bframes=3)
    server.add_camera(camera_id, f"file:{path}")
    server.wait_for(camera_id, lambda s: s["online"], timeout=30)
    with Mp4Stream(server, f"/cameras/{camera_id}/stream.mp4") as stream:
        fragments = [f for f in stream.fragments(20) if f.duration < 90_000]
        data = bytes(stream.data)
        state = server.wait_for(camera_id, lambda s: s["video"] == "encoded", timeout=10)
    assert "B-frames" in state["video_reason"]
    assert metric(server, "livecam_video_frames_encoded_total", camera=camera_id) >= 20
    assert fragments[0].keyframe
    frames, errors = decode(data)
    assert frames and not errors
    # The file's pictures (encoded from the decoder's own): levels and motion intact.
    bars = []
    for frame in frames[-8:]:
        columns = frame.to_ndarray(format="gray").astype(int).mean(axis=0)
        assert abs(np.median(columns) - 30) < 6  # the background's level, not stretched
        assert columns.max() > 210  # the bar's (220)
        bars.append(int(np.argmax(columns > 125)))
    assert len(set(bars)) > 1  # the bar moves: live pictures, not one repeated


@pytest.fixture
def web_dir(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """A plain HTTP server on 127.0.0.1 serving a folder: (folder, base URL)."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield tmp_path, f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_h264_over_http_passes_through(
    server: LivecamServer, camera_id: str, web_dir: tuple[Path, str]
):
    folder, base = web_dir
    packets = set(write_h264(folder / "clip.mp4", bframes=0, frames=600))
    server.add_camera(camera_id, f"{base}/clip.mp4")
    state = server.wait_for(camera_id, lambda s: s["online"], timeout=30)
    assert state["video"] == "passthrough"
    with Mp4Stream(server, f"/cameras/{camera_id}/stream.mp4") as stream:
        fragments = [f for f in stream.fragments(20) if f.duration < 90_000]
        data = bytes(stream.data)
    assert metric(server, "livecam_video_frames_encoded_total", camera=camera_id) == 0
    assert all(
        sample_of(f) in packets or (f.keyframe and sample_of(f).endswith(tuple(packets)))
        for f in fragments
    )
    frames, errors = decode(data)
    assert frames and not errors
