"""The bus interface: frames and statuses from capture to web, control from web to capture."""

from __future__ import annotations

import abc
import dataclasses
import logging
from collections.abc import Callable
from typing import Any

from livecam.bus.event import CameraEvent
from livecam.bus.hub import Hub
from livecam.frames import CameraStatus, Frame
from livecam.video.packet import VideoPacket

logger = logging.getLogger(__name__)

CONTROL_ACTIONS = ("changed", "removed", "reconcile")


@dataclasses.dataclass(frozen=True, slots=True)
class ControlMessage:
    """Tell capture that a camera's configuration or enabled state changed (the DB is truth)."""

    action: str
    camera_id: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Return the message as a plain dict (for JSON)."""
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ControlMessage:
        """Build a message from untrusted JSON data; raise ValueError when malformed."""
        action, camera_id = data.get("action"), data.get("camera_id", "")
        if action not in CONTROL_ACTIONS or not isinstance(camera_id, str) or len(camera_id) > 64:
            raise ValueError("malformed control message")
        return cls(action, camera_id)


_NONE: frozenset[int] = frozenset()
ControlHandler = Callable[[ControlMessage], None]
DemandHandler = Callable[[str, int], None]


class FrameBus(abc.ABC):
    """Carry frames and statuses to every web process, and control messages to capture.

    Capture calls ``publish_frame``/``publish_status`` from its worker threads; they must be
    thread-safe and must never block on slow viewers. The web side sees everything through
    ``hub``, the same fan-out code for every backend.
    """

    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        self.hub = Hub(keepalive=float(options.get("KEEPALIVE_INTERVAL", 1.0)))
        self.hub.stale_after = float(options.get("STALE_AFTER", 3.0))
        self.hub.on_watch = self._watch_changed
        self.hub.on_video_watch = self._video_watch_changed
        self.hub.on_variant_watch = self._variant_watch_changed
        self.video_wanted: dict[str, frozenset[int]] = {}
        """H.264 widths watched per camera over every web process (read by capture threads;
        entries are replaced whole, never changed in place)."""
        self.variant_wanted: dict[str, frozenset[int]] = {}
        """JPEG variant widths watched per camera over every web process (read by capture
        threads; entries are replaced whole, never changed in place)."""
        self._control_handlers: list[ControlHandler] = []
        self._demand_handlers: list[DemandHandler] = []

    async def start(self) -> None:
        """Start the web side on the running loop (subscriptions, background tasks)."""
        import asyncio

        self.hub.bind(asyncio.get_running_loop())

    async def stop(self) -> None:
        """End every stream and release connections."""
        self.hub.close()

    @abc.abstractmethod
    def publish_frame(self, frame: Frame) -> None:
        """Send a frame to every web process (thread-safe, never blocks for long)."""

    @abc.abstractmethod
    def publish_status(self, status: CameraStatus) -> None:
        """Send a camera status to every web process (thread-safe)."""

    def publish_video(self, packet: VideoPacket) -> None:
        """Send an H.264 packet to every web process watching its stream (thread-safe).

        Every packet matters (a decoder needs the whole GOP), so unlike frames they are not
        coalesced; this default hands it to this process's hub (the in-memory bus).
        """
        loop = self.hub.loop
        if loop is None or loop.is_closed():
            return
        try:
            loop.call_soon_threadsafe(self.hub.deliver_video, packet)
        except RuntimeError:  # the loop closed between the check and the call (shutdown)
            pass

    def publish_variant(self, frame: Frame, width: int) -> None:
        """Send a JPEG variant (``?width=``) to every web process watching it (thread-safe).

        Like frames, only the newest matters; this default hands it to this process's hub.
        """
        loop = self.hub.loop
        if loop is None or loop.is_closed():
            return
        try:
            loop.call_soon_threadsafe(self.hub.deliver_variant, frame, width)
        except RuntimeError:  # the loop closed between the check and the call (shutdown)
            pass

    def jpeg_wanted(self, camera_id: str) -> bool:
        """Return whether capture should JPEG-encode each frame at once (asked once per frame).

        A bus that crosses processes sends every frame's JPEG on (its web workers may have
        MJPEG viewers), so this default says yes; the in-memory bus looks at its own viewers.
        """
        return True

    def variant_widths(self, camera_id: str) -> frozenset[int]:
        """Return the JPEG variant widths someone watches of a camera (asked once per frame)."""
        return self.variant_wanted.get(camera_id, _NONE)

    def video_widths(self, camera_id: str) -> frozenset[int]:
        """Return the H.264 widths someone watches of a camera (capture asks once per frame)."""
        return self.video_wanted.get(camera_id, _NONE)

    def publish_event(self, event: CameraEvent) -> None:
        """Send a camera event (motion, recording) to every web process (thread-safe).

        This default hands it to this process's hub, which is all the in-memory bus needs; a
        bus that spans processes carries ``event.to_dict()`` like a status and calls
        ``hub.deliver_event(CameraEvent.from_dict(data))`` on the web side.
        """
        loop = self.hub.loop
        if loop is None or loop.is_closed():
            return
        try:
            loop.call_soon_threadsafe(self.hub.deliver_event, event)
        except RuntimeError:  # the loop closed between the check and the call (shutdown)
            pass

    @abc.abstractmethod
    async def send_control(self, message: ControlMessage) -> None:
        """Deliver a control message to the capture owner(s)."""

    def on_control(self, handler: ControlHandler) -> None:
        """Register a capture-side handler for control messages (called from any thread)."""
        self._control_handlers.append(handler)

    def on_demand(self, handler: DemandHandler) -> None:
        """Register a capture-side handler told (camera_id, viewers) when demand changes."""
        self._demand_handlers.append(handler)

    def viewer_counts(self) -> dict[str, int]:
        """Return viewers per camera over every web process (this one for single-process)."""
        return {cid: slot.viewers for cid, slot in self.hub.slots.items()}

    def forget_soon(self, camera_id: str) -> None:
        """End a deleted camera's streams in this process (thread-safe)."""
        loop = self.hub.loop
        if loop is None or loop.is_closed():
            return
        try:
            loop.call_soon_threadsafe(self.hub.forget, camera_id)
        except RuntimeError:  # the loop closed between the check and the call (shutdown)
            pass

    def _dispatch_control(self, message: ControlMessage) -> None:
        if message.action == "removed" and message.camera_id:
            self.forget_soon(message.camera_id)  # every web process hears control messages
        for handler in self._control_handlers:
            try:
                handler(message)
            except Exception:
                logger.exception("control handler failed for %s", message)

    def _dispatch_demand(self, camera_id: str, viewers: int) -> None:
        for handler in self._demand_handlers:
            try:
                handler(camera_id, viewers)
            except Exception:
                logger.exception("demand handler failed for %s", camera_id)

    def _video_watch_changed(self, camera_id: str, widths: frozenset[int]) -> None:
        """Hub hook: the H.264 widths watched in this process changed (this is all of them)."""
        if widths:
            self.video_wanted[camera_id] = widths
        else:
            self.video_wanted.pop(camera_id, None)

    def _variant_watch_changed(self, camera_id: str, widths: frozenset[int]) -> None:
        """Hub hook: the JPEG variant widths watched in this process changed (all of them)."""
        if widths:
            self.variant_wanted[camera_id] = widths
        else:
            self.variant_wanted.pop(camera_id, None)

    def _watch_changed(self, camera_id: str, viewers: int) -> None:
        """Hub hook: a camera gained its first or lost its last local viewer."""
        self._dispatch_demand(camera_id, viewers)
