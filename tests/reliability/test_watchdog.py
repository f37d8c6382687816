"""Reads that never return: detected by the watchdog, abandoned, replaced, capped at three."""

from __future__ import annotations

import time

import httpx

from livecam.capture.watch import MAX_STUCK
from tests.reliability.conftest import FAULT_SETTINGS, AddScripted
from tests.support.metrics import read_metrics
from tests.support.server import LivecamServer
from tests.support.viewer import Viewer

READ_TIMEOUT = FAULT_SETTINGS["READ_TIMEOUT"]


def runtime(server: LivecamServer) -> dict[str, int]:
    """Return the server's task, thread and fd counts (the test-only probe)."""
    return httpx.get(server.url("/_test/runtime"), timeout=10).json()  # type: ignore[no-any-return]


def test_a_blocked_read_is_abandoned_and_a_fresh_reader_resumes_the_stream(
    fault_server: LivecamServer, add_scripted: AddScripted
):
    camera = add_scripted("ok")
    with fault_server.api() as api, Viewer(fault_server, camera.camera_id, camera.is_live) as view:
        view.wait(live=True)
        stalls = read_metrics(api).get(("livecam_capture_stalls_total", camera.camera_id), 0)
        camera.set("block")
        blocked_at = camera.wait("read-blocked")[0][1]
        state = fault_server.wait_for(camera.camera_id, lambda s: s["state"] == "error")
        detected = time.time() - blocked_at
        assert state["error"] == "source stopped responding (reading blocked)"
        assert state["retry_at"] is not None
        assert detected < READ_TIMEOUT + 1.5, f"detected after {detected:.2f} s"
        view.wait(live=False)
        assert read_metrics(api)[("livecam_capture_stalls_total", camera.camera_id)] > stalls
        fixed_at = time.monotonic()
        camera.set("ok")  # the stuck read returns; its thread, abandoned, ends silently
        live_at, _ = view.wait(live=True, after=fixed_at)
        assert not view.ended
    assert live_at - fixed_at < FAULT_SETTINGS["RETRY_MAX"] + 1.5
    assert len(camera.events("open")) >= 2, "a fresh reader opened the source again"


def test_readers_that_stay_stuck_are_capped_and_other_cameras_keep_streaming(
    fault_server: LivecamServer, add_scripted: AddScripted, camera_id: str
):
    steady = add_scripted("ok", "--fps", "10", name=camera_id + "-steady")
    stuck = add_scripted("ok", name=camera_id + "-stuck")
    threads_before = runtime(fault_server)["threads"]
    with Viewer(fault_server, steady.camera_id, steady.is_live) as view:
        view.wait(live=True)
        start = time.monotonic()
        stuck.set("block")
        state = fault_server.wait_for(
            stuck.camera_id, lambda s: "reads still blocked" in s["error"], timeout=30
        )
        assert state["state"] == "error"
        assert state["error"].startswith(f"source not responding: {MAX_STUCK} reads")
        blocked = len(stuck.events("read-blocked"))
        assert blocked == MAX_STUCK
        # No fourth reader while three are stuck, and the thread count stays bounded.
        time.sleep(READ_TIMEOUT + 1)  # a fourth reader would have been started by now
        assert len(stuck.events("read-blocked")) == MAX_STUCK
        assert runtime(fault_server)["threads"] <= threads_before + MAX_STUCK
        end = time.monotonic()
        stuck.set("ok")
        fault_server.wait_for(stuck.camera_id, lambda s: s["online"], timeout=15)
    assert view.count(start, end) >= 0.9 * 10 * (end - start) - 2
    # The abandoned threads ended once their reads returned: nothing leaked.
    deadline = time.monotonic() + 10
    while runtime(fault_server)["threads"] > threads_before and time.monotonic() < deadline:
        time.sleep(0.1)  # threads end on their own schedule; there is no event to await
    assert runtime(fault_server)["threads"] <= threads_before


def test_an_open_that_never_returns_is_abandoned_after_the_open_timeout(
    fault_server: LivecamServer, add_scripted: AddScripted
):
    camera = add_scripted("block-open", wait=False)
    blocked_at = camera.wait("open-blocked")[0][1]
    state = fault_server.wait_for(
        camera.camera_id, lambda s: s["error"] == "source stopped responding (opening blocked)"
    )
    assert time.time() - blocked_at < FAULT_SETTINGS["OPEN_TIMEOUT"] + 1.5
    assert state["state"] == "error"
    camera.set("ok")
    fault_server.wait_for(camera.camera_id, lambda s: s["online"], timeout=15)
