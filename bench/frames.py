"""The benchmark's frames: livecam's own test pattern, encoded like livecam encodes it."""

from __future__ import annotations

from livecam.capture import processing
from livecam.sources.base import CaptureOptions, SourceSpec
from livecam.sources.pattern import PatternSource


def pattern_jpegs(width: int, height: int, count: int = 30, quality: int = 80) -> list[bytes]:
    """Return `count` consecutive pattern frames as JPEGs (what a livecam camera sends)."""
    source = PatternSource(SourceSpec("pattern", ""), CaptureOptions(width, height, 10_000))
    source.open()
    try:
        return [processing.encode(source.read().image, quality) for _ in range(count)]  # type: ignore[arg-type]
    finally:
        source.close()
