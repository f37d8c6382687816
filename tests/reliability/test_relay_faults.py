"""Faults of real upstreams: an MJPEG server that stops, stalls or sends garbage; a file deleted."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

from tests.reliability.conftest import media_dir
from tests.support.metrics import read_metrics
from tests.support.mjpeg_server import MjpegTestServer, make_jpegs
from tests.support.server import LivecamServer
from tests.support.sources import write_clip
from tests.support.viewer import Viewer

STALE_AFTER = 3.0  # livecam's default: frames stopped arriving, the error not yet declared


def relay(server: LivecamServer, camera_id: str, upstream: MjpegTestServer) -> None:
    """Add a relay camera of `upstream` and wait until it is online."""
    server.add_camera(camera_id, "mjpeg+" + upstream.url)
    server.wait_for(camera_id, lambda s: s["online"])


def test_an_upstream_that_goes_away_and_comes_back(server: LivecamServer, camera_id: str):
    frames = make_jpegs(4)
    with MjpegTestServer(frames, fps=20) as upstream:
        relay(server, camera_id, upstream)
        with Viewer(server, camera_id, lambda body: body in frames) as view:
            view.wait(live=True)
            gone = time.monotonic()
            upstream.stop()
            shown, _ = view.wait(live=False, after=gone)
            assert shown - gone < 1.0, f"placeholder after {shown - gone:.2f} s"
            back = time.monotonic()
            upstream.start()
            live, _ = view.wait(live=True, after=back)
            assert live - back < 2.0 + 1.0  # at most one RETRY_MAX (tests: 2 s) plus opening
            assert not view.ended


def test_a_stalled_upstream_turns_into_no_signal(server: LivecamServer, camera_id: str):
    frames = make_jpegs(4)
    with MjpegTestServer(frames, fps=20) as upstream:
        relay(server, camera_id, upstream)
        with Viewer(server, camera_id, lambda body: body in frames) as view:
            view.wait(live=True)
            stalled = time.monotonic()
            upstream.stall()
            shown, _ = view.wait(live=False, after=stalled)
            assert shown - stalled < STALE_AFTER + 1.5
            upstream.resume()
            view.wait(live=True, after=shown, timeout=15)
            assert not view.ended


def test_garbage_from_upstream_is_never_forwarded_and_is_counted(
    server: LivecamServer, camera_id: str
):
    frames = make_jpegs(4)
    with MjpegTestServer(frames, fps=20) as upstream, server.api() as api:
        relay(server, camera_id, upstream)
        key = ("livecam_frames_corrupt_total", camera_id)
        before = read_metrics(api).get(key, 0)
        with Viewer(server, camera_id, lambda body: body in frames) as view:
            view.wait(live=True)
            for kind in ("corrupt", "truncated", "noise"):
                upstream.send_garbage(kind, 3)
            upstream.wait_for(lambda: upstream.garbage_sent >= 9)
            after = time.monotonic()
            view.wait(live=True, after=after)
            time.sleep(0.3)  # parts in flight after the last garbage
        assert view.error is None
        # Only upstream's own frames (byte-identical) or whole placeholders reached the viewer.
        assert all(live for _, live, _ in view.parts)
        assert read_metrics(api)[key] - before >= 9


def test_a_video_file_deleted_while_playing_recovers_when_it_returns(
    server: LivecamServer, camera_id: str, tmp_path: Path
):
    clip = write_clip(media_dir(server) / f"{camera_id}.avi", 20, fps=20)
    keep = shutil.copy(clip, tmp_path / "keep.avi")
    server.add_camera(camera_id, f"file:{clip}")
    server.wait_for(camera_id, lambda s: s["online"])
    with Viewer(server, camera_id, lambda body: True) as view:
        view.wait(live=True)
        clip.unlink()
        state = server.wait_for(camera_id, lambda s: s["state"] == "error", timeout=15)
        assert state["error"]
        shutil.copy(keep, clip)
        server.wait_for(camera_id, lambda s: s["online"], timeout=15)
        assert not view.ended


def test_an_upstream_that_sends_only_corrupt_parts_is_counted(
    server: LivecamServer, camera_id: str
):
    # Every part this upstream sends is garbage (framing intact): the relay drops each one
    # inside its read, which never returns a frame, until 50 in a row end the session.
    with MjpegTestServer(make_jpegs(2), fps=50) as upstream, server.api() as api:
        upstream.send_garbage("corrupt", 100_000)
        key = ("livecam_frames_corrupt_total", camera_id)
        server.add_camera(camera_id, "mjpeg+" + upstream.url)
        state = server.wait_for(
            camera_id, lambda s: s["state"] == "error" and "corrupt" in (s["error"] or "")
        )
        assert "50 corrupt parts in a row" in state["error"]
        assert read_metrics(api).get(key, 0) >= 50
        assert upstream.sent == 0  # not one good frame: the count cannot come from a good read
