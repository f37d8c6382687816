"""Decode any video PyAV (FFmpeg) reads, a file or a network stream, into source frames."""

from __future__ import annotations

import logging
from typing import IO, Any

from livecam.sources.avbase import ContainerReader
from livecam.sources.base import SourceFrame, decoded

logger = logging.getLogger(__name__)


def errors() -> tuple[type[Exception], ...]:
    """Return the exceptions opening or reading with PyAV may raise for bad input."""
    import av

    return (av.FFmpegError, OSError, UnicodeDecodeError, ValueError)


class VideoReader(ContainerReader):
    """Demux and decode the first video stream; ``read`` returns a frame, None at the end.

    A file is handed over as an open Python file, so FFmpeg only reads its bytes: a name
    can never be taken as an image-sequence pattern or a protocol. ``timeout`` (open, read
    seconds) is for network streams. Raises ValueError when there is no video stream.
    """

    def __init__(
        self, target: str, timeout: tuple[float, float] | None = None, *, file: bool = False
    ) -> None:
        import av

        super().__init__()
        self._file: IO[bytes] | None = open(target, "rb") if file else None  # noqa: SIM115
        try:
            container: Any = av.open(self._file or target, timeout=timeout)
        except BaseException:
            self._close_file()
            raise
        self._container = container
        videos = self._container.streams.video
        if not videos:
            self._container.close()
            self._close_file()
            raise ValueError("no video stream")
        self._stream = videos[0]
        self._stream.thread_type = "AUTO"  # frame threads: files decode as fast as they can
        self._frames = self._container.decode(self._stream)

    def read(self) -> SourceFrame | None:
        """Return the next decoded picture; None at the end (or once closed)."""
        return self._read_guarded(self._next_frame)

    def _next_frame(self) -> SourceFrame | None:
        picture = next(self._frames, None)
        return None if picture is None else decoded(picture)

    def _after_close(self) -> None:
        self._close_file()

    def _close_file(self) -> None:
        if self._file is not None:
            self._file.close()
