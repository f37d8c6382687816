"""E-mail notifications through a real SMTP server: picture, link, who gets what, and when."""

from __future__ import annotations

import datetime as dt
import os
import time
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pytest
import simplejpeg

from tests.mqtt.conftest import metric
from tests.notify.conftest import PUBLIC_URL, Inbox, add_user, mail_server, wishes
from tests.support.sse import EventLog, motion

SCENE = "scene:motion?at=3&for=2"
SMALL = ("--width", "320", "--height", "240", "--fps", "15")


def _quiet_now() -> tuple[str, str]:
    """Quiet hours from an hour ago to an hour ahead in the server's time zone (any time)."""
    now = dt.datetime.now(ZoneInfo(os.environ.get("TZ") or "UTC"))
    return (now - dt.timedelta(hours=1)).strftime("%H:%M"), (now + dt.timedelta(hours=1)).strftime(
        "%H:%M"
    )


@pytest.mark.timeout(180)  # a dozen CLI calls and two motion events; slow on a busy machine
def test_motion_mails_the_picture_and_a_link_to_those_who_asked_and_may_see(
    tmp_path: Path, inbox: Inbox
):
    server = mail_server(tmp_path, inbox.controller.port)
    server.start()
    clients = []
    try:
        server.add_camera("yard", SCENE, *SMALL, "--off")
        clients = [add_user(server, n) for n in ("alice", "bob", "carol")]
        alice, bob, carol = clients
        rule = {"camera": "yard", "motion": True, "offline": False, "min_interval": 10}
        for user in (alice, bob):
            wishes(user, rules=[rule])
        start, end = _quiet_now()
        wishes(carol, rules=[rule], quiet_start=start, quiet_end=end)
        # Then the yard is restricted: bob may no longer see it (and may not ask again).
        server.cli("access", "grant", "yard", "--user", "alice", "--user", "carol")
        server.cli("access", "restrict", "yard")
        assert bob.get("/api/notifications").json()["rules"] == []
        wishes(bob, 404, rules=[rule])

        with server.api() as api:
            api.patch("/api/cameras/yard/motion", json={"motion": True}).raise_for_status()
            events = EventLog(server.base_url, server.auth_headers())
            try:
                api.post("/api/cameras/yard/on").raise_for_status()
                received, _to, message = inbox.wait_for(lambda to, _m: to == "alice@example.test")
                start_event = events.wait_for(motion("yard", "start"), timeout=10)
            finally:
                events.close()
        print(f"\nmotion start -> e-mail received: {received - start_event['started_at']:.3f} s")
        assert "Motion at yard" in str(message["Subject"])
        assert message["From"] == "livecam@example.test"
        body = message.get_body(("plain",))
        assert body is not None
        text = body.get_content()
        assert f"{PUBLIC_URL}/cameras/yard/media#event-{start_event['id']}" in text
        assert SCENE not in text and "Bearer" not in text and "share/" not in text
        attachments = list(message.iter_attachments())
        assert len(attachments) == 1
        assert attachments[0].get_content_type() == "image/jpeg"
        assert attachments[0].get_filename() == f"yard-{start_event['id']}.jpg"
        image = simplejpeg.decode_jpeg(attachments[0].get_content(), colorspace="BGR")
        assert image.shape == (240, 320, 3)
        red = (image[:, :, 2] > 180) & (image[:, :, 1] < 80) & (image[:, :, 0] < 80)
        assert np.count_nonzero(red) > 100, "the picture shows the moving object"

        # A second motion within alice's 10 minutes is held back, and counted.
        before = metric(server, "livecam_notifications_suppressed_total", reason="rate_limit")
        with server.api() as api:
            api.post("/api/cameras/yard/off").raise_for_status()
            api.post("/api/cameras/yard/on").raise_for_status()  # the scene starts over
        deadline = time.monotonic() + 40
        while (
            metric(server, "livecam_notifications_suppressed_total", reason="rate_limit") <= before
        ):
            assert time.monotonic() < deadline, "the second motion was not rate-limited"
            time.sleep(0.3)  # polling /metrics: the count has no event to await
        assert metric(server, "livecam_notifications_suppressed_total", reason="quiet_hours") >= 2
        assert len(inbox.to("alice@example.test")) == 1
        assert inbox.to("bob@example.test") == []  # may not see the camera
        assert inbox.to("carol@example.test") == []  # quiet hours
        assert (
            metric(server, "livecam_notifications_sent_total", channel="email", kind="motion") == 1
        )
    finally:
        for client in clients:
            client.close()
        server.stop()
