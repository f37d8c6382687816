"""Scaled out: two web processes on Redis run one bridge between them, and hand it over."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.mqtt.conftest import SMALL, json_of, metric
from tests.support.cluster import Cluster
from tests.support.mosquitto import Broker, Subscriber

# Real servers (livecam, mosquitto, Redis) start in seconds, slower on a busy machine.
pytestmark = pytest.mark.timeout(180)


@pytest.fixture
def setup(tmp_path: Path) -> Iterator[tuple[Cluster, Broker]]:
    """Mosquitto, Redis, two web servers and one capture process."""
    broker = Broker(tmp_path / "mosquitto")
    broker.start()
    cluster = Cluster(tmp_path, {"MQTT_URL": broker.url(), "MQTT_RETRY_MAX": 1.0})
    try:
        cluster.start_redis()
        cluster.web()
        cluster.web()
        cluster.capture()
        yield cluster, broker
    finally:
        cluster.stop()
        broker.stop()


def test_two_web_processes_run_one_bridge_and_hand_it_over(setup: tuple[Cluster, Broker]):
    cluster, broker = setup
    first, second = cluster.webs
    first.add_camera("yard", "pattern:", *SMALL)
    with first.api() as api:
        api.patch("/api/cameras/yard/mqtt", json={"commands": True}).raise_for_status()
    ha = Subscriber(broker)
    try:
        ha.wait_for("livecam/yard/state", lambda p: json_of(p)["state"] == "online")
        connected = [metric(web, "livecam_mqtt_connected") for web in cluster.webs]
        assert sorted(connected) == [0, 1], connected
        holder, standby = (first, second) if connected[0] == 1 else (second, first)
        assert broker.client_ids("livecam-") == {f"livecam-{_host()}-{holder.process.pid}"}

        # A command reaches capture (another process) through Redis, like the API's.
        ha.publish("livecam/yard/power/set", b"OFF")
        ha.wait_for("livecam/yard/state", lambda p: json_of(p)["state"] == "off")
        with standby.api() as api:
            assert api.get("/api/cameras/yard").json()["enabled"] is False

        # The holder dies: the broker says offline (last will), the standby takes over.
        mark = ha.mark()
        holder.stop(signal.SIGKILL)
        ha.wait(lambda t, p: t == "livecam/status" and p == b"offline", 20, after=mark)
        ha.wait(lambda t, p: t == "livecam/status" and p == b"online", 20, after=mark)
        assert broker.client_ids("livecam-") == {
            f"livecam-{_host()}-{holder.process.pid}",
            f"livecam-{_host()}-{standby.process.pid}",
        }
        mark = ha.mark()
        ha.publish("livecam/yard/power/set", b"ON")
        ha.wait(
            lambda t, p: t == "livecam/yard/state" and json_of(p)["state"] == "online",
            20,
            after=mark,
        )
        assert metric(standby, "livecam_mqtt_connected") == 1
    finally:
        ha.close()


def _host() -> str:
    import socket

    return socket.gethostname()
