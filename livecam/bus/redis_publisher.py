"""Send frames and statuses to Redis from any thread: newest per camera, never a queue.

Capture threads hand over their newest frame and status; one task on the event loop sends
whatever is pending in one pipeline per round trip. While Redis is unreachable, only the
newest frame of each camera waits (older ones are dropped) and statuses are kept, so memory
stays flat and publishing resumes by itself when Redis is back.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from typing import Any

from livecam.bus import codec
from livecam.bus.redis_client import async_client, redact
from livecam.bus.redis_keys import RedisKeys
from livecam.frames import CameraStatus, Frame

logger = logging.getLogger(__name__)

_ERRORS: tuple[type[BaseException], ...] = (OSError, TimeoutError)


def redis_errors() -> tuple[type[BaseException], ...]:
    """Return the exceptions that mean "Redis is unreachable or failed" (not our bugs)."""
    from redis.exceptions import RedisError

    return (RedisError, *_ERRORS)


class RedisPublisher:
    """Publish frames (binary envelopes) and statuses (JSON) for every process to hear."""

    def __init__(
        self,
        url: str,
        keys: RedisKeys,
        *,
        frame_ttl: float = 5.0,
        retry_initial: float = 0.2,
        retry_max: float = 2.0,
    ) -> None:
        self.url = url
        self.keys = keys
        self.replay_statuses = False
        """Re-send every status this process published after Redis comes back (capture side:
        a restarted Redis has lost the statuses hash, and resting cameras say nothing new)."""
        self.frames_sent = 0
        self.connected = False
        self._frame_ttl_ms = max(1, int(frame_ttl * 1000))
        self._retry = (retry_initial, retry_max)
        self._lock = threading.Lock()
        self._frames: dict[str, bytes] = {}
        self._statuses: dict[str, CameraStatus] = {}
        self._controls: list[bytes] = []
        self._published: dict[str, CameraStatus] = {}
        self._scheduled = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake: asyncio.Event | None = None
        self._task: asyncio.Task[None] | None = None
        self._closed = False

    def start(self, loop: asyncio.AbstractEventLoop) -> None:
        """Start the sending task on the running loop."""
        self._loop = loop
        self._wake = asyncio.Event()
        self._closed = False
        self._task = loop.create_task(self._run(self._wake), name="livecam-redis-publisher")
        if self._frames or self._statuses or self._controls:
            self._wake.set()

    async def stop(self) -> None:
        """Send what is pending (briefly), then stop."""
        self._closed = True
        if self._wake is not None:
            self._wake.set()
        task, self._task = self._task, None
        if task is not None:
            done, _ = await asyncio.wait([task], timeout=2.0)
            if not done:  # Redis unreachable: give up (bounded, never hangs a shutdown)
                logger.warning("bus: unsent frames/statuses dropped at shutdown")
                task.cancel()

    def submit_frame(self, frame: Frame) -> None:
        """Queue a frame for sending, replacing the camera's unsent one (thread-safe)."""
        blob = codec.encode_frame(frame)  # in the caller's thread, off the event loop
        with self._lock:
            self._frames[frame.camera_id] = blob
        self._schedule()

    def submit_status(self, status: CameraStatus) -> None:
        """Queue a status for sending, replacing the camera's unsent one (thread-safe)."""
        with self._lock:
            self._statuses[status.camera_id] = status
            self._published[status.camera_id] = status
        self._schedule()

    def submit_control(self, blob: bytes) -> None:
        """Queue a control message, sent after the statuses submitted before it.

        The order matters: a web process announces "stopping" and then asks capture to stop;
        capture's "off" must not overtake the announcement.
        """
        with self._lock:
            if len(self._controls) < 1000:  # capture also re-reads the database; never grow
                self._controls.append(blob)
        self._schedule()

    def _schedule(self) -> None:
        # One wake-up per burst, not per frame: the flag is cleared when the task takes work.
        with self._lock:
            if self._scheduled:
                return
            self._scheduled = True
        loop = self._loop
        if loop is None or loop.is_closed() or self._wake is None:
            return
        try:
            loop.call_soon_threadsafe(self._wake.set)
        except RuntimeError:  # the loop closed between the check and the call (shutdown)
            pass

    def _take(self) -> tuple[dict[str, bytes], dict[str, CameraStatus], list[bytes]]:
        with self._lock:
            frames, statuses, controls = self._frames, self._statuses, self._controls
            self._frames, self._statuses, self._controls = {}, {}, []
            self._scheduled = False
        return frames, statuses, controls

    async def _run(self, wake: asyncio.Event) -> None:
        errors = redis_errors()
        client: Any = None
        delay = self._retry[0]
        replay = False
        try:
            while True:
                if not self._closed:
                    await wake.wait()
                wake.clear()
                frames, statuses, controls = self._take()
                if self._closed and not (frames or statuses or controls):
                    return
                if replay and self.replay_statuses:
                    with self._lock:
                        statuses = {**self._published, **statuses}
                try:
                    if client is None:
                        client = async_client(self.url)
                    await self._send(client, frames, statuses, controls)
                except errors as exc:
                    await _close(client)
                    client = None
                    self._requeue(statuses)
                    if self.connected or not replay:
                        logger.warning("bus: cannot publish to %s: %s", redact(self.url), exc)
                    self.connected, replay = False, True
                    if self._closed:
                        return
                    await asyncio.sleep(delay)  # frames meanwhile: only the newest is kept
                    delay = min(delay * 2, self._retry[1])
                    wake.set()
                    continue
                if replay:
                    logger.warning("bus: publishing to %s again", redact(self.url))
                self.connected, replay, delay = True, False, self._retry[0]
        finally:
            await _close(client)

    async def _send(
        self,
        client: Any,
        frames: dict[str, bytes],
        statuses: dict[str, CameraStatus],
        controls: list[bytes],
    ) -> None:
        keys = self.keys
        pipe = client.pipeline(transaction=False)
        for camera_id, status in statuses.items():
            blob = codec.encode_status(status)
            pipe.hset(keys.statuses, camera_id, blob)
            pipe.publish(keys.status_channel, blob)
        for blob in controls:
            pipe.publish(keys.control_channel, blob)
        for camera_id, blob in frames.items():
            pipe.set(keys.latest(camera_id), blob, px=self._frame_ttl_ms)
            pipe.publish(keys.frame_channel(camera_id), blob)
        if frames or statuses or controls:
            await pipe.execute()
        self.frames_sent += len(frames)

    def _requeue(self, statuses: dict[str, CameraStatus]) -> None:
        """Keep capture's unsent statuses (a newer one wins); frames and control are dropped.

        A web process's statuses are announcements of a toggle: sent late, after Redis comes
        back, one could overwrite what capture reported since, so they are dropped too.
        """
        if not self.replay_statuses:
            return
        with self._lock:
            for camera_id, status in statuses.items():
                self._statuses.setdefault(camera_id, status)


async def _close(client: Any) -> None:
    if client is not None:
        try:
            await client.aclose()
        except Exception:  # closing a broken connection may fail too; nothing to do about it
            logger.debug("bus: closing a Redis client failed", exc_info=True)
