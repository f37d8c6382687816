"""Source faults: NO SIGNAL at once, backoff, recovery in the same connection, no dead camera."""

from __future__ import annotations

import itertools
import time

import httpx

from livecam import placeholder
from livecam.sources.jpeg import jpeg_size
from tests.reliability.conftest import FAULT_SETTINGS, AddScripted, camera_state
from tests.support.metrics import read_metrics
from tests.support.server import LivecamServer
from tests.support.viewer import Viewer


def no_signal(reason: str, width: int = 160, height: int = 120) -> bytes:
    """Return the exact placeholder JPEG the server renders for this reason and size."""
    return placeholder.render("NO SIGNAL", reason, width, height)


def test_a_failing_read_shows_no_signal_within_a_second_and_resumes_in_the_same_connection(
    fault_server: LivecamServer, add_scripted: AddScripted
):
    camera = add_scripted("ok", size=(320, 240))
    with Viewer(fault_server, camera.camera_id, camera.is_live) as viewer:
        viewer.wait(live=True)
        fault_at = time.monotonic()
        camera.set("raise")
        shown_at, body = viewer.wait(live=False, after=fault_at)
        assert shown_at - fault_at < 1.0, f"placeholder after {shown_at - fault_at:.2f} s"
        # "NO SIGNAL — reason", at the camera's configured size.
        assert body == no_signal("scripted: read failed", 320, 240)
        assert jpeg_size(body) == (320, 240)
        fixed_at = time.monotonic()
        camera.set("ok")
        live_at, _ = viewer.wait(live=True, after=fixed_at)
        assert live_at - fixed_at < FAULT_SETTINGS["RETRY_MAX"] + 1.0
        assert not viewer.ended, "the same connection carries on"
    state = camera_state(fault_server, camera.camera_id)
    assert state["reconnects"] >= 1


def test_backoff_doubles_to_its_cap_and_resets_after_frames_flow(
    fault_server: LivecamServer, add_scripted: AddScripted
):
    camera = add_scripted("fail-open")
    tries = camera.wait("open-try", 6, timeout=20)
    gaps = [b - a for (_, a), (_, b) in itertools.pairwise(tries)]
    expected = [0.3, 0.6, 1.2, 2.0, 2.0]  # RETRY_INITIAL doubled, capped at RETRY_MAX
    for gap, want in zip(gaps, expected, strict=True):
        assert want * 0.9 <= gap <= want + 0.6, (gaps, expected)
    state = camera_state(fault_server, camera.camera_id)
    assert state["state"] == "error" and state["error"] == "scripted: cannot open"
    assert state["retry_at"] is not None and state["retry_at"] <= time.time() + 2.5
    camera.set("ok")
    fault_server.wait_for(camera.camera_id, lambda s: s["online"], timeout=10)
    opened = len(camera.events("open-try"))
    camera.set("raise")  # after frames flowed the first retry is RETRY_INITIAL again
    closed_at = camera.wait("close", 1)[-1][1]
    retried_at = camera.wait("open-try", opened + 1)[-1][1]
    assert retried_at - closed_at < 0.3 + 0.6


def test_a_source_that_returns_nothing_or_has_a_bug_is_an_error_with_a_reason(
    fault_server: LivecamServer, add_scripted: AddScripted
):
    camera = add_scripted("ok")
    for mode, reason in [
        ("none", "the source returned no frame"),
        ("bug", "internal error: RuntimeError"),
        ("raise", "scripted: read failed"),
    ]:
        camera.set(mode)
        fault_server.wait_for(
            camera.camera_id, lambda s, r=reason: s["state"] == "error" and s["error"] == r
        )
        camera.set("ok")
        fault_server.wait_for(camera.camera_id, lambda s: s["online"])


def test_a_crashed_capture_thread_is_restarted_and_other_cameras_never_notice(
    fault_server: LivecamServer, add_scripted: AddScripted, camera_id: str
):
    steady = add_scripted("ok", "--fps", "10", name=camera_id + "-steady")
    crashing = add_scripted("ok", name=camera_id + "-crash")
    with fault_server.api() as api, Viewer(fault_server, steady.camera_id, steady.is_live) as view:
        view.wait(live=True)
        before = read_metrics(api).get(("livecam_capture_crashes_total", crashing.camera_id), 0)
        start = time.monotonic()
        crashing.set("crash")
        fault_server.wait_for(crashing.camera_id, lambda s: s["error"] == "capture crashed")
        crashing.set("ok")
        fault_server.wait_for(crashing.camera_id, lambda s: s["online"])
        end = time.monotonic()
        after = read_metrics(api)[("livecam_capture_crashes_total", crashing.camera_id)]
    assert after >= before + 1
    # The steady camera kept its 10 fps throughout (90 %: the window edges and a busy machine).
    assert view.count(start, end) >= 0.9 * 10 * (end - start) - 2


def test_corrupt_frames_are_dropped_counted_and_never_sent(
    fault_server: LivecamServer, add_scripted: AddScripted
):
    camera = add_scripted("ok")
    with fault_server.api() as api, Viewer(fault_server, camera.camera_id, camera.is_live) as view:
        view.wait(live=True)
        key = ("livecam_frames_corrupt_total", camera.camera_id)
        before = read_metrics(api).get(key, 0)
        camera.set("corrupt")
        # 50 corrupt frames in a row (20 fps) make it an error, then it retries.
        fault_server.wait_for(
            camera.camera_id,
            lambda s: s["state"] == "error" and "corrupt frames in a row" in s["error"],
        )
        camera.set("ok")
        fault_server.wait_for(camera.camera_id, lambda s: s["online"])
        counted = read_metrics(api)[key] - before
        view.wait(live=True, after=time.monotonic())
    # Every part the viewer got was a whole JPEG (the reader checks) and none was corrupt.
    assert view.error is None
    assert all(is_live or body[-2:] == b"\xff\xd9" for _, is_live, body in view.parts)
    assert counted >= 50


def test_the_api_answers_quickly_while_a_source_misbehaves(
    fault_server: LivecamServer, add_scripted: AddScripted
):
    camera = add_scripted("ok")
    camera.set("block")
    with httpx.Client(base_url=fault_server.base_url, headers=fault_server.auth_headers()) as c:
        slowest = 0.0
        for _ in range(10):
            started = time.monotonic()
            assert c.get(f"/api/cameras/{camera.camera_id}").status_code == 200
            slowest = max(slowest, time.monotonic() - started)
    camera.set("ok")
    assert slowest < 0.5
