"""Commands from the broker: power and recording through the control path; bad ones refused."""

from __future__ import annotations

import time

import pytest

from tests.mqtt.conftest import SMALL, json_of, metric, set_mqtt, state
from tests.support.mosquitto import Subscriber
from tests.support.server import LivecamServer
from tests.support.viewer import Viewer

# Real servers (livecam, mosquitto) start in seconds, slower on a busy machine.
pytestmark = pytest.mark.timeout(120)


def test_power_set_off_switches_the_camera_for_the_api_and_open_viewers(
    bridged: LivecamServer, ha: Subscriber, camera_id: str
):
    bridged.add_camera(camera_id, "pattern:", *SMALL)
    set_mqtt(bridged, camera_id, commands=True)
    ha.wait_for(f"livecam/{camera_id}/state", lambda p: json_of(p)["state"] == "online")
    with Viewer(bridged, camera_id, lambda body: True) as viewer:
        viewer.wait(live=True)
        frames = {body for _at, _live, body in viewer.parts}
        sent = time.monotonic()
        ha.publish(f"livecam/{camera_id}/power/set", b"OFF")
        ha.wait_for(f"livecam/{camera_id}/power", lambda p: p == b"OFF")
        reported = time.monotonic()
        assert state(bridged, camera_id)["enabled"] is False
        # The open stream turns into the OFF placeholder: one body, re-sent, never a frame.
        deadline = time.monotonic() + 10
        while True:
            with viewer._cond:
                recent = [(at, body) for at, _live, body in viewer.parts if at > reported]
            if len(recent) >= 2 and recent[-1][1] == recent[-2][1] not in frames:
                placeholder_at = recent[-2][0]
                break
            assert time.monotonic() < deadline, "no OFF placeholder"
            with viewer._cond:
                viewer._cond.wait(1)
    off = json_of(ha.wait_for(f"livecam/{camera_id}/state", lambda p: json_of(p)["state"] == "off"))
    assert off["enabled"] is False
    print(
        f"\npower/set OFF -> power OFF on the broker {reported - sent:.3f} s, "
        f"-> placeholder at the viewer <= {placeholder_at - sent:.3f} s"
    )
    # Persisted like the API's switch: a restart of capture would keep it OFF.
    assert bridged.cli("camera", "list").stdout.count(camera_id) == 1
    assert (
        "off"
        in next(
            line for line in bridged.cli("camera", "list").stdout.splitlines() if camera_id in line
        ).lower()
    )
    mark = ha.mark()
    ha.publish(f"livecam/{camera_id}/power/set", b"on")
    topic = f"livecam/{camera_id}/state"
    ha.wait(lambda t, p: t == topic and json_of(p)["state"] == "online", 20, after=mark)
    assert state(bridged, camera_id)["enabled"] is True


def test_recording_set_starts_and_stops_a_recording(
    bridged: LivecamServer, ha: Subscriber, camera_id: str
):
    bridged.add_camera(camera_id, "pattern:", *SMALL)
    set_mqtt(bridged, camera_id, commands=True)
    ha.wait_for(f"livecam/{camera_id}/state", lambda p: json_of(p)["state"] == "online")
    ha.publish(f"livecam/{camera_id}/recording/set", b"ON")
    ha.wait_for(f"livecam/{camera_id}/recording", lambda p: p == b"ON")
    with bridged.api() as api:
        assert api.get(f"/api/cameras/{camera_id}/recording").json()["recording"] is True
        mark = ha.mark()
        ha.publish(f"livecam/{camera_id}/recording/set", b"OFF")
        topic = f"livecam/{camera_id}/recording"
        ha.wait(lambda t, p: t == topic and p == b"OFF", 20, after=mark)
        assert api.get(f"/api/cameras/{camera_id}/recording").json()["recording"] is False


def test_bad_commands_are_refused_counted_and_logged_once(
    bridged: LivecamServer, ha: Subscriber, camera_id: str
):
    closed, hidden = f"{camera_id}-c", f"{camera_id}-h"
    bridged.add_camera(closed, "pattern:", *SMALL)  # commands off: the default
    bridged.add_camera(hidden, "pattern:", *SMALL)
    set_mqtt(bridged, hidden, exposed=False, commands=True)
    ha.wait_for(f"livecam/{closed}/state", lambda p: json_of(p)["state"] == "online")
    before = {
        reason: metric(bridged, "livecam_mqtt_rejected_total", reason=reason)
        for reason in ("commands_off", "unexposed", "unknown", "malformed", "oversized")
    }
    for _ in range(3):
        ha.publish(f"livecam/{closed}/power/set", b"OFF")
    ha.publish(f"livecam/{hidden}/power/set", b"OFF")
    ha.publish(f"livecam/{camera_id}-nope/power/set", b"OFF")
    ha.publish(f"livecam/{closed}/power/set", b"MAYBE")
    ha.publish(f"livecam/{closed}/power/set", b"\xff\xfe")
    ha.publish(f"livecam/{closed}/power/set", b"O" * 200_000)
    expected = {"commands_off": 3, "unexposed": 1, "unknown": 1, "malformed": 2, "oversized": 1}
    deadline = time.monotonic() + 15
    while True:
        counts = {
            reason: metric(bridged, "livecam_mqtt_rejected_total", reason=reason) - before[reason]
            for reason in expected
        }
        if counts == expected:
            break
        assert time.monotonic() < deadline, counts
        time.sleep(0.2)  # polling /metrics: the count has no event to await
    assert state(bridged, closed)["enabled"] is True
    assert state(bridged, hidden)["enabled"] is True
    log = bridged.log_path.read_text()
    assert log.count(f"command refused (commands_off) for camera '{closed}'") == 1
    assert log.count(f"command refused (malformed) for camera '{closed}'") == 1
    # The bridge is still there: a good command works.
    set_mqtt(bridged, closed, commands=True)
    ha.publish(f"livecam/{closed}/power/set", b"OFF")
    ha.wait_for(f"livecam/{closed}/power", lambda p: p == b"OFF")
