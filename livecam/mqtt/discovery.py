"""Home Assistant MQTT discovery: one device per camera, five entities, tied to availability."""

from __future__ import annotations

import json
from typing import Any

from livecam import __version__
from livecam.mqtt.config import MqttConfig
from livecam.mqtt.topics import Topics

ENTITIES = {
    # object suffix: (component, entity name)
    "power": ("switch", "Power"),
    "motion": ("binary_sensor", "Motion"),
    "snapshot": ("camera", "Snapshot"),
    "recording": ("switch", "Recording"),
    "viewers": ("sensor", "Viewers"),
}


def config_topic(config: MqttConfig, camera_id: str, entity: str) -> str:
    """Return ``<discovery>/<component>/<node>/<camera>_<entity>/config``."""
    component = ENTITIES[entity][0]
    return f"{config.discovery_prefix}/{component}/{config.node_id}/{camera_id}_{entity}/config"


def parse_config_topic(config: MqttConfig, topic: str) -> str | None:
    """Return the camera id of one of our discovery topics, None for anything else."""
    parts = topic.split("/")
    head = config.discovery_prefix.split("/")
    if parts[: len(head)] != head or len(parts) != len(head) + 4:
        return None
    component, node, object_id, last = parts[len(head) :]
    if node != config.node_id or last != "config":
        return None
    camera_id, _, entity = object_id.rpartition("_")
    if ENTITIES.get(entity, ("",))[0] != component or not camera_id:
        return None
    return camera_id


def configs(config: MqttConfig, camera_id: str, label: str) -> dict[str, dict[str, Any]]:
    """Return every discovery topic of a camera with its payload.

    Home Assistant's MQTT switch needs a ``command_topic``, so both switches have one even
    when the camera accepts no commands: a command is then refused (logged, counted) and the
    switch falls back to the state livecam publishes (``optimistic`` is false).
    """
    topics = Topics(config.prefix)
    unique = f"{config.node_id}_{camera_id}"
    common = {
        "availability_topic": topics.status,
        "payload_available": "online",
        "payload_not_available": "offline",
        "device": {
            "identifiers": [unique],
            "name": label or camera_id,
            "manufacturer": "livecam",
            "model": "livecam camera",
            "sw_version": __version__,
        },
        "origin": {"name": "livecam", "sw_version": __version__},
    }

    def entity(name: str, **fields: Any) -> dict[str, Any]:
        return {"name": ENTITIES[name][1], "unique_id": f"{unique}_{name}", **common, **fields}

    def switch(name: str, state: str, icon: str) -> dict[str, Any]:
        return entity(
            name,
            state_topic=state,
            command_topic=topics.command(camera_id, name),
            payload_on="ON",
            payload_off="OFF",
            optimistic=False,
            icon=icon,
        )

    payloads = {
        "power": switch("power", topics.power(camera_id), "mdi:cctv"),
        "motion": entity(
            "motion",
            state_topic=topics.motion(camera_id),
            device_class="motion",
            payload_on="ON",
            payload_off="OFF",
        ),
        "snapshot": entity("snapshot", topic=topics.snapshot(camera_id)),
        "recording": switch("recording", topics.recording(camera_id), "mdi:record-rec"),
        "viewers": entity(
            "viewers",
            state_topic=topics.state(camera_id),
            value_template="{{ value_json.viewers }}",
            state_class="measurement",
            icon="mdi:eye",
        ),
    }
    return {config_topic(config, camera_id, name): payload for name, payload in payloads.items()}


def all_topics(config: MqttConfig, camera_id: str) -> list[str]:
    """Return every discovery topic of a camera (to clear them)."""
    return [config_topic(config, camera_id, name) for name in ENTITIES]


def encode(payload: dict[str, Any]) -> bytes:
    """Return a discovery payload as compact JSON."""
    return json.dumps(payload, separators=(",", ":")).encode()
