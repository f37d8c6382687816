"""Motion detection in a real server: events over SSE and the API, snapshots, webhooks."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

import httpx
import numpy as np
import simplejpeg

from livecam.motion.overlay import draw_stamp
from livecam.sources.base import Image
from tests.motion.conftest import Receiver
from tests.support.server import LivecamServer
from tests.support.sse import EventLog, motion

_SMALL = ("--width", "320", "--height", "240", "--fps", "15")


def _enable_motion(server: LivecamServer, camera_id: str, **fields: object) -> None:
    with server.api() as api:
        response = api.patch(f"/api/cameras/{camera_id}/motion", json={"motion": True, **fields})
        assert response.status_code == 200, response.text
        assert response.json()["motion"] is True


def test_motion_fires_for_the_moving_object_not_for_stillness_or_light(
    server: LivecamServer,
    camera_id: str,
    follow_events: Callable[[], EventLog],
    receiver: Receiver,
):
    moving, still, lit = f"{camera_id}-m", f"{camera_id}-s", f"{camera_id}-l"
    # Added OFF and configured first, so the scripts' clocks start when capture starts.
    server.add_camera(moving, "scene:motion?at=4&for=2", *_SMALL, "--off")
    server.add_camera(still, "scene:still", *_SMALL, "--off")
    server.add_camera(lit, "scene:lighting?at=1&for=2&gain=1.8", *_SMALL, "--off")
    _enable_motion(server, moving, webhook_url=receiver.url)
    _enable_motion(server, still)
    _enable_motion(server, lit)
    events = follow_events()  # SSE shows the cameras that exist when it opens
    with server.api() as api:
        for camera in (moving, still, lit):
            assert api.post(f"/api/cameras/{camera}/on").status_code == 200

    start = events.wait_for(motion(moving, "start"), timeout=30)
    end = events.wait_for(motion(moving, "end"), timeout=30)
    assert end["id"] == start["id"]
    assert start["ongoing"] is True and end["ongoing"] is False
    assert 1.0 <= end["duration"] <= 3.5  # the object crosses in 2 s
    assert 0.02 < end["peak_area"] < 0.3
    # By now the light went up at 1 s and down at 3 s, and the still scene ran 6 s or more.
    assert (
        events.matching(lambda name, data: name == "motion" and data["camera"] in (still, lit))
        == []
    )

    with server.api() as api:
        listed = api.get(f"/api/cameras/{moving}/events").json()
        assert [e["id"] for e in listed] == [start["id"]]
        assert listed[0]["ended_at"] == end["ended_at"]
        assert api.get(f"/api/cameras/{still}/events").json() == []
        assert api.get(f"/api/cameras/{lit}/events").json() == []
        snapshot = api.get(listed[0]["snapshot_url"])
        assert snapshot.status_code == 200
        assert snapshot.headers["content-type"] == "image/jpeg"
        image = simplejpeg.decode_jpeg(snapshot.content, colorspace="BGR")
        assert image.shape == (240, 320, 3)
        # The snapshot shows the red object (BGR 20, 20, 230) somewhere in the frame.
        red = (image[:, :, 2] > 180) & (image[:, :, 1] < 80) & (image[:, :, 0] < 80)
        assert np.count_nonzero(red) > 200

    started = receiver.wait_for("motion_start")
    ended = receiver.wait_for("motion_end")
    assert started["id"] == ended["id"] == start["id"]
    assert started["camera"] == moving and ended["duration"] == end["duration"]


def test_webhook_is_retried_until_delivered(
    server: LivecamServer, camera_id: str, receiver: Receiver
):
    receiver.fail_first = 2  # two 503 answers, then success
    server.add_camera(camera_id, "scene:motion?at=1&for=1", *_SMALL, "--off")
    _enable_motion(server, camera_id, webhook_url=receiver.url)
    with server.api() as api:
        api.post(f"/api/cameras/{camera_id}/on")
    body = receiver.wait_for("motion_start", timeout=30)
    assert body["camera"] == camera_id
    assert receiver.fail_first == 0


def test_motion_settings_are_validated_and_admin_only(server: LivecamServer, camera_id: str):
    server.add_camera(camera_id, "scene:still", *_SMALL)
    with server.api() as api:
        bad = api.patch(f"/api/cameras/{camera_id}/motion", json={"mask": "1,2,3"})
        assert bad.status_code == 400 and "mask" in bad.json()["detail"]
        bad = api.patch(
            f"/api/cameras/{camera_id}/motion", json={"webhook_url": "file:///etc/passwd"}
        )
        assert bad.status_code == 400
        bad = api.patch(f"/api/cameras/{camera_id}/motion", json={"threshold": 0})
        assert bad.status_code == 400
        assert api.get(f"/api/cameras/{camera_id}/motion").json()["motion"] is False
        assert api.get("/api/cameras/nope/events").status_code == 404
    with server.api() as api:
        api.headers.pop("Authorization")
        assert api.get(f"/api/cameras/{camera_id}/events").status_code == 401


def test_overlay_draws_the_time_on_streamed_frames(server: LivecamServer, camera_id: str):
    # The still scene shows one picture (plus a little sensor noise) in every frame, so the
    # overlay is checked against that picture with the capture time drawn on it, whatever
    # the date, the time of day, the time zone or the digits' shapes after JPEG.
    server.add_camera(camera_id, "scene:still", *_SMALL)
    server.wait_for(camera_id, lambda s: s["state"] == "online", timeout=20)
    zone = ZoneInfo(server.env.get("TZ", "UTC"))  # what the server's TIME_ZONE is made of
    with server.api() as api:
        plain, _ = _snapshot(api, camera_id)
        _enable_motion(server, camera_id, overlay=True)
        stamped, at = _wait_for_snapshot(
            api, camera_id, lambda image: _differing(image, plain) > 0, "the overlay never appeared"
        )
        # The stamp is exactly the frame's capture time in the server's zone: a second earlier
        # or later, or another zone, differs in a digit (X-Timestamp rounds to microseconds).
        expected = [_stamped(plain, at + d, zone) for d in (-1e-6, 0, 1e-6)]
        assert min(_differing(stamped, e) for e in expected) == 0, "the stamp is not the time"
        assert _differing(stamped, _stamped(plain, at + 1, zone)) > 0  # the check can tell
        api.patch(f"/api/cameras/{camera_id}/motion", json={"overlay": False})
        _wait_for_snapshot(
            api, camera_id, lambda image: _differing(image, plain) == 0, "the overlay stayed"
        )


def _snapshot(api: httpx.Client, camera_id: str) -> tuple[Image, float]:
    """Return the camera's newest frame, decoded, and its capture time (X-Timestamp)."""
    response = api.get(f"/cameras/{camera_id}/snapshot.jpg")
    assert response.status_code == 200, response.text
    image = simplejpeg.decode_jpeg(response.content, colorspace="BGR")
    return image, float(response.headers["X-Timestamp"])


def _wait_for_snapshot(
    api: httpx.Client, camera_id: str, done: Callable[[Image], bool], message: str
) -> tuple[Image, float]:
    deadline = time.monotonic() + 30
    while not done((snapshot := _snapshot(api, camera_id))[0]):
        assert time.monotonic() < deadline, message
        time.sleep(0.2)  # polling the newest frame: there is no event for "drawn"
    return snapshot


def _stamped(image: Image, at: float, zone: ZoneInfo) -> Image:
    """Return a copy of ``image`` with the stamp the overlay draws for capture time ``at``."""
    out = image.copy()
    draw_stamp(out, datetime.fromtimestamp(at, zone).strftime("%Y-%m-%d %H:%M:%S"))
    return out


def _differing(a: Image, b: Image) -> int:
    """Count pixels whose brightness differs by more than JPEG and sensor noise can explain.

    Two encodes of the same picture differ by at most about 30 levels next to the text; a
    white stroke on the stamp's dark box differs from anything else by well over 100.
    """
    luma = np.array([0.114, 0.587, 0.299])  # BGR weights of BT.601 luma
    gray_a = (a @ luma).astype(np.int16)
    gray_b = (b @ luma).astype(np.int16)
    return int(np.count_nonzero(np.abs(gray_a - gray_b) > 96))
