"""Read H.264 video with PyAV (a file, or a network stream): each picture with its own packet.

The file and network sources use this for H.264, so stream.mp4 can pass the camera's own
pictures through without an encode while MJPEG and motion get the decoded image as before.
"""

from __future__ import annotations

import collections
import logging
from typing import Any

from livecam.sources.avbase import ContainerReader
from livecam.sources.base import H264Sample, SourceFrame, decoded
from livecam.video import h264

logger = logging.getLogger(__name__)

_START = (b"\x00\x00\x00\x01", b"\x00\x00\x01")


def is_h264(path: str) -> bool:
    """Return True when the file's first video stream is H.264 (False if unreadable)."""
    import av

    try:
        with av.open(path) as container:
            streams = container.streams.video
            return bool(streams) and streams[0].codec_context.name == "h264"
    except (av.FFmpegError, OSError, UnicodeDecodeError):
        return False


def packet_units(data: bytes, length_size: int) -> list[bytes]:
    """Return the NAL units of a packet, Annex B or length-prefixed."""
    if data.startswith(_START):
        return h264.split_annexb(data)
    units, offset = [], 0
    while offset + length_size <= len(data):
        length = int.from_bytes(data[offset : offset + length_size], "big")
        offset += length_size
        units.append(data[offset : offset + length])
        offset += length
    return units


class H264FileReader(ContainerReader):
    """Demux and decode H.264; ``read`` returns a frame with its sample, None at the end.

    ``timeout`` (open, read seconds) is for network streams. Raises ValueError when the
    first video stream is not H.264 (the caller reads it another way).
    """

    def __init__(self, path: str, timeout: tuple[float, float] | None = None) -> None:
        import av

        super().__init__()
        self._av = av
        self._container: Any = av.open(path, timeout=timeout)
        videos = self._container.streams.video
        if not videos or videos[0].codec_context.name != "h264":
            self._container.close()
            raise ValueError("not H.264")
        self._stream = videos[0]
        # Slice threads only: frame threads would delay each picture by a few packets, and a
        # picture must come out with its own packet to pass through.
        self._stream.codec_context.thread_type = "SLICE"
        ctx = self._stream.codec_context
        extradata = bytes(ctx.extradata or b"")
        self._params = h264.avcc_units(extradata)
        self._length_size = (extradata[4] & 3) + 1 if self._params else 4
        self._profile = str(ctx.profile or "")
        self._pix_fmt = str(ctx.pix_fmt or "")
        self._packets = self._container.demux(self._stream)
        self._index = 0
        self._waiting: collections.deque[Any] = collections.deque()

    def read(self) -> SourceFrame | None:
        """Return the next picture and its packet; None at the end of the file."""
        return self._read_guarded(self._read_locked)

    def _read_locked(self) -> SourceFrame | None:
        for packet in self._packets:
            if packet.size == 0:
                continue
            frames = packet.decode()
            self._waiting.extend(frames)
            if not self._waiting:
                continue  # a decoder with delay (B-frames): this packet shows later
            units = packet_units(bytes(packet), self._length_size)
            if packet.is_keyframe:
                units = [*self._params, *units]
            self._index += 1
            ctx = self._stream.codec_context
            sample = H264Sample(
                units,
                bool(packet.is_keyframe),
                self._index,
                self._profile,
                self._pix_fmt,
                bool(ctx.has_b_frames) or len(frames) != 1 or frames[0].pts != packet.pts,
                bool(getattr(self._waiting[0], "interlaced_frame", False)),
            )
            return decoded(self._waiting.popleft(), sample)
        return None
