"""Fixtures: a real mosquitto, a livecam server bridged to it, a Home Assistant-like client."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.bus.test_redis_bus import tls_files  # noqa: F401 - the TLS fixture, for mqtts://
from tests.support.mosquitto import Broker, Subscriber
from tests.support.server import LivecamServer

SMALL = ("--width", "320", "--height", "240", "--fps", "10")


@pytest.fixture(scope="module")
def module_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Broker]:
    """A mosquitto shared by the tests of a module."""
    instance = Broker(tmp_path_factory.mktemp("mosquitto"))
    instance.start()
    yield instance
    instance.stop()


@pytest.fixture(scope="module")
def bridged(
    tmp_path_factory: pytest.TempPathFactory, module_broker: Broker
) -> Iterator[LivecamServer]:
    """A livecam server whose MQTT bridge talks to `module_broker`."""
    instance = LivecamServer(
        tmp_path_factory.mktemp("server"), env={"LIVECAM_MQTT_URL": module_broker.url()}
    )
    instance.start()
    yield instance
    instance.stop()


@pytest.fixture
def ha(module_broker: Broker) -> Iterator[Subscriber]:
    """A client with Home Assistant's rights on the broker, recording every message."""
    client = Subscriber(module_broker, "ha")
    yield client
    client.close()


def metric(server: LivecamServer, name: str, **labels: str) -> float:
    """Return one sample of /metrics (0 when absent)."""
    with server.api() as api:
        text = api.get("/metrics").text
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()):
                return float(sample.value)
    return 0.0


def set_mqtt(server: LivecamServer, camera_id: str, **fields: Any) -> dict[str, Any]:
    """PATCH a camera's MQTT settings as admin."""
    with server.api() as api:
        response = api.patch(f"/api/cameras/{camera_id}/mqtt", json=fields)
        assert response.status_code == 200, response.text
        return dict(response.json())


def state(server: LivecamServer, camera_id: str) -> dict[str, Any]:
    """Return a camera's API state."""
    with server.api() as api:
        return dict(api.get(f"/api/cameras/{camera_id}").json())


def json_of(payload: bytes) -> Any:
    """Decode a JSON payload."""
    return json.loads(payload)


def tmp_server(tmp_path: Path, **env: str) -> LivecamServer:
    """Return a server with its own data dir (not started)."""
    (tmp_path / "server").mkdir(exist_ok=True)
    return LivecamServer(tmp_path / "server", env=env)


__all__ = ["SMALL", "httpx"]
