"""stream.mp4 under faults: slow and stalled readers, source restarts, caps, metrics."""

from __future__ import annotations

import itertools
import socket
import struct
import time
from pathlib import Path

import av
import numpy as np
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.reliability.conftest import FAULT_SETTINGS, media_dir
from tests.support.faulty import ScriptedCamera
from tests.support.mp4 import Fragment, Mp4Stream, dechunk, decode, whole_items
from tests.support.server import LivecamServer
from tests.support.viewer import connection_closed, request_bytes, stalled_viewer


def metric(server: LivecamServer, name: str, **labels: str) -> float:
    """Return one sample of /metrics (0 when absent)."""
    with server.api() as api:
        text = api.get("/metrics").text
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()):
                return float(sample.value)
    return 0.0


def throttled(server: LivecamServer, path: str, seconds: float, rate: int) -> bytes:
    """Read a stream at about `rate` bytes/s through a small window; return the raw bytes.

    Sleeping here is the point: this is a reader slower than the stream, not a wait for an
    event.
    """
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8192)
    sock.connect(("127.0.0.1", server.port))
    sock.sendall(request_bytes(server, path))
    sock.settimeout(5)
    raw = bytearray()
    deadline = time.monotonic() + seconds
    try:
        while time.monotonic() < deadline:
            raw += sock.recv(4096)
            time.sleep(4096 / rate)
    finally:
        sock.close()
    return bytes(raw)


def write_noisy_h264(path: Path) -> None:
    """Write 6 s of 320x240 noise at 15 fps, 2 Mbit/s, a keyframe a second (H.264, no B-frames)."""
    rng = np.random.default_rng(1)
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=15)
        stream.width, stream.height, stream.pix_fmt = 320, 240, "yuv420p"
        stream.bit_rate = 2_000_000
        stream.options = {"bf": "0", "g": "15", "preset": "ultrafast"}
        for _ in range(90):
            image = rng.integers(0, 255, (240, 320, 3), dtype=np.uint8)
            for packet in stream.encode(av.VideoFrame.from_ndarray(image, format="bgr24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)


@pytest.mark.timeout(90)
def test_a_slow_reader_skips_whole_gops_and_never_gets_a_broken_picture(
    server: LivecamServer, camera_id: str
):
    # A busy picture at a known rate (about 250 KB/s, passed through: no encoder whose output
    # would shrink on a loaded machine), read at 60 KB/s: the reader must fall behind.
    path = server.data_dir / "media" / f"{camera_id}.mp4"
    write_noisy_h264(path)
    server.add_camera(camera_id, f"file:{path}")
    server.wait_for(camera_id, lambda s: s["online"], timeout=30)
    raw = throttled(server, f"/cameras/{camera_id}/stream.mp4", 8, 60_000)
    body = dechunk(raw)
    items = whole_items(body)
    fragments = [item for kind, item in items if isinstance(item, Fragment)]
    assert fragments and fragments[0].keyframe
    jumps = [
        (before, after)
        for before, after in itertools.pairwise(fragments)
        if after.sequence != before.sequence + 1
    ]
    assert jumps, "a reader slower than the stream must have skipped"
    assert all(after.keyframe for _before, after in jumps), "skips end at a keyframe"
    data = b"".join(item if isinstance(item, bytes) else item.data for _kind, item in items)
    frames, errors = decode(data)
    assert not errors
    assert len(frames) == len(fragments)


@pytest.mark.timeout(90)
def test_a_stalled_mp4_viewer_is_evicted(server: LivecamServer, camera_id: str):
    server.add_camera(camera_id, "pattern:", "--width", "640", "--height", "480", "--fps", "30")
    server.wait_for(camera_id, lambda s: s["online"], timeout=30)
    before = metric(server, "livecam_viewers_evicted_total")
    staller = stalled_viewer(server, f"/cameras/{camera_id}/stream.mp4")
    try:
        # Buffers fill in a few seconds, then SEND_TIMEOUT (3 s) runs; the counter is the
        # only outside sign before the socket is read (reading it would end the stall).
        deadline = time.monotonic() + 40
        while metric(server, "livecam_viewers_evicted_total") == before:
            assert time.monotonic() < deadline, "the stalled viewer was not evicted"
            time.sleep(0.5)
        assert connection_closed(staller, timeout=10)
    finally:
        staller.close()
    server.wait_for(camera_id, lambda s: s["viewers"] == 0)


def test_h264_is_encoded_only_while_watched_and_bytes_are_counted(
    server: LivecamServer, camera_id: str
):
    server.add_camera(camera_id, "pattern:", "--width", "160", "--height", "120", "--fps", "15")
    server.wait_for(camera_id, lambda s: s["online"], timeout=30)
    name = "livecam_video_frames_encoded_total"
    with server.api() as api, api.stream("GET", f"/cameras/{camera_id}/stream.mjpg") as mjpeg:
        next(mjpeg.iter_raw())
        server.wait_for(camera_id, lambda s: s["fps"] > 0)
        assert metric(server, name, camera=camera_id) == 0, "MJPEG viewers cost no H.264"
    with Mp4Stream(server, f"/cameras/{camera_id}/stream.mp4") as stream:
        fragments = stream.fragments(20)
        received = len(stream.data)
    encoded = metric(server, name, camera=camera_id)
    assert encoded >= len(fragments)
    assert metric(server, "livecam_bytes_sent_total", camera=camera_id, format="mp4") >= received
    assert metric(server, "livecam_bytes_sent_total", camera=camera_id, format="mjpeg") > 0
    server.wait_for(camera_id, lambda s: s["viewers"] == 0)
    settled = metric(server, name, camera=camera_id)
    with server.api() as api, api.stream("GET", f"/cameras/{camera_id}/stream.mjpg") as mjpeg:
        iterator = mjpeg.iter_raw()
        for _ in range(10):
            next(iterator)
    assert metric(server, name, camera=camera_id) - settled <= 2, "the encoder stopped"


@pytest.mark.timeout(120)
def test_caps_answer_mp4_like_mjpeg(tmp_path: Path):
    settings = {"MAX_VIEWERS_PER_CAMERA": 1, "MAX_STREAMS_PER_USER": 2}
    capped = LivecamServer(tmp_path, settings=settings)
    capped.start()
    try:
        for camera_id in ("a", "b"):
            capped.add_camera(camera_id, "pattern:", "--width", "160", "--height", "120")
        capped.wait_for("b", lambda s: s["online"], timeout=30)
        with (
            Mp4Stream(capped, "/cameras/a/stream.mp4") as first,
            capped.api() as api,
        ):
            first.fragments(1)
            for path in ("/cameras/a/stream.mp4", "/cameras/a/stream.mjpg"):
                refused = api.get(path)
                assert refused.status_code == 503, refused.text
                assert refused.headers["retry-after"] == "10"
                assert "at most 1 viewers" in refused.json()["detail"]
            with Mp4Stream(capped, "/cameras/b/stream.mp4") as second:
                second.fragments(1)
                refused = api.get("/cameras/b/stream.mp4")
                assert refused.status_code == 429, refused.text
                assert "stream limit reached" in refused.json()["detail"]
    finally:
        capped.stop()


@pytest.mark.timeout(120)
def test_a_source_restart_keeps_one_decodable_timeline(tmp_path: Path):
    scripted = LivecamServer(tmp_path, settings=FAULT_SETTINGS)
    scripted.start()
    try:
        camera = ScriptedCamera(media_dir(scripted), "door", "ok", (160, 120))
        scripted.add_camera("door", camera.source, "--width", "160", "--height", "120")
        scripted.wait_for("door", lambda s: s["online"], timeout=30)
        with Mp4Stream(scripted, "/cameras/door/stream.mp4") as stream:
            before = [f for f in stream.fragments(10) if f.duration < 90_000]
            camera.set("raise")  # the source fails: NO SIGNAL, then capture reopens it
            placeholder = next(
                f for f in iter(lambda: stream.fragments(1)[0], None) if f.duration == 90_000
            )
            camera.set("ok")
            after: list[Fragment] = []
            while len(after) < 10:
                after.extend(f for f in stream.fragments(1) if f.duration < 90_000)
            data = bytes(stream.data)
    finally:
        scripted.stop()
    assert before and placeholder.keyframe and after[0].keyframe
    fragments = [item for _kind, item in stream.items if isinstance(item, Fragment)]
    times = [f.decode_time for f in fragments]
    assert times == sorted(set(times)), "one timeline across the restart"
    frames, errors = decode(data)
    assert not errors and len(frames) == len(fragments)


@pytest.mark.timeout(90)
def test_a_client_gone_mid_fragment_leaves_nothing_behind(server: LivecamServer, camera_id: str):
    server.add_camera(camera_id, "pattern:", "--width", "320", "--height", "240", "--fps", "15")
    server.wait_for(camera_id, lambda s: s["online"], timeout=30)
    for _ in range(3):
        sock = socket.socket()
        sock.connect(("127.0.0.1", server.port))
        sock.sendall(request_bytes(server, f"/cameras/{camera_id}/stream.mp4"))
        sock.recv(1500)  # headers and part of the first box: then gone, with a reset
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.close()
    server.wait_for(camera_id, lambda s: s["viewers"] == 0, timeout=20)
    with Mp4Stream(server, f"/cameras/{camera_id}/stream.mp4") as stream:  # others unharmed
        assert stream.fragments(5)[0].keyframe
    frames, errors = decode(bytes(stream.data))
    assert frames and not errors
