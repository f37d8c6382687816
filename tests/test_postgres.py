"""LIVECAM_DATABASE_URL: the whole server on PostgreSQL (as multi-machine setups use)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.postgres import postgres_database
from tests.support.server import LivecamServer


@pytest.fixture
def pg_server(tmp_path: Path) -> Iterator[LivecamServer]:
    try:
        context = postgres_database()
        url = context.__enter__()
    except (LookupError, OSError) as exc:
        pytest.skip(f"no PostgreSQL available: {exc}")
    server = LivecamServer(tmp_path / "data", env={"LIVECAM_DATABASE_URL": url})
    server.data_dir.mkdir()
    server.log_path = server.data_dir / "server.log"
    try:
        yield server
    finally:
        if server.process is not None:
            server.stop()
        context.__exit__(None, None, None)


def test_server_runs_on_postgresql_and_keeps_state(pg_server: LivecamServer):
    pg_server.start("--demo")
    pg_server.add_camera("pg-cam", "pattern:", "--width", "160", "--height", "120")
    pg_server.wait_for("pg-cam", lambda s: s["online"])
    with pg_server.api() as client:
        assert client.post("/api/cameras/pg-cam/off").json()["enabled"] is False
    assert pg_server.stop() == 0
    assert not (pg_server.data_dir / "livecam.sqlite3").exists(), "nothing went to SQLite"
    pg_server.start()
    with pg_server.api() as client:
        states = {c["id"]: c for c in client.get("/api/cameras").json()}
    assert states["pg-cam"]["enabled"] is False
    assert states["demo"]["enabled"] is True
