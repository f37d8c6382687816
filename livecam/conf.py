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
    # Redis bus: seconds a web process waits for the capture owner to answer a question (the
    # device list; a source probe gets this on top of its own limit), then answers 504.
    "ASK_TIMEOUT": 5.0,
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
    # Seconds a re-check that cannot reach the database keeps the last answer (a dropped
    # connection or a database restart must not end every stream); then streams end.
    # Snapshots of cameras a client was allowed within this time are served meanwhile.
    # Five minutes cover a database restart or failover; revocations need the database too.
    "ACCESS_GRACE": 300.0,
    # Concurrent streams one user (session), token or share link may hold (0 = unlimited).
    "MAX_STREAMS_PER_USER": 32,
    # Limits of the HTTP server itself (livecam.serving.protocol): the largest request head
    # (request line and headers, bytes; 431 beyond), seconds a request head may take to
    # arrive, connections per process (raised to MAX_VIEWERS + 256 when that is more) and per
    # client address (trusted proxies exempt); 0 turns a limit off.
    "MAX_HEADER_BYTES": 32 * 1024,
    "HEAD_TIMEOUT": 10.0,
    "MAX_CONNECTIONS": 4096,
    "MAX_CONNECTIONS_PER_ADDRESS": 128,
    # Largest request body in bytes per path prefix, over livecam.serving.body_limit's
    # defaults (16 KiB /login/, 64 KiB /api/, 256 KiB elsewhere); the longest prefix wins.
    "BODY_LIMITS": {},
    # The FFmpeg encoder that makes H.264 for stream.mp4 (e.g. "h264_v4l2m2m" on a Raspberry
    # Pi); livecam tunes "libx264" for latency, other encoders run with their defaults.
    "H264_ENCODER": "libx264",
    # Continuous recording: seconds per segment (cut at the next keyframe after this), the
    # disk budget of all cameras' segments (GB, 0: none), the free space kept on the media
    # file system (GB), segments kept per camera at most (0: no limit), longest clip.mp4.
    "SEGMENT_SECONDS": 60.0,
    "MEDIA_MAX_GB": 0.0,
    "MEDIA_MIN_FREE_GB": 1.0,
    "SEGMENT_MAX_COUNT": 0,
    "CLIP_MAX_SECONDS": 3600.0,
    # Allowed ?width= variants are clamped to this range (pixels).
    "MIN_VARIANT_WIDTH": 64,
    # MQTT bridge (Home Assistant): broker URL (empty: no bridge), topic prefix, discovery
    # prefix, CA file for mqtts://, seconds between reconnects at most.
    "MQTT_URL": "",
    "MQTT_PREFIX": "livecam",
    "MQTT_DISCOVERY_PREFIX": "homeassistant",
    "MQTT_CA_FILE": "",
    "MQTT_RETRY_MAX": 30.0,
    # Notifications: seconds a camera must stay offline before anyone is told (flapping),
    # and the site's address for links in e-mails (empty: http://LIVECAM_HOST:LIVECAM_PORT).
    "NOTIFY_OFFLINE_GRACE": 60.0,
    "PUBLIC_URL": "",
}


def get(name: str) -> Any:
    """Return the ``LIVECAM[name]`` setting, falling back to its default."""
    configured: dict[str, Any] = getattr(settings, "LIVECAM", {})
    if name in configured:
        return configured[name]
    return DEFAULTS[name]
