"""Home Assistant's documented MQTT discovery fields, per platform, to check our configs.

From the integration pages (home-assistant.io/integrations/<platform>.mqtt): the options
every MQTT entity takes, and each platform's own; "required" are the ones the platform
cannot work without. A config with a field not listed here would be ignored (or refused) by
Home Assistant, so the tests require every field to be known and of the documented type.
"""

from __future__ import annotations

from typing import Any

COMMON: dict[str, type | tuple[type, ...]] = {
    "availability_topic": str,
    "availability": list,
    "availability_mode": str,
    "availability_template": str,
    "payload_available": str,
    "payload_not_available": str,
    "device": dict,
    "name": (str, type(None)),
    "unique_id": str,
    "object_id": str,
    "default_entity_id": str,
    "icon": str,
    "entity_category": str,
    "entity_picture": str,
    "enabled_by_default": bool,
    "json_attributes_topic": str,
    "json_attributes_template": str,
    "qos": int,
    "encoding": str,
    "origin": dict,
}
DEVICE = {
    "identifiers": (list, str),
    "connections": list,
    "manufacturer": str,
    "model": str,
    "model_id": str,
    "name": str,
    "sw_version": str,
    "hw_version": str,
    "serial_number": str,
    "configuration_url": str,
    "suggested_area": str,
    "via_device": str,
}
ORIGIN = {"name": str, "sw_version": str, "support_url": str}

PLATFORMS: dict[str, tuple[dict[str, type | tuple[type, ...]], set[str]]] = {
    "switch": (
        {
            "command_topic": str,
            "state_topic": str,
            "payload_on": str,
            "payload_off": str,
            "state_on": str,
            "state_off": str,
            "optimistic": bool,
            "retain": bool,
            "value_template": str,
            "device_class": str,
        },
        {"command_topic"},
    ),
    "binary_sensor": (
        {
            "state_topic": str,
            "payload_on": str,
            "payload_off": str,
            "device_class": str,
            "expire_after": int,
            "force_update": bool,
            "off_delay": int,
            "value_template": str,
        },
        {"state_topic"},
    ),
    "camera": ({"topic": str, "image_encoding": str}, {"topic"}),
    "image": (
        {"image_topic": str, "url_topic": str, "content_type": str, "image_encoding": str},
        set(),
    ),
    "sensor": (
        {
            "state_topic": str,
            "value_template": str,
            "unit_of_measurement": str,
            "device_class": str,
            "state_class": str,
            "expire_after": int,
            "force_update": bool,
            "suggested_display_precision": int,
            "last_reset_value_template": str,
            "options": list,
        },
        {"state_topic"},
    ),
}
BINARY_SENSOR_CLASSES = {"motion", "occupancy", "presence", "connectivity", "problem", "running"}
STATE_CLASSES = {"measurement", "total", "total_increasing", "measurement_angle"}


def problems(platform: str, config: dict[str, Any]) -> list[str]:
    """Return what Home Assistant would not accept in a discovery config (empty: fine)."""
    fields, required = PLATFORMS[platform]
    known = {**COMMON, **fields}
    found = [f"missing {name}" for name in sorted(required - config.keys())]
    for name, value in config.items():
        if name not in known:
            found.append(f"unknown field {name}")
        elif not isinstance(value, known[name]):
            found.append(f"{name} is {type(value).__name__}")
    for name, value in config.get("device", {}).items():
        if name not in DEVICE or not isinstance(value, DEVICE[name]):
            found.append(f"device.{name}")
    if not config.get("device", {}).get("identifiers"):
        found.append("device without identifiers")
    for name in config.get("origin", {}):
        if name not in ORIGIN:
            found.append(f"origin.{name}")
    if "origin" in config and "name" not in config["origin"]:
        found.append("origin without name")
    if platform == "binary_sensor" and config.get("device_class") not in BINARY_SENSOR_CLASSES:
        found.append("binary_sensor device_class")
    if "state_class" in config and config["state_class"] not in STATE_CLASSES:
        found.append("state_class")
    if "unique_id" in config and "device" not in config:
        found.append("device needs unique_id")
    return found
