"""Prometheus metrics of the MQTT bridge (in the process that runs it)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge

MQTT_CONNECTED = Gauge("livecam_mqtt_connected", "1 while this process's bridge is connected.")
MQTT_PUBLISHED = Counter("livecam_mqtt_published", "Messages the bridge published.")
MQTT_COMMANDS = Counter(
    "livecam_mqtt_commands", "Commands from the broker that were applied.", ["switch"]
)
MQTT_REJECTED = Counter(
    "livecam_mqtt_rejected",
    "Messages from the broker that were refused (malformed, oversized, retained, unknown, "
    "unexposed, commands_off).",
    ["reason"],
)
MQTT_CONNECT_FAILURES = Counter(
    "livecam_mqtt_connect_failures",
    "Failed or lost broker connections (refused: the broker said no, e.g. a wrong password).",
    ["reason"],
)
