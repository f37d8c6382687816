"""Motion and recording when scaled out: capture in its own process, events over Redis."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.cluster import Cluster, running_cluster
from tests.support.sse import EventLog, motion, recording

_SMALL = ("--width", "320", "--height", "240", "--fps", "10")


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[Cluster]:
    """Redis, one web server and one ``livecam capture`` process."""
    yield from running_cluster(tmp_path, webs=1)


def test_motion_events_and_recordings_cross_redis(cluster: Cluster):
    web = cluster.webs[0]
    web.add_camera("yard", "scene:motion?at=2&for=2", *_SMALL, "--off")
    events = EventLog(web.base_url, web.auth_headers())
    try:
        with web.api() as api:
            api.patch("/api/cameras/yard/motion", json={"motion": True}).raise_for_status()
            api.post("/api/cameras/yard/on").raise_for_status()
            start = events.wait_for(motion("yard", "start"), timeout=30)
            end = events.wait_for(motion("yard", "end"), timeout=30)
            assert start["id"] == end["id"] and end["duration"] > 0.5
            listed = api.get("/api/cameras/yard/events").json()
            assert [e["id"] for e in listed] == [end["id"]]
            assert api.get(listed[0]["snapshot_url"]).status_code == 200

            api.post("/api/cameras/yard/recordings/start").raise_for_status()
            events.wait_for(recording("yard", "started"), timeout=20)
            time.sleep(1)  # the scenario: record a second
            api.post("/api/cameras/yard/recordings/stop").raise_for_status()
            done = events.wait_for(recording("yard", "ended"), timeout=20)
            assert done["state"] == "done" and done["frames"] >= 5
            assert api.get(done["url"]).status_code == 200
    finally:
        events.close()
