"""One Redis follower of per-width streams: subscribe to the watched ones only.

A web process subscribes to a stream's channel while it has viewers of it; on subscribing it
reads what Redis keeps of the stream (the newest JPEG variant, or the H.264 GOP so far) so a
viewer who joins sees a picture at once. The JPEG variant and H.264 followers differ only in
their channels, what they read on subscribing and how a message reaches the hub.
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from typing import Any

from livecam.bus.codec import MalformedMessageError
from livecam.bus.hub import Hub
from livecam.bus.redis_keys import RedisKeys

logger = logging.getLogger(__name__)

Stream = tuple[str, int]


class StreamFollower(ABC):
    """Which (camera, width) streams this process watches, and their messages into the hub."""

    #: What the backlog read on subscribing is called in the log ("latest variant", "GOP packet").
    backlog_name: str

    def __init__(self, keys: RedisKeys, hub: Hub, max_bytes: int) -> None:
        self.keys = keys
        self.hub = hub
        self.watched: set[Stream] = set()
        self.subscribed: set[Stream] = set()
        self._max_bytes = max_bytes

    def watch(self, camera_id: str, widths: frozenset[int]) -> None:
        """Set the widths of a camera watched here."""
        self.watched = {s for s in self.watched if s[0] != camera_id}
        self.watched.update((camera_id, width) for width in widths)

    def handles(self, channel: str, data: bytes) -> bool:
        """Deliver a message if ``channel`` is one of this follower's; return whether it was."""
        stream = self._stream_of_channel(channel)
        if stream is None:
            return False
        if stream in self.watched:
            self._deliver(stream, data)
        return True

    async def follow(self, client: Any, pubsub: Any) -> None:
        """Bring the subscriptions in line with the watched streams (backlog read for new ones)."""
        wanted = set(self.watched)
        added, removed = wanted - self.subscribed, self.subscribed - wanted
        if removed:
            await pubsub.unsubscribe(*(self._channel(s) for s in removed))
        if added:
            await pubsub.subscribe(*(self._channel(s) for s in added))
        self.subscribed = wanted
        for stream in added:
            for data in await self._backlog(client, stream):
                try:
                    self._deliver(stream, data)
                except MalformedMessageError as exc:
                    logger.warning("bus: malformed %s dropped: %s", self.backlog_name, exc)

    def reset(self) -> None:
        """Forget the subscriptions (a new connection has none)."""
        self.subscribed = set()

    @abstractmethod
    def _stream_of_channel(self, channel: str) -> Stream | None:
        """Return the stream ``channel`` carries, None if it is not one of this follower's."""

    @abstractmethod
    def _channel(self, stream: Stream) -> str:
        """Return the pub/sub channel of ``stream``."""

    @abstractmethod
    async def _backlog(self, client: Any, stream: Stream) -> list[bytes]:
        """Read what Redis keeps of ``stream``, oldest first, on subscribing."""

    @abstractmethod
    def _deliver(self, stream: Stream, data: bytes) -> None:
        """Decode ``data`` and hand it to the hub (MalformedMessageError if it is not valid)."""
