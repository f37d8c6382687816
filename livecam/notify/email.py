"""The e-mail channel: Django's e-mail framework, from one thread with a bounded queue.

Sending is blocking (SMTP), so it never runs on the event loop: the notifier only enqueues.
Each message gets EMAIL_TIMEOUT per network wait; a slow or dead server costs this thread's
time and, once the queue is full, the newest messages (dropped and counted).
"""

from __future__ import annotations

import logging
import queue
import threading

from django.conf import settings
from django.core.mail import EmailMessage, get_connection

from livecam.notify.message import Notification
from livecam.notify.metrics import NOTIFICATIONS_DROPPED, NOTIFICATIONS_FAILED, NOTIFICATIONS_SENT
from livecam.once import LogOnce

logger = logging.getLogger(__name__)


def enabled() -> bool:
    """Return True when a mail server is configured (LIVECAM_SMTP_HOST)."""
    return not settings.EMAIL_BACKEND.endswith("dummy.EmailBackend")


class EmailChannel:
    """Send notifications by e-mail, one at a time, never blocking the caller."""

    def __init__(self, max_queued: int = 100) -> None:
        self._queue: queue.Queue[tuple[Notification, str] | None] = queue.Queue(max_queued)
        self._log = LogOnce(logger)
        self._thread = threading.Thread(target=self._run, name="livecam-email", daemon=True)
        self._thread.start()

    def send(self, notification: Notification, address: str) -> None:
        """Queue one e-mail (returns at once)."""
        try:
            self._queue.put_nowait((notification, address))
        except queue.Full:
            NOTIFICATIONS_DROPPED.labels("email").inc()
            self._log.warning(("full",), "e-mail queue full; dropping notifications")

    def close(self, timeout: float) -> None:
        """Stop after the message in flight (queued ones are dropped)."""
        try:
            self._queue.put_nowait(None)
        except queue.Full:
            pass
        self._thread.join(timeout)

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            notification, address = item
            try:
                self._deliver(notification, address)
            except Exception as exc:  # SMTP errors, timeouts, refused addresses
                NOTIFICATIONS_FAILED.labels("email").inc()
                self._log.warning(
                    ("failed", type(exc).__name__),
                    "e-mail not sent (%s: %s); repeats are not logged",
                    type(exc).__name__,
                    exc,
                )
                continue
            NOTIFICATIONS_SENT.labels("email", notification.kind).inc()
            self._log.clear("failed")

    def _deliver(self, notification: Notification, address: str) -> None:
        message = EmailMessage(
            subject=f"[livecam] {notification.subject}",
            body=notification.body,
            to=[address],
            connection=get_connection(fail_silently=False),
        )
        if notification.snapshot:
            name = f"{notification.camera_id}-{notification.event_id or 'snapshot'}.jpg"
            message.attach(name, notification.snapshot, "image/jpeg")
        message.send()
