"""The notifier: turn motion events and camera states into notifications, and send them.

It follows the hub like an open page does, so it hears the same motion events and statuses
in every bus mode, and runs in one process only (``livecam.integrations``). Channels:
e-mail per user (``notify.email``), and the camera's webhook for offline/back (motion
webhooks are sent by capture, ``motion/webhook.py``). The MQTT bridge publishes the same
events on the broker (``…/motion``, ``…/snapshot``, ``…/state``).
"""

from __future__ import annotations

import asyncio
import logging
import time

from livecam import conf
from livecam.bus.event import CameraEvent
from livecam.bus.hub import Hub, StatusListener
from livecam.frames import CameraStatus
from livecam.motion.webhook import WebhookSender
from livecam.mqtt.snapshots import event_snapshot
from livecam.notify import email
from livecam.notify.audience import recipients
from livecam.notify.message import Notification
from livecam.notify.rules import OfflineWatch, RateLimit

logger = logging.getLogger(__name__)


class Notifier:
    """Watch the hub; decide who hears what; hand it to the channels (never blocking)."""

    def __init__(self, hub: Hub) -> None:
        self.hub = hub
        self.watch = OfflineWatch(float(conf.get("NOTIFY_OFFLINE_GRACE")))
        self.limit = RateLimit()
        self.email: email.EmailChannel | None = None
        self.webhooks: WebhookSender | None = None
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start following the hub (a task on the running loop)."""
        self.email = email.EmailChannel() if email.enabled() else None
        self.webhooks = WebhookSender(timeout=5.0, retries=1, max_queued=100)
        self._task = asyncio.get_running_loop().create_task(self._run(), name="notifier")

    async def stop(self) -> None:
        """Stop following; let the channel threads finish what is in flight (1 s each)."""
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        for channel in (self.email, self.webhooks):
            if channel is not None:
                await asyncio.to_thread(channel.close, 1.0)

    async def _run(self) -> None:
        listener = StatusListener()
        self.hub.listeners.add(listener)
        try:
            while not listener.closed:
                wait = self.watch.next_due(time.monotonic())
                for change in await listener.get(5.0 if wait is None else max(0.05, wait)):
                    try:
                        await self._see(change)
                    except Exception:  # one bad event must not end notifications
                        logger.exception("notification of %s failed", change.camera_id)
                for camera_id in self.watch.due(time.monotonic()):
                    await self._send(Notification("offline", camera_id, *self._about(camera_id)))
        finally:
            self.hub.listeners.discard(listener)

    async def _see(self, change: CameraStatus | CameraEvent) -> None:
        if isinstance(change, CameraEvent):
            if change.kind == "motion" and change.data.get("phase") == "start":
                event_id = change.data.get("id")
                await self._send(
                    Notification(
                        "motion",
                        change.camera_id,
                        *self._about(change.camera_id),
                        event_id=event_id if isinstance(event_id, int) else None,
                        snapshot=await event_snapshot(event_id),
                    )
                )
            return
        news = self.watch.see(change.camera_id, change.state, change.enabled, time.monotonic())
        if news == "back":
            await self._send(Notification("back", change.camera_id, *self._about(change.camera_id)))

    def _about(self, camera_id: str) -> tuple[str, float]:
        status = self.hub.status(camera_id)
        return (status.label if status is not None else "", time.time())

    async def _send(self, notification: Notification) -> None:
        logger.info("notify: %s at camera %s", notification.kind, notification.camera_id)
        if self.email is not None:
            for user in await recipients(notification, self.limit):
                self.email.send(notification, user.email)
        if notification.kind != "motion" and self.webhooks is not None:
            url = await _webhook_of(notification.camera_id)
            if url:
                self.webhooks.send(url, notification.webhook_json())


async def _webhook_of(camera_id: str) -> str:
    from livecam.motion.models import MotionSettings

    url = (
        await MotionSettings.objects.filter(camera_id=camera_id)
        .values_list("webhook_url", flat=True)
        .afirst()
    )
    return url or ""
