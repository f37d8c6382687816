"""livecam's settings: one ``LIVECAM`` dict in Django settings, with documented defaults."""

from __future__ import annotations

from typing import Any

from django.conf import settings

DEFAULTS: dict[str, Any] = {
    # Bus backend: "memory" (single process), "redis", or a dotted path to a FrameBus class.
    "BUS": "memory",
    "REDIS_URL": "",
    # Prefix of every Redis key and channel, so several installations can share one server.
    "REDIS_PREFIX": "livecam:",
    # Redis bus: seconds a capture lease lasts unless renewed (failover takes about this long),
    # seconds the newest frame of a camera is kept, the cap on backoff between reconnects,
    # the pub/sub heartbeat (a silent connection is rebuilt after 3 of them), and the largest
    # JPEG accepted from the bus.
    "LEASE_TTL": 3.0,
    "FRAME_TTL": 5.0,
    "BUS_RETRY_MAX": 2.0,
    "BUS_HEARTBEAT": 1.0,
    "MAX_FRAME_BYTES": 16 * 1024 * 1024,
    # Source kind alias -> dotted path; merged over livecam.sources.SOURCE_CLASSES.
    "SOURCES": {},
    # Directories file: sources may read from; None allows any readable file (admins only).
    "FILE_DIRS": None,
    # Seconds between capture re-reading the camera table (changes made by the CLI, admin).
    "RECONCILE_INTERVAL": 2.0,
    # Run capture inside the web server process (True for the memory bus).
    "EMBEDDED_CAPTURE": True,
    # Seconds between placeholder/keep-alive parts when no new frame arrives.
    "KEEPALIVE_INTERVAL": 1.0,
    # A frame older than this makes the camera count as not online (seconds).
    "STALE_AFTER": 3.0,
    # Caps on concurrent viewers (0 = unlimited).
    "MAX_VIEWERS": 0,
    "MAX_VIEWERS_PER_CAMERA": 0,
    # A viewer whose socket does not drain for this long is disconnected (seconds).
    "SEND_TIMEOUT": 15.0,
    # Backoff between source retries: first delay and cap (seconds).
    "RETRY_INITIAL": 1.0,
    "RETRY_MAX": 30.0,
    # A source read that takes longer than this is abandoned by the watchdog (seconds); a
    # camera with a configured fps gets at least three frame intervals.
    "READ_TIMEOUT": 10.0,
    # The same for opening a source (network cameras may take a while to connect).
    "OPEN_TIMEOUT": 20.0,
    # How long a snapshot waits for a fresh frame (seconds).
    "SNAPSHOT_TIMEOUT": 3.0,
    # Seconds between re-checks of an open stream's credentials and camera access; streams
    # whose token was revoked, user disabled or access removed close within about this long.
    "ACCESS_RECHECK": 10.0,
    # Concurrent streams one user (session), token or share link may hold (0 = unlimited).
    "MAX_STREAMS_PER_USER": 32,
    # Allowed ?width= variants are clamped to this range (pixels).
    "MIN_VARIANT_WIDTH": 64,
}


def get(name: str) -> Any:
    """Return the ``LIVECAM[name]`` setting, falling back to its default."""
    configured: dict[str, Any] = getattr(settings, "LIVECAM", {})
    if name in configured:
        return configured[name]
    return DEFAULTS[name]
