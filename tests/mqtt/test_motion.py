"""Motion on the broker: a scripted scene gives motion ON, a snapshot JPEG, then OFF."""

from __future__ import annotations

import time

import numpy as np
import pytest
import simplejpeg

from tests.mqtt.conftest import json_of
from tests.support.mosquitto import Subscriber
from tests.support.server import LivecamServer
from tests.support.sse import EventLog, motion

# Real servers (livecam, mosquitto) start in seconds, slower on a busy machine.
pytestmark = pytest.mark.timeout(120)


def test_scripted_motion_gives_motion_on_a_snapshot_and_off(
    bridged: LivecamServer, ha: Subscriber, camera_id: str
):
    bridged.add_camera(
        camera_id,
        "scene:motion?at=3&for=2",
        "--width",
        "320",
        "--height",
        "240",
        "--fps",
        "15",
        "--off",
    )
    with bridged.api() as api:
        api.patch(f"/api/cameras/{camera_id}/motion", json={"motion": True}).raise_for_status()
        events = EventLog(bridged.base_url, bridged.auth_headers())
        try:
            api.post(f"/api/cameras/{camera_id}/on").raise_for_status()
            topic = f"livecam/{camera_id}/motion"
            ha.wait_for(topic, lambda p: p == b"OFF")
            mark = ha.mark()
            ha.wait(lambda t, p: t == topic and p == b"ON", 30, after=mark)
            on_at = time.time()
            on_index = ha.mark()
            snapshot = ha.wait(lambda t, _p: t == f"livecam/{camera_id}/snapshot", 10, after=mark)[
                1
            ]
            ha.wait(lambda t, p: t == topic and p == b"OFF", 30, after=on_index)
            start = events.wait_for(motion(camera_id, "start"), timeout=10)
        finally:
            events.close()
    order = [p for t, p, _r in ha.since(mark) if t == topic]
    assert order == [b"ON", b"OFF"]
    image = simplejpeg.decode_jpeg(snapshot, colorspace="BGR")
    assert image.shape == (240, 320, 3)
    red = (image[:, :, 2] > 180) & (image[:, :, 1] < 80) & (image[:, :, 0] < 80)
    assert np.count_nonzero(red) > 100, "the snapshot shows the moving red object"
    # started_at is the capture time of the frame that confirmed the motion.
    print(f"\nmotion start -> MQTT motion ON: {on_at - start['started_at']:.3f} s")
    state = json_of(ha.latest(f"livecam/{camera_id}/state") or b"{}")
    assert state["id"] == camera_id
