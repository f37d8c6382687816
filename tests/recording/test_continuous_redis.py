"""Continuous recording scaled out: capture in its own process writes, the web side answers."""

from __future__ import annotations

import io
import time
from collections.abc import Iterator
from pathlib import Path

import av
import pytest

from tests.support import cluster as cluster_support
from tests.support.cluster import Cluster, running_cluster


@pytest.fixture
def cluster(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Cluster]:
    """Redis, one web server and one ``livecam capture`` process, with 2-second segments."""
    monkeypatch.setitem(cluster_support.SETTINGS, "SEGMENT_SECONDS", 2.0)
    monkeypatch.setitem(cluster_support.SETTINGS, "MEDIA_MIN_FREE_GB", 0)
    yield from running_cluster(tmp_path, webs=1)


def test_segments_written_by_capture_are_served_by_the_web_process(cluster: Cluster):
    web = cluster.webs[0]
    web.add_camera("yard", "pattern:", "--width", "320", "--height", "240", "--fps", "10")
    with web.api(timeout=30) as api:
        api.patch("/api/cameras/yard/motion", json={"continuous": True}).raise_for_status()
        # The state crosses the bus from the capture process.
        state = web.wait_for("yard", lambda s: s["continuous"] == "recording", timeout=30)
        assert state["continuous_reason"] == ""
        deadline = time.monotonic() + 30
        while True:  # poll the thing under test: the web process's timeline
            data = api.get("/api/cameras/yard/timeline", params={"start": time.time() - 300})
            done = [s for s in data.json()["segments"] if not s["writing"]]
            if len(done) >= 2:
                break
            assert time.monotonic() < deadline, data.text
            time.sleep(0.5)
        assert data.json()["recording"]["state"] == "recording"
        for segment in done[:2]:
            with av.open(io.BytesIO(api.get(segment["url"]).content)) as container:
                frames = sum(1 for _ in container.decode(container.streams.video[0]))
            assert frames == segment["frames"]
        params = {"start": done[0]["start"], "end": done[1]["end"]}
        clip = api.get("/cameras/yard/clip.mp4", params=params)
        assert clip.status_code == 200 and len(clip.content) > 1000
        api.patch("/api/cameras/yard/motion", json={"continuous": False}).raise_for_status()
        web.wait_for("yard", lambda s: s["continuous"] == "off", timeout=30)
