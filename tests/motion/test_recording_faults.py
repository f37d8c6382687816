"""Recordings under faults, with real processes: kill -9, a second server, a full disk."""

from __future__ import annotations

import io
import signal
import subprocess
import sys
import time
from pathlib import Path

import av
import pytest

from tests.support.metrics import read_metrics
from tests.support.server import ROOT, LivecamServer
from tests.support.sse import EventLog, Match, recording
from tests.support.tmpfs import fill, small_tmpfs

FPS = 10
pytestmark = pytest.mark.timeout(180)


def _decoded_frames(data: bytes) -> int:
    with av.open(io.BytesIO(data)) as container:
        return sum(1 for _ in container.decode(video=0))


def _record(server: LivecamServer, camera_id: str, size: str = "320x240") -> EventLog:
    width, height = size.split("x")
    server.add_camera(
        camera_id, "pattern:", "--width", width, "--height", height, "--fps", str(FPS)
    )
    server.wait_for(camera_id, lambda s: s["state"] == "online", timeout=20)
    events = EventLog(server.base_url, server.auth_headers())
    with server.api() as api:
        assert api.post(f"/api/cameras/{camera_id}/recordings/start").status_code == 200
    return events


def _new_start(camera_id: str, after: int) -> Match:
    started = recording(camera_id, "started")
    return lambda name, data: started(name, data) and data["id"] > after


def test_kill_9_mid_recording_keeps_all_but_the_last_second(fresh_server: LivecamServer):
    fresh_server.start()
    events = _record(fresh_server, "cam")
    try:
        began = events.wait_for(recording("cam", "started"))
        started = time.monotonic()
        time.sleep(4)  # the scenario: four seconds of recording, then the process is killed
    finally:
        events.close()
    fresh_server.stop(signal.SIGKILL)
    recorded = time.monotonic() - started
    parts = list((fresh_server.data_dir / "media" / "recordings" / "cam").rglob("*.mp4.part"))
    assert len(parts) == 1 and parts[0].stat().st_size > 0

    fresh_server.start()  # recovers the .part at start-up (Record is still on: a new one starts)
    with fresh_server.api() as api:
        rows = {r["id"]: r for r in api.get("/api/cameras/cam/recordings").json()}
        row = rows[began["id"]]
        assert row["state"] == "done", row
        assert row["error"] == "interrupted; kept what was written"
        # At most the fragment in progress (1 s) is lost, plus the time the kill took.
        assert row["duration"] >= recorded - 1.5, (row, recorded)
        assert row["frames"] >= (recorded - 1.5) * FPS
        assert _decoded_frames(api.get(row["url"]).content) == row["frames"]
        api.post("/api/cameras/cam/recordings/stop")
    assert not parts[0].exists()


def test_a_second_server_never_ends_or_deletes_a_recording_being_written(
    fresh_server: LivecamServer,
):
    fresh_server.start()
    events = _record(fresh_server, "cam")
    try:
        began = events.wait_for(recording("cam", "started"))
        # A second `livecam serve` on the same data: it starts (capture, media service, the
        # start-up check for interrupted recordings), then fails on the port in use.
        second = subprocess.run(
            [sys.executable, "-m", "livecam.cli", "serve", "--port", str(fresh_server.port)],
            env=fresh_server.env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert second.returncode != 0
        assert "address already in use" in (second.stdout + second.stderr).lower()
        with fresh_server.api() as api:
            state = api.get("/api/cameras/cam/recording").json()
            assert state == {"camera": "cam", "recording": True, "writing": True, "error": ""}
            ours = {r["id"]: r for r in api.get("/api/cameras/cam/recordings").json()}
            assert ours[began["id"]]["state"] == "recording"
            refused = api.delete(f"/api/cameras/cam/recordings/{began['id']}")
            assert refused.status_code == 409
            assert api.post("/api/cameras/cam/recordings/stop").status_code == 200
            done = events.wait_for(
                lambda n, d: recording("cam", "ended")(n, d) and d["id"] == began["id"]
            )
            assert done["state"] == "done" and done["error"] == ""
            assert _decoded_frames(api.get(done["url"]).content) == done["frames"] > 0
    finally:
        events.close()


@pytest.fixture
def small_disk(fresh_server: LivecamServer):
    """A 2 MB tmpfs mounted on the server's media folder (root only)."""
    with small_tmpfs(fresh_server.data_dir / "media", "2m") as media:
        try:
            yield media
        finally:
            if fresh_server.process is not None:
                fresh_server.stop()


def test_a_full_disk_keeps_what_was_written_says_why_and_resumes(
    fresh_server: LivecamServer, small_disk: Path
):
    fresh_server.start()
    ballast = fill(small_disk, leave=120_000)
    events = _record(fresh_server, "cam", "640x480")
    try:
        began = events.wait_for(recording("cam", "started"))
        cut = events.wait_for(recording("cam", "ended"), timeout=60)
        assert cut["id"] == began["id"]
        assert cut["error"] == "disk full" and cut["state"] == "done", cut
        with fresh_server.api() as api:
            assert api.get("/api/cameras/cam/recording").json()["error"] == "disk full"
            row = next(
                r for r in api.get("/api/cameras/cam/recordings").json() if r["id"] == cut["id"]
            )
            assert row["frames"] > 0 and row["error"] == "disk full"
            assert _decoded_frames(api.get(row["url"]).content) == row["frames"]
            assert read_metrics(api)[("livecam_recording_errors_total", "cam")] >= 1
            freed = time.monotonic()
            ballast.unlink()  # space is back: Record is still on, a new recording starts
            again = events.wait_for(_new_start("cam", cut["id"]), timeout=40)
            assert time.monotonic() - freed < 35  # at most the backoff cap (30 s) and a frame
            assert api.get("/api/cameras/cam/recording").json()["writing"] is True
            api.post("/api/cameras/cam/recordings/stop")
            done = events.wait_for(
                lambda n, d: recording("cam", "ended")(n, d) and d["id"] == again["id"]
            )
            assert done["state"] == "done" and done["error"] == ""
    finally:
        events.close()
