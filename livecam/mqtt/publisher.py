"""Publish what changed: availability, discovery, state, power, motion, recording (retained)."""

from __future__ import annotations

import json
import logging
from typing import Any, Protocol

from livecam.bus.hub import Hub
from livecam.mqtt import discovery
from livecam.mqtt.cameras import Exposure, on_off, significant, state_of
from livecam.mqtt.config import MqttConfig
from livecam.mqtt.metrics import MQTT_PUBLISHED
from livecam.mqtt.topics import Topics

logger = logging.getLogger(__name__)


class Client(Protocol):
    """The part of ``aiomqtt.Client`` the publisher uses."""

    async def publish(
        self, topic: str, payload: Any = None, qos: int = 0, retain: bool = False
    ) -> None:
        """Publish one message."""


class Publisher:
    """Keep the broker's retained topics equal to livecam's state, sending only changes.

    Every publish waits for the broker's acknowledgement (QoS 1), one at a time: with a slow
    or stalled broker the bridge falls behind and times out, never piling messages up. What
    was sent is remembered per connection, so a new connection sends everything again.
    """

    def __init__(self, config: MqttConfig, hub: Hub) -> None:
        self.config = config
        self.topics = Topics(config.prefix)
        self.hub = hub
        self.cameras: dict[str, Exposure] = {}
        self.motion: dict[str, bool] = {}
        self._sent: dict[str, bytes] = {}
        self._significant: dict[str, str] = {}
        self._announced: set[str] = set()

    def reset(self) -> None:
        """Forget what was sent (a new connection: the broker may have lost it)."""
        self._sent.clear()
        self._significant.clear()

    def exposed(self) -> list[Exposure]:
        """Return the cameras whose state goes to the broker."""
        return [e for e in self.cameras.values() if e.exposed]

    async def send(self, client: Client, topic: str, payload: bytes, retain: bool = True) -> None:
        """Publish one message (QoS 1) and count it."""
        await client.publish(topic, payload, qos=1, retain=retain)
        MQTT_PUBLISHED.inc()

    async def _changed(self, client: Client, topic: str, payload: bytes) -> None:
        if self._sent.get(topic) != payload:
            await self.send(client, topic, payload)
            self._sent[topic] = payload

    async def sync(self, client: Client) -> None:
        """Publish discovery for new cameras, withdraw gone ones, and every changed state."""
        exposed = {e.camera_id: e for e in self.exposed()}
        for camera_id in sorted(self._announced - exposed.keys()):
            await self.withdraw(client, camera_id)
        for camera_id, exposure in exposed.items():
            label = exposure.camera.label
            for topic, payload in discovery.configs(self.config, camera_id, label).items():
                await self._changed(client, topic, discovery.encode(payload))
            self._announced.add(camera_id)
            await self.camera_state(client, exposure)

    async def camera_state(self, client: Client, exposure: Exposure) -> None:
        """Publish a camera's state (when it changed), power, recording and motion."""
        camera_id = exposure.camera_id
        state = state_of(exposure, self.hub)
        key = significant(state)
        topic = self.topics.state(camera_id)
        if self._significant.get(topic) != key:
            await self.send(client, topic, json.dumps(state, separators=(",", ":")).encode())
            self._significant[topic] = key
        await self._changed(client, self.topics.power(camera_id), on_off(state["enabled"]))
        await self._changed(client, self.topics.recording(camera_id), on_off(exposure.recording))
        motion = self.motion.get(camera_id, False)
        await self._changed(client, self.topics.motion(camera_id), on_off(motion))

    async def withdraw(self, client: Client, camera_id: str) -> None:
        """Remove a camera from Home Assistant: empty retained configs and topics."""
        logger.info("mqtt: camera %s withdrawn from the broker", camera_id)
        for topic in discovery.all_topics(self.config, camera_id) + self.topics.retained(camera_id):
            await self.send(client, topic, b"")
            self._sent.pop(topic, None)
            self._significant.pop(topic, None)
        self._announced.discard(camera_id)
        self.motion.pop(camera_id, None)

    def stale_config(self, topic: str, payload: bytes) -> str | None:
        """Return the camera id of a retained discovery config left for a camera not exposed."""
        camera_id = discovery.parse_config_topic(self.config, topic)
        if camera_id is None or not payload:
            return None
        exposure = self.cameras.get(camera_id)
        return None if exposure is not None and exposure.exposed else camera_id
