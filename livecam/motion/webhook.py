"""Webhooks: POST a motion event's JSON to a camera's URL from a background thread.

Capture and analysis only enqueue; this thread sends with a timeout and a few retries with
backoff, so a slow or dead receiver costs nothing but this thread's time. The queue is
bounded: when a receiver is down for long, the oldest unsent notifications are dropped.
"""

from __future__ import annotations

import json
import logging
import queue
import threading
import urllib.error
import urllib.request
from typing import Any

from livecam import __version__
from livecam.notify.metrics import NOTIFICATIONS_DROPPED, NOTIFICATIONS_FAILED, NOTIFICATIONS_SENT
from livecam.once import LogOnce

logger = logging.getLogger(__name__)


class WebhookSender:
    """Deliver JSON payloads to URLs, in order, one at a time, never blocking the caller."""

    def __init__(
        self, timeout: float = 5.0, retries: int = 3, backoff: float = 1.0, max_queued: int = 100
    ) -> None:
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.sent = 0
        self.failed = 0
        self.dropped = 0
        self._queue: queue.Queue[tuple[str, dict[str, Any]] | None] = queue.Queue(max_queued)
        self._stop = threading.Event()
        self._log = LogOnce(logger)
        self._thread = threading.Thread(target=self._run, name="livecam-webhooks", daemon=True)
        self._thread.start()

    def send(self, url: str, payload: dict[str, Any]) -> None:
        """Queue a POST of ``payload`` to ``url`` (returns at once)."""
        try:
            self._queue.put_nowait((url, payload))
        except queue.Full:
            self.dropped += 1
            NOTIFICATIONS_DROPPED.labels("webhook").inc()
            self._log.warning(("full",), "webhook queue full; dropping notifications")

    def close(self, timeout: float) -> None:
        """Stop after the notification in flight (queued ones are dropped)."""
        self._stop.set()
        try:
            self._queue.put_nowait(None)
        except queue.Full:
            pass
        self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            item = self._queue.get()
            if item is None:
                return
            url, payload = item
            if self._deliver(url, payload):
                self.sent += 1
                NOTIFICATIONS_SENT.labels("webhook", str(payload.get("event", ""))).inc()
                self._log.clear("failed")
            else:
                self.failed += 1
                NOTIFICATIONS_FAILED.labels("webhook").inc()

    def _deliver(self, url: str, payload: dict[str, Any]) -> bool:
        body = json.dumps(payload, separators=(",", ":")).encode()
        delay = self.backoff
        for attempt in range(1, self.retries + 2):
            request = urllib.request.Request(  # noqa: S310 - admins set http(s) URLs only
                url,
                data=body,
                method="POST",
                headers={
                    "Content-Type": "application/json",
                    "User-Agent": f"livecam/{__version__}",
                },
            )
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                    if 200 <= response.status < 300:
                        return True
                    reason = f"HTTP {response.status}"
            except urllib.error.HTTPError as exc:
                reason = f"HTTP {exc.code}"
                if 400 <= exc.code < 500 and exc.code not in (408, 429):
                    break  # the receiver refuses this payload: retrying will not help
            except (OSError, ValueError) as exc:
                reason = type(exc).__name__
            # A dead receiver fails every attempt of every event: say so once, until one works.
            self._log.warning(
                ("failed", reason),
                "webhook attempt %d failed: %s (repeats not logged)",
                attempt,
                reason,
            )
            if attempt <= self.retries and self._stop.wait(delay):
                return False
            delay *= 2
        return False
