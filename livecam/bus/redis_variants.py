"""JPEG variants from Redis in a web process: subscribe to the watched widths only.

Capture encodes each watched width once and publishes it on the variant's channel; a web
process subscribes while it has viewers of that width, and on subscribing reads the newest
variant frame Redis keeps, so a viewer who joins a width already watched elsewhere sees a
picture at once.
"""

from __future__ import annotations

from typing import Any

from livecam.bus import codec
from livecam.bus.codec import MalformedMessageError
from livecam.bus.redis_follower import Stream, StreamFollower

Variant = Stream


class VariantFollower(StreamFollower):
    """Which JPEG variants this process watches, and their frames into the hub."""

    backlog_name = "latest variant"

    def _stream_of_channel(self, channel: str) -> Variant | None:
        return self.keys.stream_of_variant_channel(channel)

    def _channel(self, stream: Variant) -> str:
        return self.keys.variant_channel(*stream)

    async def _backlog(self, client: Any, stream: Variant) -> list[bytes]:
        data = await client.get(self.keys.latest_variant(*stream))
        return [] if data is None else [data]

    def _deliver(self, stream: Variant, data: bytes) -> None:
        frame = codec.decode_frame(data, self._max_bytes)
        camera_id, width = stream
        if frame.camera_id != camera_id or frame.width > width:
            raise MalformedMessageError("variant frame of another stream on this channel")
        self.hub.deliver_variant(frame, width)
