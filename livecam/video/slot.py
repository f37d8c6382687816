"""One H.264 stream (camera, width) in a web process: its GOP, its viewers, its placeholder."""

from __future__ import annotations

import asyncio
import logging
import time

from livecam.bus.slot import LatestFrameSlot
from livecam.bus.waking import WakingSlot
from livecam.video import boxes, clock
from livecam.video.gop import GopCache
from livecam.video.packet import VideoPacket
from livecam.video.still import StillPicture, still

logger = logging.getLogger(__name__)

PLACEHOLDER_EVERY = 1.0
"""Seconds between placeholder pictures (each lasts that long on the timeline)."""
_MARGIN = round(0.5 * boxes.TIMESCALE)
"""Placeholders are dated half a second back, so the live picture that follows them (dated
by capture, maybe on another machine) is not older than they are."""


class VideoSlot(WakingSlot):
    """The GOP cache and waiting viewers of one stream; all methods run on the event loop."""

    def __init__(
        self, camera: LatestFrameSlot, width: int, loop: asyncio.AbstractEventLoop
    ) -> None:
        super().__init__(loop, PLACEHOLDER_EVERY / 2)  # placeholders are re-sent on the tick
        self.camera = camera
        self.width = width
        self.gop = GopCache()
        self._live_until = -1e18
        """Loop time until which the last fragment counts as recent (set per fragment)."""
        self._still: tuple[tuple[str, str, int, int], bytes, bytes, float] | None = None
        self._still_time = -1
        self._still_sequence = 0
        self._pictures: dict[tuple[str, str, int, int], StillPicture] = {}
        self._encoding: set[tuple[str, str, int, int]] = set()

    @property
    def still_time(self) -> int:
        """Decode time of the newest placeholder fragment (-1: none yet)."""
        return self._still_time

    @property
    def live(self) -> bool:
        """True while the camera is live and this stream has a GOP with recent pictures."""
        # Asked by every viewer for every fragment: comparisons only, the rest is per fragment.
        return self.camera.live and self.gop.keyed and self._loop.time() <= self._live_until

    def put(self, packet: VideoPacket) -> None:
        """Store a packet from the bus and wake the viewers."""
        if self.gop.put(packet):
            self._live_until = self._loop.time() + self.camera.stale_limit()
            self.wake()

    def placeholder(self) -> tuple[bytes, bytes] | None:
        """Return (init, fragment) of the placeholder for the camera's state now.

        The fragment is rebuilt about once a second with a later decode time and shared by
        every viewer of the stream until then. None while a new placeholder picture is being
        encoded (in a worker thread: a large one takes tens of milliseconds, too long to
        stall the event loop); the viewers are woken when it is ready.
        """
        camera = self.camera
        status = camera.status
        state, error = status.state, status.error
        if state == "online" and camera.stale:
            state, error = "error", f"no frame for more than {camera.stale_after:g} s"
        elif state == "online" and status.video_error:
            state, error = "error", f"H.264 unavailable: {status.video_error}"
        width = status.width or 640
        height = status.height or 480
        if self.width and self.width < width:
            height, width = max(2, round(height * self.width / width)), self.width
        key = (state, error, width, height)
        now = time.time()
        cached = self._still
        if cached is None or cached[0] != key or now - cached[3] >= PLACEHOLDER_EVERY:
            picture = self._pictures.get(key)
            if picture is None:
                self._encode_still(key)
                return None
            decode_time = max(
                self._still_time + 1, self.gop.last_decode_time + 1, clock.ticks(now) - _MARGIN
            )
            self._still_time = decode_time
            self._still_sequence += 1
            fragment, _offset = boxes.fragment(
                self._still_sequence,
                decode_time,
                round(PLACEHOLDER_EVERY * boxes.TIMESCALE),
                picture.sample,
                True,
                now,
            )
            cached = self._still = (key, picture.init, fragment, now)
        return cached[1], cached[2]

    def _encode_still(self, key: tuple[str, str, int, int]) -> None:
        if key in self._encoding:
            return
        self._encoding.add(key)
        future = self._loop.run_in_executor(None, still, *key)

        def done(finished: asyncio.Future[StillPicture]) -> None:
            self._encoding.discard(key)
            if finished.cancelled() or finished.exception() is not None:
                logger.error("H.264 placeholder failed: %s", finished.exception())
                return
            if len(self._pictures) >= 8:  # states of one stream: a few at most
                self._pictures.clear()
            self._pictures[key] = finished.result()
            self.wake()

        future.add_done_callback(done)
