"""Through a real server: the schedule's states (built around now) and "keep" under a budget."""

from __future__ import annotations

import datetime as dt
import time
import zoneinfo
from typing import Any

import httpx

from tests.support.metrics import read_metrics
from tests.support.server import LivecamServer

FPS = 10


def _clock(at: dt.datetime) -> str:
    return at.strftime("%H:%M")


def _server_now(server: LivecamServer) -> dt.datetime:
    """Return now in the server's time zone (the one its schedules are read in)."""
    return dt.datetime.now(zoneinfo.ZoneInfo(server.env.get("TZ") or "UTC"))


def _add(server: LivecamServer, camera_id: str) -> None:
    server.add_camera(camera_id, "pattern:", "--width", "160", "--height", "120", "--fps", str(FPS))
    server.wait_for(camera_id, lambda s: s["state"] == "online", timeout=20)


def test_a_schedule_later_today_waits_and_one_around_now_records(
    rec_server: LivecamServer, camera_id: str
):
    _add(rec_server, camera_id)
    now = _server_now(rec_server)
    # Every day from two to three hours from now: never now, whatever the date or the zone.
    later = f"daily {_clock(now + dt.timedelta(hours=2))}-{_clock(now + dt.timedelta(hours=3))}"
    # From an hour ago to an hour from now (may run past midnight): always now.
    around = f"daily {_clock(now - dt.timedelta(hours=1))}-{_clock(now + dt.timedelta(hours=1))}"
    url = f"/api/cameras/{camera_id}/motion"
    with rec_server.api() as api:
        response = api.patch(url, json={"continuous": True, "schedule": later})
        assert response.status_code == 200, response.text
        rec_server.wait_for(camera_id, lambda s: s.get("continuous") == "scheduled-idle", 20)
        assert api.get(f"/api/cameras/{camera_id}").json()["continuous"] == "scheduled-idle"
        timeline = api.get(f"/api/cameras/{camera_id}/timeline").json()
        assert timeline["recording"]["state"] == "scheduled-idle"
        assert timeline["segments"] == []  # waiting: nothing written

        assert api.patch(url, json={"schedule": around}).status_code == 200
        rec_server.wait_for(camera_id, lambda s: s.get("continuous") == "recording", 20)
        deadline = time.monotonic() + 20
        while not api.get(f"/api/cameras/{camera_id}/timeline").json()["segments"]:
            assert time.monotonic() < deadline, "no segment while the schedule says record"
            time.sleep(0.5)

        assert api.patch(url, json={"schedule": later}).status_code == 200
        rec_server.wait_for(camera_id, lambda s: s.get("continuous") == "scheduled-idle", 20)
        api.patch(url, json={"continuous": False})


def _finished(api: httpx.Client, camera_id: str) -> list[dict[str, Any]]:
    data = api.get(f"/api/cameras/{camera_id}/timeline", params={"start": time.time() - 600})
    return [s for s in data.json()["segments"] if not s["writing"]]


def test_a_kept_segment_survives_the_budget_that_deletes_its_neighbours(
    rec_server: LivecamServer, camera_id: str
):
    _add(rec_server, camera_id)
    url = f"/api/cameras/{camera_id}/motion"
    with rec_server.api(timeout=30) as api:
        assert api.patch(url, json={"continuous": True}).status_code == 200
        deadline = time.monotonic() + 30
        while len(done := _finished(api, camera_id)) < 3:
            assert time.monotonic() < deadline, done
            time.sleep(0.5)
        before, kept, after = done[0], done[1], done[2]
        rec_server.cli(
            "shell",
            "-c",
            "from livecam.recording.models import Segment; "
            f"Segment.objects.filter(pk={kept['id']}).update(keep=True)",
        )
        deleted = read_metrics(api).get(("livecam_segments_deleted_total", camera_id), 0.0)
        # A budget of one byte: every finished segment not kept goes at the next sweep.
        assert api.patch(url, json={"max_gb": 1e-9}).status_code == 200
        deadline = time.monotonic() + 30
        while {before["id"], after["id"]} & {s["id"] for s in _finished(api, camera_id)}:
            assert time.monotonic() < deadline, _finished(api, camera_id)
            time.sleep(0.5)
        remaining = _finished(api, camera_id)
        assert kept["id"] in [s["id"] for s in remaining]
        body = api.get(kept["url"])
        assert body.status_code == 200 and len(body.content) == kept["bytes"]
        assert api.get(before["url"]).status_code == 404
        assert api.get(after["url"]).status_code == 404
        now_deleted = read_metrics(api)[("livecam_segments_deleted_total", camera_id)]
        assert now_deleted >= deleted + 2
        api.patch(url, json={"continuous": False, "max_gb": 0})
