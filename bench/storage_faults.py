"""Measure how livecam rides out database and storage faults; figures of docs/reliability.md.

python -m bench.storage_faults   (about three minutes on 2 cores; the full-disk part needs root)

Real processes: a private PostgreSQL cluster that is killed, stopped and started, a real
``livecam serve``, kill -9, a 2 MB tmpfs on the media folder and a 4 MB one under SQLite. Prints one JSON document.
"""

from __future__ import annotations

import json
import os
import signal
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from tests.motion.test_recording_faults import FPS, _decoded_frames, _new_start, _record
from tests.reliability.test_database_faults import (
    OpenStream,
    _terminate_livecam_connections,
    _wait_status,
)
from tests.support.postgres import PrivateCluster, postgres_database
from tests.support.server import LivecamServer
from tests.support.sse import recording
from tests.support.tmpfs import fill, small_tmpfs

RECHECK, GRACE, VIEWERS = 1.0, 10.0, 10


def database(directory: Path) -> dict[str, Any]:
    """Connections killed three times under open streams; then the database stopped and started."""
    cluster = PrivateCluster()
    cluster.start()
    try:
        with postgres_database(cluster.dsn) as url:
            server = LivecamServer(
                directory / "pg",
                settings={"ACCESS_RECHECK": RECHECK, "ACCESS_GRACE": GRACE},
                env={"LIVECAM_DATABASE_URL": url},
            )
            server.data_dir.mkdir()
            server.start("--demo")
            try:
                return _database(server, cluster)
            finally:
                server.stop()
    finally:
        cluster.remove()


def _database(server: LivecamServer, cluster: PrivateCluster) -> dict[str, Any]:
    client = httpx.Client(base_url=server.base_url, headers=server.auth_headers(), timeout=10)
    feeds = [OpenStream(client, "/cameras/demo/stream.mjpg") for _ in range(VIEWERS)]
    feeds.append(OpenStream(client, "/api/events"))
    for _ in range(3):
        time.sleep(2 * RECHECK)
        _terminate_livecam_connections(cluster)
    time.sleep(GRACE + 2 * RECHECK)  # had re-checks kept failing, every feed would be closed
    survived = sum(feed.ended_at is None for feed in feeds)
    assert client.get("/cameras/demo/snapshot.jpg").status_code == 200
    allowed = stopped = time.monotonic()
    cluster.stop()
    answered = time.monotonic()
    status = client.get("/api/cameras").status_code
    answer_s = time.monotonic() - answered
    answered = time.monotonic()
    snapshot_status = client.get("/cameras/demo/snapshot.jpg").status_code
    snapshot_s = time.monotonic() - answered
    while any(feed.ended_at is None for feed in feeds) and time.monotonic() - stopped < 3 * GRACE:
        time.sleep(0.05)
    ends = [feed.ended_at - stopped for feed in feeds if feed.ended_at is not None]
    while client.get("/cameras/demo/snapshot.jpg").status_code == 200:
        time.sleep(0.05)
    snapshots_until = time.monotonic() - allowed
    started = time.monotonic()
    cluster.start()
    started_s = time.monotonic() - started
    back = _wait_status(client, "/api/cameras", 200)
    client.close()
    return {
        "feeds": len(feeds),
        "feeds_open_after_3_kills": survived,
        "outage_api_status": status,
        "outage_api_answer_s": round(answer_s, 3),
        "feeds_ended_after_stop_s": [round(min(ends), 2), round(max(ends), 2)],
        "outage_snapshot_status": snapshot_status,
        "outage_snapshot_answer_s": round(snapshot_s, 3),
        "snapshots_served_until_s": round(snapshots_until, 2),
        "grace_s": GRACE,
        "recheck_s": RECHECK,
        "pg_start_s": round(started_s, 2),
        "api_back_after_start_s": round(back, 2),
    }


def kill_9(directory: Path, repeat: int = 3) -> dict[str, Any]:
    """Seconds of video lost when the server is killed mid-recording (640x480, 10 fps)."""
    lost = []
    for index in range(repeat):
        server = LivecamServer(directory / f"kill{index}")
        server.data_dir.mkdir()
        server.start()
        events = _record(server, "cam", "640x480")
        began = events.wait_for(recording("cam", "started"))
        started = time.monotonic()
        time.sleep(6)  # the scenario: record six seconds
        events.close()
        server.stop(signal.SIGKILL)
        recorded = time.monotonic() - started
        server.start()
        with server.api() as api:
            rows = api.get("/api/cameras/cam/recordings").json()
            row = next(r for r in rows if r["id"] == began["id"])
            assert row["state"] == "done", row
            assert _decoded_frames(api.get(row["url"]).content) == row["frames"]
        server.stop()
        lost.append(round(recorded - row["duration"], 2))
    return {"recorded_s": 6, "fps": FPS, "lost_s": lost}


def full_disk(directory: Path) -> dict[str, Any]:
    """A 2 MB tmpfs media folder filled while recording; then space is freed."""
    if os.geteuid() != 0:
        return {"skipped": "needs root to mount a tmpfs"}
    server = LivecamServer(directory / "disk")
    with small_tmpfs(server.data_dir / "media", "2m") as media:
        server.start()
        try:
            ballast = fill(media, leave=120_000)
            events = _record(server, "cam", "640x480")
            cut = events.wait_for(recording("cam", "ended"), timeout=60)
            freed = time.monotonic()
            ballast.unlink()
            events.wait_for(_new_start("cam", cut["id"]), timeout=60)
            resumed = time.monotonic() - freed
            events.close()
            return {
                "kept_frames": cut["frames"],
                "kept_bytes": cut["size"],
                "error": cut["error"],
                "resumed_after_free_s": round(resumed, 2),
            }
        finally:
            server.stop()


def database_disk_full(directory: Path) -> dict[str, Any]:
    """SQLite on a 4 MB tmpfs filled up: how a write answers, and how soon writes work again."""
    if os.geteuid() != 0:
        return {"skipped": "needs root to mount a tmpfs"}
    with small_tmpfs(directory / "sqlite", "4m") as disk:
        server = LivecamServer(
            directory / "sqlite-data",
            env={"LIVECAM_DATABASE_URL": f"sqlite:///{disk / 'livecam.sqlite3'}"},
        )
        server.data_dir.mkdir()
        server.start("--demo")
        try:
            with server.api() as api:
                ballast = fill(disk)
                answered = time.monotonic()
                full = api.post("/api/cameras/demo/off")
                answer_s = time.monotonic() - answered
                ballast.unlink()
                freed = time.monotonic()
                back = _wait_status(api, "/api/cameras/demo", 200)  # a read: warms the client
                while api.post("/api/cameras/demo/off").status_code != 200:
                    time.sleep(0.05)
                return {
                    "write_status": full.status_code,
                    "retry_after": full.headers.get("retry-after"),
                    "detail": full.json()["detail"],
                    "write_answer_s": round(answer_s, 3),
                    "write_back_after_free_s": round(time.monotonic() - freed, 3),
                    "read_status_after_free_s": round(back, 3),
                }
        finally:
            server.stop()


def main() -> None:
    """Run every scenario and print the figures."""
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        for name, scenario in (
            ("database", database),
            ("kill_9", kill_9),
            ("full_disk", full_disk),
            ("database_disk_full", database_disk_full),
        ):
            print(json.dumps({name: scenario(directory)}), flush=True)


if __name__ == "__main__":
    main()
