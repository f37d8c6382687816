"""SQLite on a full disk, under a real server: writes answer 503 with the reason, then recover.

The server's database lives on a small tmpfs of its own (root only: mounting needs it), which
the test fills with a ballast file and empties again.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.server import LivecamServer
from tests.support.tmpfs import fill, small_tmpfs

pytestmark = pytest.mark.timeout(120)

DISK_FULL = {"detail": "the disk is full; try again once space has been freed"}


@pytest.fixture
def sqlite_server(tmp_path: Path) -> Iterator[tuple[LivecamServer, Path]]:
    with small_tmpfs(tmp_path / "db", "4m") as disk:
        server = LivecamServer(
            tmp_path / "data",
            env={"LIVECAM_DATABASE_URL": f"sqlite:///{disk / 'livecam.sqlite3'}"},
        )
        server.data_dir.mkdir()
        server.start()
        try:
            server.add_camera("cam", "pattern:", "--width", "160", "--height", "120", "--fps", "5")
            server.wait_for("cam", lambda state: state["online"], timeout=20)
            yield server, disk
        finally:
            server.stop()


def _power_form(session: httpx.Client, state: str) -> httpx.Response:
    return session.post(
        "/cameras/cam/power",
        data={"state": state, "csrfmiddlewaretoken": session.cookies["csrftoken"]},
    )


def test_writes_on_a_full_disk_answer_503_with_the_reason_and_recover_by_themselves(
    sqlite_server: tuple[LivecamServer, Path],
):
    server, disk = sqlite_server
    session = server.login()
    api = server.api()
    log_before = server.log_path.read_text()
    try:
        ballast = fill(disk)
        for path in ("/api/cameras/cam/off", "/api/cameras/cam/recordings/start"):
            answer = api.post(path)
            assert answer.status_code == 503, (path, answer.status_code, answer.text)
            assert answer.headers["retry-after"] == "30"
            assert answer.json() == DISK_FULL
        page = _power_form(session, "off")
        assert page.status_code == 503 and page.headers["retry-after"] == "30"
        assert DISK_FULL["detail"] in page.text and "text/html" in page.headers["content-type"]
        # What only reads goes on: the API, and snapshots (frames are in memory).
        assert api.get("/api/cameras/cam").json()["enabled"] is True
        snapshot = api.get("/cameras/cam/snapshot.jpg")
        assert snapshot.status_code == 200 and snapshot.content.startswith(b"\xff\xd8")

        ballast.unlink()  # space is back: the next write works, nothing to restart
        assert api.post("/api/cameras/cam/off").json()["enabled"] is False
        assert _power_form(session, "on").status_code == 303
        assert api.get("/api/cameras/cam").json()["enabled"] is True
    finally:
        session.close()
        api.close()
    log = server.log_path.read_text()[len(log_before) :]
    assert "Internal Server Error" not in log and "ERROR" not in log, log[-3000:]
    assert "the disk is full" in log  # one warning per burst, with a count
