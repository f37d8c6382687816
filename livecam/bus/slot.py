"""The latest-frame slot: one camera's newest frame in this process, awaited by its viewers."""

from __future__ import annotations

import asyncio
import math
import time

from livecam import placeholder
from livecam.bus.waking import WakingSlot
from livecam.frames import CameraStatus, Frame, build_part


class LatestFrameSlot(WakingSlot):
    """Hold the newest frame and status of one camera; wake every waiting viewer on change.

    There is no queue per viewer: a viewer that is busy sending simply finds a newer frame
    here when it comes back, so slow viewers skip frames and memory never grows with them.
    All methods run on the event loop thread.
    """

    def __init__(self, camera_id: str, loop: asyncio.AbstractEventLoop, keepalive: float) -> None:
        super().__init__(loop, keepalive)  # the keep-alive re-send is the tick
        self.camera_id = camera_id
        self.frame: Frame | None = None
        self.status = CameraStatus(camera_id)
        self.sent = 0
        """Parts sent to viewers, read by the metrics collector (a plain int: cheap per part)."""
        self.bytes_sent = 0
        """MJPEG bytes handed to viewers' connections (read by the metrics collector)."""
        self.mp4_bytes_sent = 0
        """H.264 (stream.mp4) bytes handed to viewers' connections."""
        self.heard = False
        """True once capture has said anything about this camera."""
        self._waiter: asyncio.Future[None] | None = None
        self._placeholder: tuple[tuple[str, str, int, int], bytes] | None = None
        self.stale_after = 3.0
        """Seconds without a new frame after which an online camera shows "NO SIGNAL"."""
        self._received = 0.0
        self._live_until = -math.inf
        """Loop time until which the frame here counts as live (-inf: not live at all)."""

    @property
    def live(self) -> bool:
        """True when the camera is online and a recent frame is here to show."""
        # Asked by every viewer for every part: one comparison, the rest is done per frame.
        return self._loop.time() <= self._live_until

    @property
    def stale(self) -> bool:
        """True when frames stopped arriving although capture has not reported an error yet.

        A read that blocks is only declared an error by the capture watchdog after its read
        timeout; viewers are told at once instead of watching a frozen picture. Slow cameras
        get three frame intervals.
        """
        if self.frame is None:
            return False
        return self._loop.time() - self._received > self._stale_limit()

    def stale_limit(self) -> float:
        """Return the seconds without a frame after which this camera counts as stale."""
        return self._stale_limit()

    def _stale_limit(self) -> float:
        fps = self.status.fps
        return max(self.stale_after, 3.0 / fps) if fps > 0 else self.stale_after

    def _update_live(self) -> None:
        if self.frame is None or self.status.state != "online":
            self._live_until = -math.inf
        else:
            self._live_until = self._received + self._stale_limit()

    def put(self, frame: Frame) -> None:
        """Store a new frame and wake the viewers."""
        self.frame = frame
        self._received = self._loop.time()
        self._update_live()
        self.wake()

    def set_status(self, status: CameraStatus) -> None:
        """Store the camera's status; wake viewers so they switch to live or placeholder."""
        changed = (status.state, status.error) != (self.status.state, self.status.error)
        self.status = status
        self.heard = True
        if status.state in ("off", "idle"):
            self.frame = None  # never show a stale frame of a camera that was switched off
        self._update_live()
        if changed:
            self.wake()

    def placeholder_part(self) -> bytes:
        """Return the multipart part of the placeholder for the current status (cached)."""
        st = self.status
        width = st.width or (self.frame.width if self.frame else 640)
        height = st.height or (self.frame.height if self.frame else 480)
        state, error = st.state, st.error
        if state == "online" and self.stale:
            state, error = "error", f"no frame for more than {self.stale_after:g} s"
        key = (state, error, width, height)
        if self._placeholder is None or self._placeholder[0] != key:
            _title, jpeg = placeholder.for_state(state, error, width, height)
            self._placeholder = (key, build_part(jpeg, time.time()))
        return self._placeholder[1]

    def changed(self) -> asyncio.Future[None]:
        """Return the future that completes at the next change; shared: never cancel it."""
        waiter = self._waiter
        if waiter is None or waiter.done():
            waiter = self._waiter = self._loop.create_future()
        return waiter

    async def wait(self) -> None:
        """Wait for the next change (frame, status, close) or the keep-alive tick."""
        await self.waiter()

    def wake(self) -> None:
        """Wake every waiting viewer, and the shared `changed` future."""
        waiter = self._waiter
        if waiter is not None:
            self._waiter = None
            if not waiter.done():
                waiter.set_result(None)
        super().wake()
