"""Home Assistant discovery on a real broker: configs, state, removal, snapshots."""

from __future__ import annotations

import pytest
import simplejpeg

from tests.mqtt.conftest import SMALL, json_of, set_mqtt, state
from tests.mqtt.ha_schema import problems
from tests.support.mosquitto import Broker, Subscriber
from tests.support.server import LivecamServer
from tests.support.viewer import Viewer

# Real servers (livecam, mosquitto) start in seconds, slower on a busy machine.
pytestmark = pytest.mark.timeout(120)

ENTITIES = {
    "power": "switch",
    "motion": "binary_sensor",
    "snapshot": "camera",
    "recording": "switch",
    "viewers": "sensor",
}


def _config_topic(camera_id: str, entity: str) -> str:
    return f"homeassistant/{ENTITIES[entity]}/livecam/{camera_id}_{entity}/config"


def test_each_camera_is_one_device_with_five_valid_entities(
    bridged: LivecamServer, ha: Subscriber, camera_id: str
):
    bridged.add_camera(camera_id, "pattern:", *SMALL, "--label", "Front door")
    assert ha.wait_for("livecam/status") == b"online"
    configs = {
        entity: json_of(ha.wait_for(_config_topic(camera_id, entity), bool)) for entity in ENTITIES
    }
    for entity, config in configs.items():
        assert problems(ENTITIES[entity], config) == [], (entity, config)
        assert config["availability_topic"] == "livecam/status"
        assert config["payload_available"] == "online"
        assert config["payload_not_available"] == "offline"
        assert config["device"]["identifiers"] == [f"livecam_{camera_id}"]
        assert config["device"]["name"] == "Front door"
    assert len({c["unique_id"] for c in configs.values()}) == 5
    power = configs["power"]
    assert power["state_topic"] == f"livecam/{camera_id}/power"
    assert power["command_topic"] == f"livecam/{camera_id}/power/set"
    assert (power["payload_on"], power["payload_off"]) == ("ON", "OFF")
    assert configs["recording"]["command_topic"] == f"livecam/{camera_id}/recording/set"
    assert configs["motion"]["device_class"] == "motion"
    assert configs["motion"]["state_topic"] == f"livecam/{camera_id}/motion"
    assert configs["snapshot"]["topic"] == f"livecam/{camera_id}/snapshot"
    assert configs["viewers"]["state_topic"] == f"livecam/{camera_id}/state"
    assert configs["viewers"]["value_template"] == "{{ value_json.viewers }}"

    # The retained topics hold the camera's state, as the API gives it.
    online = ha.wait_for(f"livecam/{camera_id}/state", lambda p: json_of(p)["state"] == "online")
    published = json_of(online)
    api = state(bridged, camera_id)
    for key in ("id", "label", "enabled", "width", "height", "on_demand"):
        assert published[key] == api[key]
    assert ha.wait_for(f"livecam/{camera_id}/power") == b"ON"
    assert ha.wait_for(f"livecam/{camera_id}/motion") == b"OFF"
    assert ha.wait_for(f"livecam/{camera_id}/recording") == b"OFF"

    # A viewer shows in the state (the viewers sensor reads it).
    with Viewer(bridged, camera_id, lambda body: True) as viewer:
        viewer.wait(live=True)
        ha.wait_for(f"livecam/{camera_id}/state", lambda p: json_of(p)["viewers"] == 1)
    ha.wait_for(f"livecam/{camera_id}/state", lambda p: json_of(p)["viewers"] == 0)


def test_snapshots_at_the_configured_interval(
    bridged: LivecamServer, ha: Subscriber, camera_id: str
):
    bridged.add_camera(camera_id, "pattern:", *SMALL)
    ha.wait_for(f"livecam/{camera_id}/state", lambda p: json_of(p)["state"] == "online")
    topic = f"livecam/{camera_id}/snapshot"
    assert set_mqtt(bridged, camera_id, snapshot_interval=1)["snapshot_interval"] == 1
    first = ha.wait_for(topic)
    second = ha.wait(lambda t, p: t == topic and p != first, 10)[1]
    for jpeg in (first, second):
        assert simplejpeg.decode_jpeg(jpeg, colorspace="BGR").shape == (240, 320, 3)
    set_mqtt(bridged, camera_id, snapshot_interval=0)


def test_removed_or_unexposed_cameras_disappear_from_home_assistant(
    bridged: LivecamServer, ha: Subscriber, module_broker: Broker, camera_id: str
):
    hidden, removed = f"{camera_id}-h", f"{camera_id}-r"
    for camera in (hidden, removed):
        bridged.add_camera(camera, "pattern:", *SMALL)
        ha.wait_for(_config_topic(camera, "power"), bool)
    mark = ha.mark()
    set_mqtt(bridged, hidden, exposed=False)
    bridged.cli("camera", "remove", removed)
    for camera in (hidden, removed):
        for entity in ENTITIES:
            ha.wait(lambda t, p, c=camera, e=entity: t == _config_topic(c, e) and p == b"", 15)
        for topic in ("power", "motion", "recording", "snapshot", "state"):
            ha.wait(lambda t, p, c=camera, n=topic: t == f"livecam/{c}/{n}" and p == b"", 15)
    # Nothing more is said about them.
    assert all(payload == b"" for topic, payload, _ in ha.since(mark) if f"/{hidden}" in topic)
    # A new client sees no retained trace of them.
    fresh = Subscriber(module_broker, "ha", ("livecam/#", "homeassistant/#"))
    try:
        # Retained messages come right after the subscription, before anything newer.
        marker = f"livecam/{camera_id}-marker/power/set"
        fresh.publish(marker, b"ON")
        fresh.wait_for(marker)
        assert fresh.latest("livecam/status") == b"online"
        gone = (f"/{hidden}/", f"/{removed}/")
        assert not [
            t for t, _p, retained in fresh.messages if retained and any(g in t for g in gone)
        ]
    finally:
        fresh.close()
