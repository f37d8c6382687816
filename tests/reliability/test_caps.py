"""Viewer caps per camera and in total: 503 with Retry-After, pages and API unaffected."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from tests.support.metrics import read_metrics
from tests.support.server import LivecamServer
from tests.support.viewer import Viewer


def caps_server(server: LivecamServer) -> LivecamServer:
    """Start a server with 2 viewers per camera and 3 in total, with cameras a and b."""
    server.env["LIVECAM_MAX_VIEWERS_PER_CAMERA"] = "2"
    server.env["LIVECAM_MAX_VIEWERS"] = "3"
    server.start()
    for camera_id in ("a", "b"):
        server.add_camera(camera_id, "pattern:", "--width", "160", "--height", "120")
        server.wait_for(camera_id, lambda s: s["online"])
    return server


def viewer(server: LivecamServer, camera_id: str) -> Viewer:
    """Open a stream and wait for its first part."""
    view = Viewer(server, camera_id, lambda body: True)
    view.wait(live=True)
    return view


@pytest.mark.timeout(90)
def test_caps_refuse_streams_clearly_and_keep_the_rest_working(fresh_server: LivecamServer):
    server = caps_server(fresh_server)
    api = server.api()
    a1, a2 = viewer(server, "a"), viewer(server, "a")
    refused = api.get("/cameras/a/stream.mjpg")
    assert refused.status_code == 503
    assert refused.headers["retry-after"] == "10"
    assert "at most 2 viewers" in refused.json()["detail"]
    b1 = viewer(server, "b")
    refused = api.get("/cameras/b/stream.mjpg")
    assert refused.status_code == 503
    assert "this server allows at most 3 viewers" in refused.json()["detail"]
    # Pages, API and snapshots keep working at the cap.
    assert api.get("/api/cameras").status_code == 200
    assert api.get("/cameras/a/snapshot.jpg").status_code == 200
    with server.session() as browser:
        assert browser.get("/").status_code == 200
    assert read_metrics(api)[("livecam_viewers_rejected_total", "a")] >= 1
    a1.close()
    server.wait_for("a", lambda s: s["viewers"] == 1)
    a3 = viewer(server, "a")  # the freed place is given again
    for view in (a2, a3, b1):
        view.close()
    server.wait_for("a", lambda s: s["viewers"] == 0)
    api.close()


async def burst(server: LivecamServer, camera_id: str, count: int) -> list[int]:
    """Send `count` stream requests at once; return their status codes (streams kept open)."""
    async with httpx.AsyncClient(
        base_url=server.base_url, headers=server.auth_headers(), timeout=20
    ) as client:
        requests = [
            client.send(
                client.build_request("GET", f"/cameras/{camera_id}/stream.mjpg"), stream=True
            )
            for _ in range(count)
        ]
        responses = await asyncio.gather(*requests)
        codes = [response.status_code for response in responses]
        for response in responses:
            await response.aclose()
    return codes


@pytest.mark.timeout(90)
def test_a_burst_of_requests_cannot_overshoot_the_cap(fresh_server: LivecamServer):
    server = caps_server(fresh_server)
    codes = asyncio.run(burst(server, "a", 12))
    assert sorted(codes) == [200, 200] + [503] * 10
