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

from livecam.bus import codec, video_codec
from livecam.bus.redis_client import async_client, close_quietly, redact
from livecam.bus.redis_keys import RedisKeys
from livecam.bus.redis_writes import Stream, Video, write_round, write_variants, write_videos
from livecam.frames import CameraStatus, Frame
from livecam.video.packet import VideoPacket

logger = logging.getLogger(__name__)

MAX_PENDING_VIDEO = 600
"""Unsent H.264 packets kept while Redis is slow or away (then each stream waits for its next
keyframe: a GOP with a hole would show a broken picture)."""

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
        self._variants: dict[Stream, bytes] = {}
        self._statuses: dict[str, CameraStatus] = {}
        self._controls: list[bytes] = []
        self._events: list[bytes] = []
        self._videos: list[Video] = []
        self._video_skip: set[Stream] = set()
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
        if self._frames or self._statuses or self._controls or self._events:
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

    def submit_variant(self, frame: Frame, width: int) -> None:
        """Queue a JPEG variant, replacing that width's unsent one (thread-safe)."""
        blob = codec.encode_frame(frame)  # in the capture thread, off the event loop
        with self._lock:
            self._variants[(frame.camera_id, width)] = blob
        self._schedule()

    def submit_video(self, packet: VideoPacket) -> None:
        """Queue an H.264 packet; every one is sent, in order, unless Redis falls behind."""
        blob = video_codec.encode_video(packet)  # in the capture thread, off the event loop
        stream = (packet.camera_id, packet.width)
        with self._lock:
            if len(self._videos) >= MAX_PENDING_VIDEO:
                self._drop_videos(self._videos)
                self._videos = []
            if stream in self._video_skip:
                if not packet.keyframe:
                    return
                self._video_skip.discard(stream)
            self._videos.append((stream, packet.keyframe, blob))
        self._schedule()

    def _drop_videos(self, videos: list[Video]) -> None:
        """Forget unsent packets; their streams resume at their next keyframe (lock held)."""
        self._video_skip.update(stream for stream, _key, _blob in videos)

    def replay(self) -> None:
        """Send every status this process published again (capture side; no-op elsewhere).

        Called when this process reconnects to Redis: a restarted Redis has lost the statuses,
        and this publisher may not have noticed the outage (nothing to send while it lasted).
        """
        if not self.replay_statuses:
            return
        with self._lock:
            for camera_id, status in self._published.items():
                self._statuses.setdefault(camera_id, status)
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

    def submit_event(self, blob: bytes) -> None:
        """Queue a camera event (motion, recording), sent after the statuses before it."""
        with self._lock:
            if len(self._events) < 1000:  # events are also in the database; never grow
                self._events.append(blob)
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

    def _take(
        self,
    ) -> tuple[dict[str, bytes], dict[str, CameraStatus], list[bytes], list[Video]]:
        with self._lock:
            frames, statuses, controls = self._frames, self._statuses, self._controls
            videos, self._videos = self._videos, []
            # Events ride with the control messages (both are ordered lists of JSON blobs);
            # _send tells them apart by their prefix.
            controls = [*controls, *(b"E" + blob for blob in self._events)]
            self._frames, self._statuses, self._controls, self._events = {}, {}, [], []
            self._scheduled = False
        return frames, statuses, controls, videos

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
                frames, statuses, controls, videos = self._take()
                with self._lock:
                    variants, self._variants = self._variants, {}
                if self._closed and not (frames or statuses or controls or videos or variants):
                    return
                if replay and self.replay_statuses:
                    with self._lock:
                        statuses = {**self._published, **statuses}
                try:
                    if client is None:
                        client = async_client(self.url)
                    await self._send(client, frames, statuses, controls, variants, videos)
                except errors as exc:
                    await close_quietly(client)
                    client = None
                    with self._lock:
                        self._drop_videos(videos)
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
            await close_quietly(client)

    async def _send(
        self,
        client: Any,
        frames: dict[str, bytes],
        statuses: dict[str, CameraStatus],
        controls: list[bytes],
        variants: dict[Stream, bytes],
        videos: list[Video],
    ) -> None:
        """Send one round in one pipeline: one round trip whatever it holds."""
        if not (frames or statuses or controls or variants or videos):
            return
        pipe = client.pipeline(transaction=False)
        write_round(pipe, self.keys, self._frame_ttl_ms, frames, statuses, controls)
        write_variants(pipe, self.keys, self._frame_ttl_ms, variants)
        write_videos(pipe, self.keys, self._frame_ttl_ms, videos)
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
