"""The Redis bus: one capture owner, many web processes and machines (``LIVECAM_REDIS_URL``).

Capture publishes each encoded frame once (a binary envelope, never pickle) and keeps the
newest one per camera under a short TTL; each web process subscribes to a camera's frames
while it has viewers of it and fans them out through the same hub as the memory bus.
Statuses, control messages and viewer counts travel through Redis too; the database stays
the truth for configuration and ON/OFF.
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import socket
from typing import Any

from livecam.bus import codec
from livecam.bus.base import ControlMessage, FrameBus
from livecam.bus.event import CameraEvent
from livecam.bus.redis_client import async_client, check_url, redact
from livecam.bus.redis_keys import VARIANT_DEMAND, VIDEO_DEMAND, RedisKeys
from livecam.bus.redis_publisher import RedisPublisher, redis_errors
from livecam.bus.redis_receiver import RedisReceiver
from livecam.bus.redis_viewers import ViewerTally
from livecam.frames import CameraStatus, Frame
from livecam.video.packet import VideoPacket

logger = logging.getLogger(__name__)


class RedisFrameBus(FrameBus):
    """Carry frames, statuses, control and viewer counts between processes through Redis."""

    def __init__(self, options: dict[str, Any]) -> None:
        super().__init__(options)
        self.url = check_url(str(options.get("REDIS_URL") or ""))
        self.keys = RedisKeys(str(options.get("REDIS_PREFIX") or "livecam:"))
        self.process_id = f"{socket.gethostname()}-{os.getpid()}-{secrets.token_hex(4)}"
        retry_max = float(options.get("BUS_RETRY_MAX", 2.0))
        self._heartbeat = float(options.get("BUS_HEARTBEAT", 1.0))
        self._max_frame_bytes = int(options.get("MAX_FRAME_BYTES", 16 * 1024 * 1024))
        self.publisher = RedisPublisher(
            self.url,
            self.keys,
            frame_ttl=float(options.get("FRAME_TTL", 5.0)),
            retry_max=retry_max,
        )
        self.tally = ViewerTally(
            self.keys, self.process_id, self._local_viewers, ttl=3 * self._heartbeat + 2
        )
        self.receiver: RedisReceiver | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._demand: dict[str, int] = {}

    @property
    def connected(self) -> bool:
        """True while this process hears Redis."""
        return self.receiver is not None and self.receiver.connected

    async def start(self) -> None:
        """Connect: publisher and receiver tasks on the running loop."""
        await super().start()
        self._loop = asyncio.get_running_loop()
        # A process with control handlers is a capture owner: after Redis restarts it must
        # say again what it knows, as resting cameras would otherwise never speak again.
        self.publisher.replay_statuses = bool(self._control_handlers)
        self.publisher.start(self._loop)
        self.receiver = RedisReceiver(
            self.url,
            self.keys,
            self.hub,
            self.tally,
            on_control=self._dispatch_control,
            on_totals=self._totals_changed,
            on_reconnect=self.publisher.replay,
            max_frame_bytes=self._max_frame_bytes,
            heartbeat=self._heartbeat,
            # Embedded capture (one process with Redis) takes no leases: nothing to check.
            check_owners=not self.options.get("EMBEDDED_CAPTURE", False),
            retry_max=float(self.options.get("BUS_RETRY_MAX", 2.0)),
        )
        self.receiver.start()
        logger.info("bus: Redis at %s (prefix %r)", redact(self.url), self.keys.prefix)

    async def stop(self) -> None:
        """End every stream, send what is pending, and disconnect."""
        await super().stop()
        self._loop = None
        if self.receiver is not None:
            await self.receiver.stop()
            self.receiver = None
            try:  # stop counting at once rather than when the hash expires
                async with async_client(self.url) as client:
                    await client.delete(self.keys.viewers(self.process_id))
            except redis_errors():
                pass
        await self.publisher.stop()

    def on_control(self, handler: Any) -> None:
        """Register a capture-side handler; this process now replays its statuses."""
        super().on_control(handler)
        self.publisher.replay_statuses = True

    def publish_frame(self, frame: Frame) -> None:
        """Publish a frame once for every web process (thread-safe, never blocks)."""
        self.publisher.submit_frame(frame)

    def publish_status(self, status: CameraStatus) -> None:
        """Publish a status for every process, this one included (thread-safe)."""
        self.publisher.submit_status(status)

    def publish_event(self, event: CameraEvent) -> None:
        """Publish a camera event (motion, recording) for every web process (thread-safe)."""
        self.publisher.submit_event(codec.encode_event(event))

    async def send_control(self, message: ControlMessage) -> None:
        """Publish a control message to the capture owners.

        Losing one is harmless: capture re-reads the database every reconcile interval.
        """
        blob = codec.encode_control(message)
        if self._loop is not None and self._loop is asyncio.get_running_loop():
            self.publisher.submit_control(blob)  # in order after this process's statuses
            return
        try:
            async with async_client(self.url) as client:  # any other loop: the CLI, the admin
                await client.publish(self.keys.control_channel, blob)
        except redis_errors() as exc:
            logger.warning("bus: control message not sent (%s); capture will reconcile", exc)

    def viewer_counts(self) -> dict[str, int]:
        """Return viewers per camera summed over every web process."""
        return {name: n for name, n in self.tally.totals().items() if "@" not in name}

    def _local_viewers(self) -> dict[str, int]:
        counts = {cid: slot.viewers for cid, slot in list(self.hub.slots.items()) if slot.viewers}
        video = self.hub.video
        if video is not None:  # H.264 viewers per width, so capture knows what to encode
            for (camera_id, width), slot in list(video.slots.items()):
                if slot.viewers:
                    counts[f"{camera_id}@mp4:{width}"] = slot.viewers
        variants = self.hub.variants
        if variants is not None:  # JPEG variant viewers per width, so capture knows what to make
            for (camera_id, width), viewers in variants.watched().items():
                counts[f"{camera_id}@jpeg:{width}"] = viewers
        return counts

    def publish_video(self, packet: VideoPacket) -> None:
        """Publish an H.264 packet once for every web process (thread-safe, in order)."""
        self.publisher.submit_video(packet)

    def publish_variant(self, frame: Frame, width: int) -> None:
        """Publish a JPEG variant once for every web process watching it (thread-safe)."""
        self.publisher.submit_variant(frame, width)

    def _variant_watch_changed(self, camera_id: str, widths: frozenset[int]) -> None:
        """Hub hook: follow this process's JPEG variants; capture hears it through the counts."""
        if self.receiver is not None:
            self.receiver.watch_variants(camera_id, widths)

    def _video_watch_changed(self, camera_id: str, widths: frozenset[int]) -> None:
        """Hub hook: follow this process's H.264 streams; capture hears it through the counts."""
        if self.receiver is not None:
            self.receiver.watch_video(camera_id, widths)

    def _watch_changed(self, camera_id: str, viewers: int) -> None:
        """Hub hook: follow the camera's frames while it has local viewers; tell capture."""
        if self.receiver is not None:
            self.receiver.watch(camera_id, viewers > 0)

    def _totals_changed(self, totals: dict[str, int]) -> None:
        """Tell capture-side handlers when a camera's total viewers changed."""
        wanted: dict[str, set[int]] = {}
        variants: dict[str, set[int]] = {}
        for name in [name for name in totals if "@" in name]:
            count = totals.pop(name)
            if count <= 0:
                continue
            if match := VIDEO_DEMAND.fullmatch(name):
                wanted.setdefault(match[1], set()).add(int(match[2]))
            elif match := VARIANT_DEMAND.fullmatch(name):
                variants.setdefault(match[1], set()).add(int(match[2]))
        self.video_wanted = {camera_id: frozenset(w) for camera_id, w in wanted.items()}
        self.variant_wanted = {camera_id: frozenset(w) for camera_id, w in variants.items()}
        for camera_id in set(totals) | set(self._demand):
            count = totals.get(camera_id, 0)
            if self._demand.get(camera_id, 0) != count:
                self._dispatch_demand(camera_id, count)
        self._demand = {c: n for c, n in totals.items() if n}
