"""Continuous recording under faults: budget retention, kill -9 mid-segment, a full disk."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import av
import httpx
import pytest

from tests.support.server import LivecamServer

FPS = 15


def _timeline(api: httpx.Client, camera_id: str) -> dict[str, Any]:
    response = api.get(f"/api/cameras/{camera_id}/timeline", params={"start": time.time() - 900})
    assert response.status_code == 200, response.text
    return response.json()


def _until(check: Callable[[], Any], timeout: float, what: str) -> Any:
    """Poll the server's API until ``check`` answers something true (the thing under test)."""
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found:
            return found
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.3)


def _decodes(body: bytes) -> int:
    with av.open(io.BytesIO(body)) as container:
        return sum(1 for _ in container.decode(container.streams.video[0]))


def _record(server: LivecamServer, api: httpx.Client, camera_id: str, **settings: Any) -> None:
    server.add_camera(camera_id, "pattern:", "--width", "320", "--height", "240", "--fps", str(FPS))
    body = {"continuous": True, **settings}
    assert api.patch(f"/api/cameras/{camera_id}/motion", json=body).status_code == 200


def _server(path: Path, seconds: float) -> LivecamServer:
    return LivecamServer(path, settings={"SEGMENT_SECONDS": seconds, "MEDIA_MIN_FREE_GB": 0})


def _files(server: LivecamServer, camera_id: str) -> list[Path]:
    return sorted((server.data_dir / "media" / "segments" / camera_id).glob("*/*.mp4"))


def test_budget_deletes_the_oldest_segments_and_their_files(tmp_path: Path):
    server = _server(tmp_path, 1.0)
    server.start()
    try:
        with server.api() as api:
            _record(server, api, "cam")
            first = _until(
                lambda: [s for s in _timeline(api, "cam")["segments"] if not s["writing"]],
                20,
                "a first segment",
            )
            size = first[0]["bytes"]
            budget = 3 * size  # room for about three segments
            patch = {"max_gb": budget / 1e9}
            assert api.patch("/api/cameras/cam/motion", json=patch).status_code == 200

            def trimmed() -> list[dict[str, Any]] | None:
                done = [s for s in _timeline(api, "cam")["segments"] if not s["writing"]]
                return done if done and done[0]["id"] != first[0]["id"] and len(done) >= 2 else None

            kept = _until(trimmed, 30, "the oldest segment to be deleted")
            metrics = api.get("/metrics").text
            assert 'livecam_segments_deleted_total{camera="cam"}' in metrics
            assert sum(s["bytes"] for s in kept) <= budget + 2 * size  # one more may be closing
            # The rows and the files agree: a deleted row took its file along.
            names = {p.name for p in _files(server, "cam")}
            assert len(names) >= len(kept) and len(names) <= len(kept) + 2
            gone = api.get(first[0]["url"])
            assert gone.status_code == 404
    finally:
        server.stop()


def test_kill_9_mid_segment_keeps_everything_before(tmp_path: Path):
    server = _server(tmp_path, 6.0)
    server.start()
    with server.api() as api:
        _record(server, api, "cam")

        def mid_segment() -> dict[str, Any] | None:
            data = _timeline(api, "cam")
            done = [s for s in data["segments"] if not s["writing"]]
            writing = [s for s in data["segments"] if s["writing"]]
            if done and writing and time.time() - writing[0]["start"] > 2.5:
                return data
            return None

        before = _until(mid_segment, 40, "a segment half written")
    assert server.stop(signal.SIGKILL) == -signal.SIGKILL
    finished = [s for s in before["segments"] if not s["writing"]]
    torn = next(s for s in before["segments"] if s["writing"])
    parts = list(tmp_path.glob("media/segments/cam/*/*.mp4.part"))
    assert len(parts) == 1, "the torn segment's file"
    server.start()
    try:
        with server.api() as api:

            def recovered() -> dict[str, Any] | None:
                data = {s["id"]: s for s in _timeline(api, "cam")["segments"]}
                row = data.get(torn["id"])
                return data if row is not None and not row["writing"] else None

            after = _until(recovered, 30, "the torn segment to be recovered")
            for old in finished:  # everything finished before the kill is untouched
                assert after[old["id"]] == old
                assert _decodes(api.get(old["url"]).content) == old["frames"]
            row = after[torn["id"]]
            # About 2.5 s were written when the process died (15 fps): most of it is kept.
            assert row["frames"] >= 2 * FPS, row
            assert _decodes(api.get(row["url"]).content) == row["frames"]
            assert row["start"] == torn["start"] and row["end"] - row["start"] >= 2.0
            assert not parts[0].exists() and parts[0].with_suffix("").exists()
            assert "segments reconciled" in server.log_path.read_text()
    finally:
        server.stop()


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 4 MB tmpfs as the media folder: a real file system that fills up (needs root)."""
    media = tmp_path / "media"
    media.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root (without root: a loop device or a quota)")
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(media)], capture_output=True
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        yield media
    finally:
        subprocess.run(["umount", "-l", str(media)], check=False)


def test_a_full_disk_pauses_recording_and_it_resumes_by_itself(tmp_path: Path, small_disk: Path):
    filler = small_disk / "filler"
    filler.write_bytes(b"\0" * (4 * 1024 * 1024 - 256 * 1024))  # leave about 256 KB
    server = _server(tmp_path, 2.0)
    server.start()
    try:
        with server.api() as api:
            _record(server, api, "cam")
            paused = server.wait_for("cam", lambda s: s["continuous"] == "paused", timeout=40)
            assert paused["continuous_reason"] == "disk full"
            assert paused["state"] == "online"  # live view goes on
            assert api.get("/cameras/cam/snapshot.jpg").status_code == 200
            metrics = api.get("/metrics").text
            assert 'livecam_recording_paused{camera="cam"} 1.0' in metrics
            # What was written before the disk filled is whole and playable.
            done = [s for s in _timeline(api, "cam")["segments"] if not s["writing"]]
            for segment in done:
                assert _decodes(api.get(segment["url"]).content) == segment["frames"]
            filler.unlink()  # space comes back
            server.wait_for("cam", lambda s: s["continuous"] == "recording", timeout=20)

            def more() -> bool:
                again = [s for s in _timeline(api, "cam")["segments"] if not s["writing"]]
                return len(again) > len(done)

            _until(more, 20, "a new segment after space came back")
            assert 'livecam_recording_paused{camera="cam"} 0.0' in api.get("/metrics").text
            state = json.loads(json.dumps(api.get("/api/cameras/cam").json()))
            assert state["continuous"] == "recording" and state["continuous_reason"] == ""
    finally:
        server.stop()
