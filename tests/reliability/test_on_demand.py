"""On-demand cameras: idle until watched, open for a viewer or snapshot, released after linger."""

from __future__ import annotations

import time

from tests.reliability.conftest import AddScripted, camera_state
from tests.support.server import LivecamServer
from tests.support.viewer import Viewer

LINGER = 1.0
TICK = 0.5  # the capture supervisor's check interval


def test_an_on_demand_camera_opens_for_a_viewer_and_releases_after_the_linger(
    fault_server: LivecamServer, add_scripted: AddScripted
):
    camera = add_scripted("ok", "--on-demand", "--linger", str(LINGER))
    state = fault_server.wait_for(camera.camera_id, lambda s: s["state"] == "idle")
    assert state["enabled"] is True and state["on_demand"] is True and not state["online"]
    assert camera.events("open") == []
    asked = time.time()
    with Viewer(fault_server, camera.camera_id, camera.is_live) as view:
        opened_at = camera.wait("open")[0][1]
        view.wait(live=True)
        assert opened_at - asked < 1.0, f"opened {opened_at - asked:.2f} s after the viewer came"
        state = camera_state(fault_server, camera.camera_id)
        assert state["state"] == "online" and state["viewers"] == 1
    left = time.time()
    closed_at = camera.wait("close", timeout=LINGER + 5)[0][1]
    assert LINGER * 0.9 <= closed_at - left <= LINGER + TICK + 1.0
    state = fault_server.wait_for(camera.camera_id, lambda s: s["state"] == "idle")
    assert state["enabled"] is True, "idle is automatic: the camera stays switched ON"
    assert not camera.held()


def test_a_viewer_returning_within_the_linger_keeps_the_source_open(
    fault_server: LivecamServer, add_scripted: AddScripted
):
    camera = add_scripted("ok", "--on-demand", "--linger", "3")
    with Viewer(fault_server, camera.camera_id, camera.is_live) as view:
        view.wait(live=True)
    with Viewer(fault_server, camera.camera_id, camera.is_live) as view:
        view.wait(live=True)
    assert len(camera.events("open")) == 1 and camera.held()


def test_a_snapshot_of_an_idle_camera_opens_it_answers_and_releases_it(
    fault_server: LivecamServer, add_scripted: AddScripted
):
    camera = add_scripted("ok", "--on-demand", "--linger", str(LINGER))
    fault_server.wait_for(camera.camera_id, lambda s: s["state"] == "idle")
    with fault_server.api() as api:
        started = time.monotonic()
        response = api.get(f"/cameras/{camera.camera_id}/snapshot.jpg")
        took = time.monotonic() - started
    assert response.status_code == 200, response.text
    assert camera.is_live(response.content)
    assert took < 3.0
    camera.wait("close", timeout=LINGER + 5)
    fault_server.wait_for(camera.camera_id, lambda s: s["state"] == "idle")


def test_an_off_on_demand_camera_is_not_opened_by_viewers(
    fault_server: LivecamServer, add_scripted: AddScripted
):
    camera = add_scripted("ok", "--on-demand", "--off")
    fault_server.wait_for(camera.camera_id, lambda s: s["state"] == "off")
    with Viewer(fault_server, camera.camera_id, camera.is_live) as view:
        view.wait(live=False)
        time.sleep(1.0)  # long enough for the supervisor to have opened it, were it wrong
    assert camera.events("open-try") == []
