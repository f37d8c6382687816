"""The broker goes away and comes back, refuses the password, or holds a retained command."""

from __future__ import annotations

import json
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.mqtt.conftest import SMALL, json_of, metric, set_mqtt, state
from tests.support.mosquitto import Broker, Subscriber
from tests.support.server import LivecamServer
from tests.support.viewer import Viewer

# Real servers (livecam, mosquitto) start in seconds, slower on a busy machine.
pytestmark = pytest.mark.timeout(120)

FAST = {"MQTT_RETRY_MAX": 1.0}


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[Broker]:
    """A mosquitto of this test alone."""
    instance = Broker(tmp_path / "mosquitto")
    instance.start()
    yield instance
    instance.stop()


def _server(tmp_path: Path, url: str) -> LivecamServer:
    (tmp_path / "server").mkdir(exist_ok=True)
    return LivecamServer(tmp_path / "server", settings=FAST, env={"LIVECAM_MQTT_URL": url})


def test_broker_restart_republishes_retained_state(tmp_path: Path, broker: Broker):
    server = _server(tmp_path, broker.url())
    server.start()
    try:
        server.add_camera("porch", "pattern:", *SMALL)
        set_mqtt(server, "porch", commands=True)
        ha = Subscriber(broker)
        ha.wait_for("livecam/porch/state", lambda p: json_of(p)["state"] == "online")
        ha.close()
        # Every part counts: frames, then the OFF placeholder.
        with Viewer(server, "porch", lambda body: True) as viewer:
            viewer.wait(live=True)
            broker.stop(signal.SIGKILL)  # retained messages are gone with it (no persistence)
            # Streaming and switching go on while the broker is away.
            viewer.wait(live=True, after=time.monotonic())
            with server.api() as api:
                assert api.post("/api/cameras/porch/off").json()["enabled"] is False
            viewer.wait(live=True, after=time.monotonic())
            broker.start()
            ha = Subscriber(broker)
            try:
                # Everything comes back, with what changed while the broker was away.
                assert ha.wait_for("livecam/status", timeout=20) == b"online"
                ha.wait_for("livecam/porch/power", lambda p: p == b"OFF")
                config = ha.wait_for("homeassistant/switch/livecam/porch_power/config", bool)
                assert json.loads(config)["command_topic"] == "livecam/porch/power/set"
                assert json_of(ha.wait_for("livecam/porch/state"))["enabled"] is False
                # Commands work again on the new connection.
                ha.publish("livecam/porch/power/set", b"ON")
                ha.wait_for("livecam/porch/power", lambda p: p == b"ON")
            finally:
                ha.close()
        assert metric(server, "livecam_mqtt_connect_failures_total", reason="lost") >= 1
        assert metric(server, "livecam_mqtt_connected") == 1
    finally:
        server.stop()


def test_a_retained_command_is_never_acted_on(tmp_path: Path, broker: Broker):
    server = _server(tmp_path, broker.url())
    server.start()
    try:
        server.add_camera("gate", "pattern:", *SMALL)
        set_mqtt(server, "gate", commands=True)
        server.stop()
        ha = Subscriber(broker)
        ha.publish("livecam/gate/power/set", b"OFF", retain=True)  # replayed to every subscriber
        server.start()
        deadline = time.monotonic() + 20
        while metric(server, "livecam_mqtt_rejected_total", reason="retained") < 1:
            assert time.monotonic() < deadline, "the retained command was not refused"
            time.sleep(0.2)  # polling /metrics: the count has no event to await
        assert state(server, "gate")["enabled"] is True
        ha.publish("livecam/gate/power/set", b"", retain=True)
        ha.close()
    finally:
        server.stop()


def test_a_refused_password_is_logged_once_counted_and_harmless(tmp_path: Path, broker: Broker):
    server = _server(tmp_path, broker.url(password="wrong-password"))
    server.start()
    try:
        server.add_camera("shed", "pattern:", *SMALL)
        deadline = time.monotonic() + 20
        while metric(server, "livecam_mqtt_connect_failures_total", reason="refused") < 3:
            assert time.monotonic() < deadline, server.log_path.read_text()[-2000:]
            time.sleep(0.2)  # polling /metrics: the count has no event to await
        server.wait_for("shed", lambda s: s["online"])
        assert metric(server, "livecam_mqtt_connected") == 0
        log = server.log_path.read_text()
        assert log.count("mqtt: refused by") == 1, log[-2000:]
        assert "wrong-password" not in log
    finally:
        server.stop()


def test_mqtts_with_a_private_ca(tmp_path: Path, tls_files: dict[str, Path]):
    broker = Broker(tmp_path / "mosquitto-tls", tls=tls_files)
    broker.start()
    server = _server(tmp_path, broker.url())
    try:
        assert broker.url().startswith("mqtts://")
        server.start()  # without the CA: the broker's certificate is not trusted
        deadline = time.monotonic() + 20
        while metric(server, "livecam_mqtt_connect_failures_total", reason="unreachable") < 1:
            assert time.monotonic() < deadline, server.log_path.read_text()[-2000:]
            time.sleep(0.2)  # polling /metrics: the count has no event to await
        assert "CERTIFICATE_VERIFY_FAILED" in server.log_path.read_text()
        server.stop()
        server.env["LIVECAM_MQTT_CA_FILE"] = str(tls_files["ca"])
        server.start()
        server.add_camera("loft", "pattern:", *SMALL)
        ha = Subscriber(broker)
        try:
            assert ha.wait_for("livecam/status") == b"online"
            ha.wait_for("livecam/loft/power", lambda p: p == b"ON")
        finally:
            ha.close()
    finally:
        server.stop()
        broker.stop()
