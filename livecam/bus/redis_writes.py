"""What one publishing round writes to Redis: the commands, added to the caller's pipeline."""

from __future__ import annotations

from typing import Any

from livecam.bus import codec
from livecam.bus.redis_keys import RedisKeys
from livecam.frames import CameraStatus

Stream = tuple[str, int]
"""(camera id, width) of a JPEG variant or an H.264 stream."""
Video = tuple[Stream, bool, bytes]
"""(stream, keyframe, encoded packet)."""


def write_round(
    pipe: Any,
    keys: RedisKeys,
    ttl_ms: int,
    frames: dict[str, bytes],
    statuses: dict[str, CameraStatus],
    controls: list[bytes],
) -> None:
    """Statuses (kept and announced), control messages and events, then the newest frames."""
    for camera_id, status in statuses.items():
        blob = codec.encode_status(status)
        pipe.hset(keys.statuses, camera_id, blob)
        pipe.publish(keys.status_channel, blob)
    for blob in controls:
        if blob[:1] == b"E":  # a camera event queued by submit_event
            pipe.publish(keys.event_channel, blob[1:])
        else:
            pipe.publish(keys.control_channel, blob)
    for camera_id, blob in frames.items():
        pipe.set(keys.latest(camera_id), blob, px=ttl_ms)
        pipe.publish(keys.frame_channel(camera_id), blob)


def write_variants(pipe: Any, keys: RedisKeys, ttl_ms: int, variants: dict[Stream, bytes]) -> None:
    """Publish the newest frame of each JPEG variant and keep it for late subscribers."""
    for (camera_id, width), blob in variants.items():
        pipe.set(keys.latest_variant(camera_id, width), blob, px=ttl_ms)
        pipe.publish(keys.variant_channel(camera_id, width), blob)


def write_videos(pipe: Any, keys: RedisKeys, ttl_ms: int, videos: list[Video]) -> None:
    """Publish packets in order, and keep each stream's GOP so far for late receivers."""
    for (camera_id, width), keyframe, blob in videos:
        gop = keys.gop(camera_id, width)
        if keyframe:
            pipe.delete(gop)
        # Listed before it is published: a receiver that subscribed, then read the list, has
        # every packet up to the first one it hears.
        pipe.rpush(gop, blob)
        pipe.pexpire(gop, ttl_ms)
        pipe.publish(keys.video_channel(camera_id, width), blob)
