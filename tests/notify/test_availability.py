"""Offline / back notifications after a grace period, and channels that hang."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import httpx
import pytest

from tests.motion.conftest import Receiver
from tests.mqtt.conftest import metric
from tests.notify.conftest import Inbox, add_user, mail_server, wishes
from tests.support.mjpeg_server import MjpegTestServer, make_jpegs
from tests.support.server import LivecamServer, free_port


def _relay(server: LivecamServer, camera_id: str, upstream: MjpegTestServer, hook: str) -> None:
    server.add_camera(camera_id, "mjpeg+" + upstream.url)
    with server.api() as api:
        api.patch(f"/api/cameras/{camera_id}/motion", json={"webhook_url": hook}).raise_for_status()
    server.wait_for(camera_id, lambda s: s["online"])


@pytest.mark.timeout(120)
def test_offline_and_back_reach_email_and_webhook_after_the_grace_period(
    tmp_path: Path, inbox: Inbox, receiver: Receiver
):
    server = mail_server(tmp_path, inbox.controller.port)
    server.start()
    frames = make_jpegs(4)
    try:
        with MjpegTestServer(frames, fps=10) as upstream:
            _relay(server, "gate", upstream, receiver.url)
            with closing(add_user(server, "alice")) as alice:
                rule = {"camera": "gate", "motion": False, "offline": True, "min_interval": 10}
                wishes(alice, rules=[rule])
            gone = time.time()
            upstream.stop()
            offline_at, _to, offline = inbox.wait_for(lambda to, m: "offline" in m["Subject"])
            assert "gate went offline" in str(offline["Subject"])
            assert offline_at - gone >= 1.0, "the grace period (1 s in tests) was kept"
            body = offline.get_body(("plain",))
            assert body is not None
            assert "https://cams.example.test/cameras/gate/" in body.get_content()
            assert upstream.url not in body.get_content()  # never the source
            hook = receiver.wait_for("camera_offline")
            assert hook["camera"] == "gate" and hook["url"].endswith("/cameras/gate/")
            upstream.start()
            _at, _to, back = inbox.wait_for(lambda to, m: "back" in m["Subject"])
            assert "gate is back online" in str(back["Subject"])
            receiver.wait_for("camera_back")
        assert len(inbox.to("alice@example.test")) == 2
    finally:
        server.stop()


@pytest.fixture
def silent_smtp() -> Iterator[int]:
    """A port that accepts connections and never says a word (a hung mail server)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", free_port()))
    listener.listen(64)
    yield listener.getsockname()[1]
    listener.close()


class HangingHook:
    """A webhook receiver that reads the request and never answers."""

    def __init__(self) -> None:
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(16)
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}/hook"
        self.requests = 0
        self.held: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            self.requests += 1
            self.held.append(conn)

    def close(self) -> None:
        self.listener.close()
        for conn in self.held:
            conn.close()


@pytest.mark.timeout(120)
def test_a_hung_mail_server_and_webhook_cost_bounded_time_and_disturb_nothing(
    tmp_path: Path, silent_smtp: int
):
    hook = HangingHook()
    server = mail_server(tmp_path, silent_smtp, LIVECAM_SMTP_TIMEOUT="2")
    server.start()
    frames = make_jpegs(4)
    try:
        with MjpegTestServer(frames, fps=10) as upstream:
            _relay(server, "dock", upstream, hook.url)
            server.add_camera("lobby", "pattern:", "--width", "160", "--height", "120")
            with closing(add_user(server, "alice")) as alice:
                rule = {"camera": "dock", "motion": False, "offline": True, "min_interval": 0}
                wishes(alice, rules=[rule])
            upstream.stop()  # offline after 1 s: an e-mail and a webhook, both hang
            deadline = time.monotonic() + 30
            while metric(server, "livecam_notifications_failed_total", channel="email") < 1:
                # Meanwhile everything else answers at once.
                started = time.monotonic()
                with server.api(timeout=5) as api:
                    assert api.get("/api/cameras/lobby").json()["online"] in (True, False)
                    snapshot = api.get("/cameras/lobby/snapshot.jpg")
                assert snapshot.status_code == 200
                assert time.monotonic() - started < 3
                assert time.monotonic() < deadline, "the hung SMTP server was never given up"
                time.sleep(0.3)  # polling /metrics: the count has no event to await
            assert hook.requests >= 1
            upstream.start()
            server.wait_for("dock", lambda s: s["online"], timeout=20)
            upstream.stop()  # a second round: failed again, logged no more
            deadline = time.monotonic() + 30
            while metric(server, "livecam_notifications_failed_total", channel="email") < 2:
                assert time.monotonic() < deadline, "the second e-mail was never given up"
                time.sleep(0.3)  # polling /metrics: the count has no event to await
        log = server.log_path.read_text()
        assert log.count("e-mail not sent") == 1, log[-3000:]
        assert log.count("webhook attempt") <= 1, log[-3000:]
    finally:
        server.stop()
        hook.close()


def test_notification_wishes_are_checked(tmp_path: Path, inbox: Inbox):
    server = mail_server(tmp_path, inbox.controller.port)
    server.start()
    try:
        server.add_camera("attic", "pattern:", "--width", "160", "--height", "120")
        with closing(add_user(server, "alice")) as alice:
            good = {"camera": "attic", "motion": True, "offline": True, "min_interval": 5}
            stored = wishes(alice, rules=[good], quiet_start="22:00", quiet_end="07:00")
            assert stored["rules"] == [good] and stored["quiet_start"] == "22:00"
            assert stored["email_available"] is True and stored["address"] == "alice@example.test"
            wishes(alice, 404, rules=[{**good, "camera": "nope"}])
            wishes(alice, 409, rules=[good, good])
            wishes(alice, 400, rules=[{**good, "min_interval": -1}])
            wishes(alice, 400, rules=[good], secret="x")
            wishes(alice, 400, rules=[good], quiet_start="22:00+01:00")
            assert alice.get("/api/notifications").json()["rules"] == [good]  # bad ones: no change
            page = alice.get("/account/notifications/")
            assert page.status_code == 200 and 'data-camera="attic"' in page.text
            assert (
                alice.patch("/api/cameras/attic/mqtt", json={"commands": True}).status_code == 403
            )
        with httpx.Client(base_url=server.base_url) as anonymous:
            assert anonymous.get("/api/notifications").status_code == 401
    finally:
        server.stop()
