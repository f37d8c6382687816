"""Prometheus metrics of notifications (e-mail, webhooks), in the process that sends them."""

from __future__ import annotations

from prometheus_client import Counter

NOTIFICATIONS_SENT = Counter(
    "livecam_notifications_sent", "Notifications delivered.", ["channel", "kind"]
)
NOTIFICATIONS_FAILED = Counter(
    "livecam_notifications_failed",
    "Notifications not delivered (timeout, refused, error).",
    ["channel"],
)
NOTIFICATIONS_DROPPED = Counter(
    "livecam_notifications_dropped", "Notifications dropped because a queue was full.", ["channel"]
)
NOTIFICATIONS_SUPPRESSED = Counter(
    "livecam_notifications_suppressed",
    "Notifications held back by a user's rate limit or quiet hours.",
    ["reason"],
)
