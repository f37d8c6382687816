"""The tutorial's CameraManager: a capture thread writing one global raw frame under a lock."""

from __future__ import annotations

import os
import threading
import time

from livecam.sources.base import CaptureOptions, SourceSpec
from livecam.sources.pattern import PatternSource

WIDTH = int(os.environ.get("SEED_WIDTH", "640"))
HEIGHT = int(os.environ.get("SEED_HEIGHT", "480"))


class CameraManager:
    """Capture in one background thread; ``output_frame`` is the newest raw frame."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.output_frame = None
        self.captured_at = 0.0
        self.running = False
        self.thread: threading.Thread | None = None

    def start(self) -> None:
        if self.running:
            return
        self.running = True
        self.thread = threading.Thread(target=self._capture, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.running = False
        if self.thread is not None:
            self.thread.join(0.1)  # as in the tutorial: a short join that races the loop
        with self.lock:
            self.output_frame = None

    def _capture(self) -> None:
        source = PatternSource(SourceSpec("pattern", ""), CaptureOptions(WIDTH, HEIGHT, 30))
        source.open()
        while self.running:
            frame = source.read()
            with self.lock:
                self.output_frame = frame.image
                self.captured_at = time.time()
        source.close()


camera = CameraManager()
