"""Tile parts: a frame's part with an ``X-Camera`` header, built once and shared by streams."""

from __future__ import annotations

from livecam.frames import Frame

Key = tuple[str, int]
"""A tile part's camera id and variant width (0: the camera's own size)."""


def tile_part(camera_id: str, part: bytes) -> bytes:
    """Return a stream part with an ``X-Camera`` header naming its camera in front."""
    return b"X-Camera: %s\r\n%s" % (camera_id.encode("ascii"), part)


class TileParts:
    """Tile parts of the newest frame or placeholder per camera and width, shared by streams.

    Every tile stream of the same camera and width sends the very same bytes: the part is
    built on the first stream's demand and reused by the others. One entry per (camera,
    width) that some tile stream watches, holding the frame it was built from, so memory stays
    bounded. All methods run on the event loop thread.
    """

    def __init__(self) -> None:
        self._parts: dict[Key, tuple[Frame | bytes, bytes]] = {}
        self._users: dict[Key, int] = {}
        self.built = 0
        """Parts built so far (tests check that streams share them)."""

    def get(self, key: Key, source: Frame | bytes) -> bytes:
        """Return the tile part of a frame (or of a placeholder part), building it once."""
        cached = self._parts.get(key)
        if cached is not None and cached[0] is source:
            return cached[1]
        part = tile_part(key[0], source.part if isinstance(source, Frame) else source)
        if key in self._users:  # never cache for a key nobody holds (it would never be freed)
            self._parts[key] = (source, part)
        self.built += 1
        return part

    def hold(self, key: Key) -> None:
        """Count a stream in that will ask for this key's parts."""
        self._users[key] = self._users.get(key, 0) + 1

    def release(self, key: Key) -> None:
        """Count a stream out; forget the key's part with the last one."""
        left = self._users.get(key, 0) - 1
        if left > 0:
            self._users[key] = left
        else:
            self._users.pop(key, None)
            self._parts.pop(key, None)


PARTS = TileParts()
"""This process's shared tile parts."""
