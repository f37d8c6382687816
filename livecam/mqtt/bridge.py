"""The MQTT bridge: keep one broker connection, publish livecam's state, take commands.

It runs as tasks on the web server's event loop and never blocks it: the client library
(aiomqtt on paho-mqtt) reads and writes the socket from the loop, and every wait is bounded.
While the broker is away nothing is queued: on reconnect everything is published afresh.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import ssl
import time
from typing import Any

import aiomqtt

from livecam.bus.event import CameraEvent
from livecam.bus.hub import Hub, StatusListener
from livecam.mqtt import cameras, commands
from livecam.mqtt.config import MqttConfig
from livecam.mqtt.metrics import MQTT_CONNECT_FAILURES, MQTT_CONNECTED
from livecam.mqtt.publisher import Publisher
from livecam.mqtt.snapshots import Snapshots
from livecam.once import LogOnce

logger = logging.getLogger(__name__)

RELOAD_INTERVAL = 2.0
"""Seconds between re-reads of the cameras and their MQTT settings (admin, CLI changes)."""
RETRY_INITIAL = 1.0
TIMEOUT = 10.0
"""Seconds any broker round trip (connect, publish, subscribe) may take."""


class MqttBridge:
    """Connect to the broker with backoff and run one session per connection."""

    def __init__(self, config: MqttConfig, hub: Hub, retry_max: float = 30.0) -> None:
        self.config = config
        self.hub = hub
        self.retry_max = retry_max
        self.publisher = Publisher(config, hub)
        self.snapshots = Snapshots(self.publisher, hub)
        self.identifier = f"livecam-{socket.gethostname()}-{os.getpid()}"
        self.connected = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._client: aiomqtt.Client | None = None
        self._log = LogOnce(logger)

    def start(self) -> None:
        """Start connecting (a task on the running loop)."""
        self._task = asyncio.get_running_loop().create_task(self._run(), name="mqtt-bridge")

    async def stop(self, timeout: float = 2.0) -> None:  # noqa: ASYNC109
        """Say ``offline`` (retained), disconnect, end the task."""
        client = self._client
        if client is not None and self.connected.is_set():
            try:
                async with asyncio.timeout(timeout / 2):
                    await client.publish(self.publisher.topics.status, b"offline", 1, True)
            except (aiomqtt.MqttError, TimeoutError):
                logger.info("mqtt: could not say offline; the broker will (last will)")
        if self._task is not None:
            self._task.cancel()
            try:
                async with asyncio.timeout(timeout / 2):
                    await asyncio.gather(self._task, return_exceptions=True)
            except TimeoutError:
                logger.warning("mqtt: the bridge did not stop in time")
            self._task = None

    def _client_for(self) -> aiomqtt.Client:
        config = self.config
        tls: dict[str, Any] = {}
        if config.tls:
            context = ssl.create_default_context(cafile=config.ca_file)
            tls["tls_context"] = context
        return aiomqtt.Client(
            config.host,
            config.port,
            username=config.username,
            password=config.password,
            identifier=self.identifier,
            will=aiomqtt.Will(self.publisher.topics.status, b"offline", qos=1, retain=True),
            timeout=TIMEOUT,
            keepalive=30,
            max_queued_incoming_messages=100,
            max_queued_outgoing_messages=100,
            max_inflight_messages=20,
            logger=logging.getLogger("livecam.mqtt.client"),
            **tls,
        )

    async def _run(self) -> None:
        delay = RETRY_INITIAL
        while True:
            started = time.monotonic()
            try:
                async with self._client_for() as client:
                    self._client = client
                    self._up()
                    await self._session(client)
            except aiomqtt.MqttError as exc:
                self._down(exc)
            except ExceptionGroup as group:  # from the session's tasks
                lost, bugs = group.split(aiomqtt.MqttError)
                if lost is not None:
                    self._down(_first(lost))
                if bugs is not None:  # a bug in a session must not end the bridge for good
                    logger.error("mqtt: session failed", exc_info=bugs)
            except Exception:
                logger.exception("mqtt: session failed")
            finally:
                self._client = None
                self.connected.clear()
                MQTT_CONNECTED.set(0)
            if time.monotonic() - started > 60:
                delay = RETRY_INITIAL  # the connection had been good: retry soon
            await asyncio.sleep(delay)
            delay = min(delay * 2, self.retry_max)

    def _up(self) -> None:
        logger.warning("mqtt: connected to %s as %s", self.config.where, self.identifier)
        self._log.clear("broker")
        self.connected.set()
        MQTT_CONNECTED.set(1)

    def _down(self, exc: aiomqtt.MqttError) -> None:
        text = str(exc)
        refused = isinstance(exc, aiomqtt.MqttCodeError) and not self.connected.is_set()
        lost = self.connected.is_set()
        reason = "refused" if refused else "lost" if lost else "unreachable"
        MQTT_CONNECT_FAILURES.labels(reason).inc()
        self._log.warning(
            ("broker", reason),
            "mqtt: %s %s (%s); retrying with backoff",
            {"refused": "refused by", "lost": "lost", "unreachable": "cannot reach"}[reason],
            self.config.where,
            text,
        )

    async def _session(self, client: aiomqtt.Client) -> None:
        self.publisher.reset()
        self.publisher.cameras = await cameras.load()
        for topic in self.publisher.topics.command_filters():
            await client.subscribe(topic, qos=1)
        # Configs left on the broker by an earlier run, for cameras no longer exposed.
        await client.subscribe(f"{self.config.discovery_prefix}/+/{self.config.node_id}/+/config")
        # "online" only once subscribed: Home Assistant may send a command the moment it reads
        # it, and the broker keeps no command for a subscription that does not exist yet.
        await client.publish(self.publisher.topics.status, b"online", qos=1, retain=True)
        await self.publisher.sync(client)
        async with asyncio.TaskGroup() as group:
            group.create_task(self._receive(client))
            group.create_task(self._follow(client))
            group.create_task(self.snapshots.run(client))

    async def _receive(self, client: aiomqtt.Client) -> None:
        async for message in client.messages:
            topic = message.topic.value
            payload = message.payload if isinstance(message.payload, bytes) else b""
            stale = self.publisher.stale_config(topic, payload)
            if stale is not None:
                await self.publisher.withdraw(client, stale)
                continue
            if topic.startswith(self.config.discovery_prefix + "/"):
                continue  # our own configs, heard back
            try:
                camera_id, switch, on = commands.parse(
                    self.publisher.topics, topic, payload, bool(message.retain)
                )
                state = await commands.apply(camera_id, switch, on)
            except commands.Rejected as error:
                commands.refuse(error)
                continue
            await self._after_command(client, camera_id, switch, on, state)

    async def _after_command(
        self, client: aiomqtt.Client, camera_id: str, switch: str, on: bool, state: Any
    ) -> None:
        """Publish the switch's new state at once (Home Assistant waits for it)."""
        exposure = self.publisher.cameras.get(camera_id)
        if exposure is None:
            return
        if switch == "recording":
            exposure = cameras.Exposure(
                exposure.camera,
                exposure.exposed,
                exposure.commands,
                exposure.snapshot_interval,
                recording=on,
            )
            self.publisher.cameras[camera_id] = exposure
        else:
            exposure.camera.enabled = bool(state["enabled"])
        await self.publisher.camera_state(client, exposure)

    async def _follow(self, client: aiomqtt.Client) -> None:
        """Publish state changes as the hub hears them; re-read the database now and then."""
        listener = StatusListener()
        self.hub.listeners.add(listener)
        try:
            next_reload = time.monotonic() + RELOAD_INTERVAL
            while not listener.closed:
                changes = await listener.get(max(0.05, next_reload - time.monotonic()))
                for change in changes:
                    if isinstance(change, CameraEvent):
                        await self._event(client, change)
                if time.monotonic() >= next_reload:
                    self.publisher.cameras = await cameras.load()
                    next_reload = time.monotonic() + RELOAD_INTERVAL
                await self.publisher.sync(client)
        finally:
            self.hub.listeners.discard(listener)

    async def _event(self, client: aiomqtt.Client, event: CameraEvent) -> None:
        exposure = self.publisher.cameras.get(event.camera_id)
        if exposure is None or not exposure.exposed:
            return
        if event.kind == "motion":
            started = event.data.get("phase") == "start"
            self.publisher.motion[event.camera_id] = started
            await self.publisher.camera_state(client, exposure)
            if started:
                await self.snapshots.motion(client, event.camera_id, event.data.get("id"))
        elif event.kind == "recording":
            self.publisher.cameras = await cameras.load()
            fresh = self.publisher.cameras.get(event.camera_id)
            if fresh is not None and fresh.exposed:
                await self.publisher.camera_state(client, fresh)


def _first(group: BaseExceptionGroup[aiomqtt.MqttError]) -> aiomqtt.MqttError:
    """Return the first MQTT error of a group (they all say the connection is gone)."""
    first = group.exceptions[0]
    return first if isinstance(first, aiomqtt.MqttError) else _first(first)
