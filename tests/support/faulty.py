"""A scripted camera for fault injection: a test switches its behaviour while it streams.

Registered in a test server's settings over the ``file`` kind::

    LIVECAM["SOURCES"] = {"file": "tests.support.faulty.ScriptedSource"}

so ``file:/tmp/…/door.ctl`` is a camera whose *control file* holds one word, read before each
open and frame, and whose ``.log`` file records every open and close (the device "held" and
"released"). Modes:

    ok          frames at the configured fps (20 when 0), passed through as JPEG
    fail-open   open raises SourceError
    raise       read raises SourceError
    none        read returns None (a broken source)
    bug         read raises RuntimeError (a bug in a source)
    crash       read raises SystemExit, which kills the capture thread
    corrupt     read returns a truncated JPEG
    block       read blocks, ignoring close(), until the mode changes (a driver-style hang)
    block-open  open blocks the same way
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import numpy as np
import simplejpeg

from livecam.sources.base import CaptureOptions, FrameSource, SourceError, SourceFrame, SourceSpec

_POLL = 0.02


def _jpegs(width: int, height: int) -> list[bytes]:
    frames = []
    for index in range(4):
        image = np.full((height, width, 3), 40 + index * 50, dtype=np.uint8)
        image[: height // 2, : (index + 1) * width // 5] = 230
        frames.append(simplejpeg.encode_jpeg(image, quality=80, colorspace="BGR"))
    return frames


class ScriptedSource(FrameSource):
    """A source that does what its control file says (see the module docstring)."""

    passes_jpeg = True

    def __init__(self, spec: SourceSpec, options: CaptureOptions) -> None:
        super().__init__(spec, options)
        self.control = Path(spec.target)
        self.log = self.control.with_suffix(".log")
        self.width = options.width or 160
        self.height = options.height or 120
        self._jpegs = _jpegs(self.width, self.height)
        self._closed = threading.Event()
        self._opened = False
        self._index = 0
        self._due = 0.0

    def mode(self) -> str:
        """Return the current word in the control file."""
        try:
            return self.control.read_text().strip() or "ok"
        except OSError:
            return "ok"

    def _record(self, event: str) -> None:
        with self.log.open("a") as log:
            log.write(f"{event} {time.time():.6f} {threading.get_ident()}\n")

    def _block_while(self, mode: str) -> None:
        while self.mode() == mode:
            time.sleep(_POLL)  # deliberately deaf to close(): this is the fault

    def open(self) -> None:
        """Open (or fail, or hang) as scripted."""
        self._closed.clear()
        mode = self.mode()
        self._record("open-try")
        if mode == "block-open":
            self._record("open-blocked")
            self._block_while(mode)
        if mode == "fail-open":
            raise SourceError("scripted: cannot open")
        self._opened = True
        self._due = time.monotonic()
        self._record("open")

    def read(self) -> SourceFrame:
        """Return the next frame, or fail as scripted."""
        if not self._opened or self._closed.is_set():
            raise SourceError("scripted: not open")
        fps = self.options.fps or 20.0
        self._due += 1.0 / fps
        if self._closed.wait(max(0.0, self._due - time.monotonic())):
            raise SourceError("scripted: closed")
        self._due = max(self._due, time.monotonic() - 1.0 / fps)
        mode = self.mode()
        if mode == "block":
            self._record("read-blocked")
            self._block_while(mode)
            mode = self.mode()
        if mode == "raise":
            raise SourceError("scripted: read failed")
        if mode == "none":
            return None  # type: ignore[return-value]
        if mode == "bug":
            raise RuntimeError("scripted bug")
        if mode == "crash":
            raise SystemExit("scripted crash")
        jpeg = self._jpegs[self._index % len(self._jpegs)]
        self._index += 1
        if mode == "corrupt":
            jpeg = jpeg[: len(jpeg) // 2]
        return SourceFrame(self.width, self.height, jpeg=jpeg)

    def close(self) -> None:
        """Release the "device" (recorded in the log once per open)."""
        self._closed.set()
        if self._opened:
            self._opened = False
            self._record("close")


class ScriptedCamera:
    """The test side of a scripted camera: its source string, its mode and its log."""

    def __init__(
        self, directory: Path, camera_id: str, mode: str = "ok", size: tuple[int, int] = (160, 120)
    ) -> None:
        self.camera_id = camera_id
        self.control = directory / f"{camera_id}.ctl"
        self.log = self.control.with_suffix(".log")
        self.size = size
        self._frames = set(_jpegs(*size))
        self.set(mode)

    def is_live(self, body: bytes) -> bool:
        """Return True if a streamed JPEG is one of this camera's frames (not a placeholder)."""
        return body in self._frames

    @property
    def source(self) -> str:
        """Return the source string of this camera (``file:`` + its control file)."""
        return f"file:{self.control}"

    def set(self, mode: str) -> None:
        """Switch the camera's behaviour (atomically: a reader never sees a half-written word)."""
        tmp = self.control.with_suffix(".tmp")
        tmp.write_text(mode)
        os.replace(tmp, self.control)

    def events(self, kind: str | None = None) -> list[tuple[str, float]]:
        """Return the recorded (event, time) pairs, optionally of one kind."""
        try:
            lines = self.log.read_text().splitlines()
        except FileNotFoundError:
            return []
        pairs = [(line.split()[0], float(line.split()[1])) for line in lines if line.strip()]
        return [pair for pair in pairs if kind is None or pair[0] == kind]

    def held(self) -> bool:
        """Return True while the source is open (more opens than closes recorded)."""
        return len(self.events("open")) > len(self.events("close"))

    def wait(self, kind: str, count: int = 1, timeout: float = 10.0) -> list[tuple[str, float]]:
        """Wait until `count` events of `kind` are recorded; return them.

        The log is written by another process; there is nothing to await but the file.
        """
        deadline = time.monotonic() + timeout
        while True:
            events = self.events(kind)
            if len(events) >= count:
                return events
            if time.monotonic() > deadline:
                raise AssertionError(f"{self.control.stem}: {count} x {kind!r} not seen: {events}")
            time.sleep(0.02)
