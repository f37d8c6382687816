"""H.264 packets from Redis in a web process: subscribe to the watched streams only.

A stream's channel is subscribed when its first local viewer arrives; its GOP so far is then
read from Redis (capture lists every packet before publishing it), so the first picture is
there at once instead of after the next keyframe.
"""

from __future__ import annotations

from typing import Any

from livecam.bus import video_codec
from livecam.bus.codec import MalformedMessageError
from livecam.bus.redis_follower import Stream, StreamFollower


class VideoFollower(StreamFollower):
    """Which H.264 streams this process watches, and their packets into the hub."""

    backlog_name = "GOP packet"

    def _stream_of_channel(self, channel: str) -> Stream | None:
        return self.keys.stream_of_video_channel(channel)

    def _channel(self, stream: Stream) -> str:
        return self.keys.video_channel(*stream)

    async def _backlog(self, client: Any, stream: Stream) -> list[bytes]:
        return list(await client.lrange(self.keys.gop(*stream), 0, -1))

    def _deliver(self, stream: Stream, data: bytes) -> None:
        packet = video_codec.decode_video(data, self._max_bytes)
        if (packet.camera_id, packet.width) != stream:
            raise MalformedMessageError("video packet of another stream on this channel")
        self.hub.deliver_video(packet)
