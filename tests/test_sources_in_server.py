"""Bad and real sources inside the server: errors are states with reasons, never crashes."""

from __future__ import annotations

import numpy as np

from tests.support.metrics import read_metrics
from tests.support.mjpeg import Part, StreamReader
from tests.support.mjpeg_server import MjpegTestServer, make_jpegs
from tests.support.server import LivecamServer, free_port
from tests.support.sources import write_mjpeg


def test_cli_rejects_an_invalid_source(server: LivecamServer):
    for source in ("exec:ls", "file:/does/not/exist.mp4", "ftp://example.com/x", "http://"):
        result = server.cli("camera", "add", "bad-source", source, check=False)
        assert result.returncode != 0, source
        assert "source" in result.stderr
    assert "bad-source" not in server.cli("camera", "list").stdout


def test_unreachable_source_is_an_error_state_with_reason(server: LivecamServer, camera_id: str):
    port = free_port()
    server.add_camera(camera_id, f"mjpeg+http://127.0.0.1:{port}/stream")
    state = server.wait_for(camera_id, lambda s: s["state"] == "error")
    assert state["error"] and state["online"] is False
    assert state["retry_at"] is not None
    with server.api() as client:
        response = client.send(
            client.build_request("GET", f"/cameras/{camera_id}/stream.mjpg"), stream=True
        )
        part = StreamReader(response.iter_raw()).next_part()  # the NO SIGNAL placeholder
        response.close()
        assert part.body[:2] == b"\xff\xd8"
        assert client.get("/healthz").status_code == 200
        assert client.get("/api/cameras/demo").json()["state"] in ("online", "off", "starting")


def test_video_file_source_streams(server: LivecamServer, camera_id: str):
    # file: sources are only allowed under the data dir's media folder by default.
    path = server.data_dir / "media" / f"{camera_id}.avi"
    write_mjpeg(path, [np.full((120, 160, 3), index * 12, np.uint8) for index in range(20)], 20)
    server.add_camera(camera_id, f"file:{path}")
    state = server.wait_for(camera_id, lambda s: s["online"])
    assert (state["width"], state["height"]) == (160, 120)


def test_relay_camera_passes_jpegs_through_without_encoding(server: LivecamServer, camera_id: str):
    frames = make_jpegs(3)
    with MjpegTestServer(frames, fps=20) as upstream:
        server.add_camera(camera_id, f"mjpeg+{upstream.url}")
        server.wait_for(camera_id, lambda s: s["online"])
        parts, before, after = watch_with_metrics(server, camera_id, 10)
    assert all(part.body in frames for part in parts), "byte-identical pass-through"
    captured = after[("livecam_frames_captured_total", camera_id)] - before.get(
        ("livecam_frames_captured_total", camera_id), 0
    )
    assert captured >= 5
    assert after[("livecam_frames_encoded_total", camera_id)] == 0


def test_camera_fps_caps_a_faster_source(server: LivecamServer, camera_id: str):
    with MjpegTestServer(make_jpegs(3), fps=20) as upstream:
        server.add_camera(camera_id, f"mjpeg+{upstream.url}", "--fps", "5")
        server.wait_for(camera_id, lambda s: s["online"])
        parts, before, after = watch_with_metrics(server, camera_id, 8)
    stamps = [part.timestamp for part in parts[1:]]
    rate = (len(stamps) - 1) / (stamps[-1] - stamps[0])
    assert 3 < rate < 7, f"{rate:.1f} fps delivered for a 5 fps camera of a 20 fps source"
    dropped = after[("livecam_frames_dropped_total", camera_id)] - before.get(
        ("livecam_frames_dropped_total", camera_id), 0
    )
    assert dropped > 0


def watch_with_metrics(
    server: LivecamServer, camera_id: str, count: int
) -> tuple[list[Part], dict[tuple[str, str], float], dict[tuple[str, str], float]]:
    """Read `count` parts of a camera's stream; return them with the metrics before and after."""
    with server.api() as client:
        before = read_metrics(client)
        response = client.send(
            client.build_request("GET", f"/cameras/{camera_id}/stream.mjpg"), stream=True
        )
        parts = StreamReader(response.iter_raw()).parts(count)
        response.close()
        after = read_metrics(client)
    return parts, before, after
