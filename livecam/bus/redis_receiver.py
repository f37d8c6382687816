"""Hear Redis in a web process: statuses, control, and the frames of watched cameras only.

One pub/sub connection per process. A camera's frame channel is subscribed when its first
local viewer arrives (and its newest frame fetched at once) and unsubscribed after its last.
A silent connection is not trusted: without any message or PONG for a few heartbeats it is
dropped and rebuilt (redis-py pub/sub can hang without an error after a Redis restart).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any

from livecam.bus import codec
from livecam.bus.base import ControlMessage
from livecam.bus.hub import Hub
from livecam.bus.redis_client import async_client, close_quietly, redact
from livecam.bus.redis_health import UNAVAILABLE, OwnerCheck, degrade
from livecam.bus.redis_keys import RedisKeys
from livecam.bus.redis_publisher import redis_errors
from livecam.bus.redis_variants import VariantFollower
from livecam.bus.redis_video import VideoFollower
from livecam.bus.redis_viewers import ViewerTally

logger = logging.getLogger(__name__)


class RedisReceiver:
    """Keep this process's hub fed from Redis, reconnecting with backoff after any fault."""

    def __init__(
        self,
        url: str,
        keys: RedisKeys,
        hub: Hub,
        tally: ViewerTally,
        *,
        on_control: Callable[[ControlMessage], None],
        on_totals: Callable[[dict[str, int]], None],
        on_reconnect: Callable[[], None] | None = None,
        max_frame_bytes: int,
        heartbeat: float = 1.0,
        check_owners: bool = True,
        retry_initial: float = 0.2,
        retry_max: float = 2.0,
    ) -> None:
        self.url, self.keys, self.hub, self.tally = url, keys, hub, tally
        self.connected = False
        self.dropped = 0
        """Malformed messages logged and dropped."""
        self._on_control = on_control
        self._on_totals = on_totals
        self._on_reconnect = on_reconnect
        self._max_frame_bytes = max_frame_bytes
        self._heartbeat = heartbeat
        self._owners = OwnerCheck(keys, hub) if check_owners else None
        self._retry = (retry_initial, retry_max)
        self._watched: set[str] = set()
        self._hints: set[str] = set()
        self._subscribed: set[str] = set()
        self.video = VideoFollower(keys, hub, max_frame_bytes)
        self.variants = VariantFollower(keys, hub, max_frame_bytes)
        self._changed = asyncio.Event()
        self._sync_now = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._alive = False
        self._was_down = False

    def start(self) -> None:
        """Start receiving on the running loop."""
        self._task = asyncio.get_running_loop().create_task(self._run(), name="livecam-redis")

    async def stop(self) -> None:
        """Stop receiving and close the connections (bounded: never hangs a shutdown)."""
        task, self._task = self._task, None
        if task is None:
            return
        self._alive = False
        self._wake_loops()
        task.cancel()
        done, _ = await asyncio.wait([task], timeout=3)
        if not done:
            logger.warning("bus: the Redis receiver did not stop in 3 s; abandoned")

    def watch(self, camera_id: str, watched: bool) -> None:
        """Subscribe to a camera's frames (first local viewer) or unsubscribe (last one left)."""
        if watched:
            self._watched.add(camera_id)
        else:
            self._watched.discard(camera_id)
        self._changed.set()
        self._hints.add(camera_id)
        self.poke()

    def watch_video(self, camera_id: str, widths: frozenset[int]) -> None:
        """Follow the H.264 streams of a camera watched here (its widths; none: stop)."""
        self.video.watch(camera_id, widths)
        self._changed.set()
        self._hints.add(camera_id)
        self.poke()

    def watch_variants(self, camera_id: str, widths: frozenset[int]) -> None:
        """Follow the JPEG variants of a camera watched here (its widths; none: stop)."""
        self.variants.watch(camera_id, widths)
        self._changed.set()
        self._hints.add(camera_id)
        self.poke()

    def poke(self) -> None:
        """Sync viewer counts now instead of at the next heartbeat."""
        self._sync_now.set()

    async def _run(self) -> None:
        errors = redis_errors()
        delay = self._retry[0]
        while True:
            client: Any = async_client(self.url, timeout=self._heartbeat * 3)
            pubsub = client.pubsub()
            try:
                await pubsub.subscribe(
                    self.keys.status_channel,
                    self.keys.control_channel,
                    self.keys.demand_channel,
                    self.keys.event_channel,
                )
                self._subscribed = set()
                self.video.reset()
                self.variants.reset()
                await self._restore_statuses(client)
                self._up()
                delay = self._retry[0]
                await self._session(client, pubsub)
            except errors as exc:
                self._down(exc)
            except Exception as exc:  # a bug must not end reception for good: log, rebuild
                logger.error("bus: receiving failed", exc_info=exc)
                self._down(exc)
            finally:
                await close_quietly(pubsub, client)
            await asyncio.sleep(delay)
            delay = min(delay * 2, self._retry[1])

    async def _session(self, client: Any, pubsub: Any) -> None:
        """Run the connection's loops until one fails; raise its error."""
        # Not a TaskGroup: cancelling a coroutine inside redis-py does not reliably end it, so
        # the loops also watch a flag and are woken to see it; leftovers are abandoned.
        self._alive = True
        tasks = [
            asyncio.ensure_future(self._pump(pubsub)),
            asyncio.ensure_future(self._follow_watched(client, pubsub)),
            asyncio.ensure_future(self._sync_viewers(client)),
        ]
        try:
            await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
        finally:
            self._alive = False
            self._wake_loops()
            for task in tasks:
                task.cancel()
                task.add_done_callback(_consume)
            await asyncio.wait(tasks, timeout=2)
        # Read every task's outcome (an unread exception is logged as a bug), raise the first.
        failures = [t.exception() for t in tasks if t.done() and not t.cancelled()]
        for failure in failures:
            if failure is not None:
                raise failure
        raise ConnectionError("Redis session ended")

    def _wake_loops(self) -> None:
        self._changed.set()
        self._sync_now.set()

    def _up(self) -> None:
        self.connected = True
        self._changed.set()
        if self._was_down:
            logger.warning("bus: connected to %s again", redact(self.url))
            if self._on_reconnect is not None:
                self._on_reconnect()
        self._was_down = False

    def _down(self, exc: BaseException) -> None:
        if not self._was_down:
            reason = str(exc) or type(exc).__name__
            logger.warning("bus: lost %s: %s; reconnecting", redact(self.url), reason)
        self.connected, self._was_down = False, True
        degrade(self.hub, list(self.hub.slots), UNAVAILABLE)

    async def _pump(self, pubsub: Any) -> None:
        """Handle messages until the connection fails or falls silent."""
        last_heard = last_ping = time.monotonic()
        while self._alive:
            message = await pubsub.get_message(timeout=self._heartbeat)
            now = time.monotonic()
            if message is not None:
                last_heard = now
                if message.get("type") == "message":
                    self._handle(message["channel"], message["data"])
                continue
            if now - last_heard > 3 * self._heartbeat:
                raise ConnectionError("Redis stopped answering")
            if now - last_ping >= self._heartbeat:
                last_ping = now
                await pubsub.ping()

    def _handle(self, raw_channel: bytes, data: Any) -> None:
        channel = raw_channel.decode("utf-8", "replace")
        try:
            if not isinstance(data, bytes):
                raise codec.MalformedMessageError("not a binary message")
            if channel == self.keys.status_channel:
                self.hub.deliver_status(codec.decode_status(data))
            elif channel == self.keys.control_channel:
                self._on_control(codec.decode_control(data))
            elif channel == self.keys.event_channel:
                self.hub.deliver_event(codec.decode_event(data))
            elif channel == self.keys.demand_channel:
                codec.decode_camera_id(data)
                self.poke()
            elif not self.video.handles(channel, data) and not self.variants.handles(channel, data):
                self._deliver_frame(channel, data)
        except codec.MalformedMessageError as exc:
            self.dropped += 1
            logger.warning("bus: malformed message on %r dropped: %s", channel[:100], exc)

    def _deliver_frame(self, channel: str, data: bytes, only_newer: bool = False) -> None:
        camera_id = self.keys.camera_of_frame_channel(channel)
        if camera_id is None or camera_id not in self._watched:
            return  # a late message after unsubscribing
        frame = codec.decode_frame(data, self._max_frame_bytes)
        if frame.camera_id != camera_id:
            raise codec.MalformedMessageError("frame of another camera on this channel")
        slot = self.hub.slots.get(camera_id)
        current = slot.frame if slot is not None else None
        if only_newer and current is not None and current.captured_at >= frame.captured_at:
            return
        self.hub.deliver_frame(frame)

    async def _restore_statuses(self, client: Any) -> None:
        """Take every camera's newest status from Redis (after a start or a reconnect)."""
        for data in (await client.hgetall(self.keys.statuses)).values():
            self._handle(self.keys.status_channel.encode(), data)

    async def _follow_watched(self, client: Any, pubsub: Any) -> None:
        """Keep the frame subscriptions equal to the watched cameras, one change at a time."""
        while self._alive:
            await self._changed.wait()
            self._changed.clear()
            if not self._alive:
                return
            wanted = set(self._watched)
            added, removed = wanted - self._subscribed, self._subscribed - wanted
            if removed:
                await pubsub.unsubscribe(*(self.keys.frame_channel(c) for c in removed))
            if added:
                await pubsub.subscribe(*(self.keys.frame_channel(c) for c in added))
            self._subscribed = wanted
            await self.video.follow(client, pubsub)
            await self.variants.follow(client, pubsub)
            for camera_id in added:  # the newest frame at once, not at the next capture
                data = await client.get(self.keys.latest(camera_id))
                if data is not None:
                    try:
                        self._deliver_frame(self.keys.frame_channel(camera_id), data, True)
                    except codec.MalformedMessageError as exc:
                        self.dropped += 1
                        logger.warning("bus: malformed latest frame dropped: %s", exc)

    async def _sync_viewers(self, client: Any) -> None:
        """Share viewer counts once per heartbeat, or at once when they change."""
        while self._alive:
            self._sync_now.clear()
            await self.tally.sync(client)
            self._on_totals(self.tally.totals())
            hints, self._hints = self._hints, set()
            for camera_id in hints:  # capture re-reads the counts now, not at its next sync
                await client.publish(self.keys.demand_channel, camera_id.encode("ascii"))
            if self._owners is not None:
                await self._owners.run(client, self._watched)
            try:
                async with asyncio.timeout(self._heartbeat):
                    await self._sync_now.wait()
            except TimeoutError:
                pass


def _consume(task: asyncio.Future[None]) -> None:
    """Read an abandoned task's outcome so it is not reported as a lost exception."""
    if not task.cancelled():
        task.exception()
