"""What a privacy mask costs a JPEG pass-through camera: CPU per frame, with and without.

Without a mask, capture only walks the camera's JPEG markers (``checked_jpeg``) and streams
it as is. With a mask it must decode, fill the rectangles and encode once. Both paths use the
capture worker's own functions on a test-pattern frame; the figure is CPU time per frame
(``time.process_time``), so a busy machine slows the run but hardly changes the result.

    python -m bench.mask_cost [--frames 200]
"""

from __future__ import annotations

import argparse
import statistics
import time

from livecam.cameras.masks import burn
from livecam.capture import processing
from livecam.sources.base import CaptureOptions, SourceSpec
from livecam.sources.jpeg import checked_jpeg
from livecam.sources.pattern import PatternSource

MASKS = ((60.0, 5.0, 30.0, 25.0), (0.0, 70.0, 20.0, 30.0))


def _jpeg(width: int, height: int) -> bytes:
    source = PatternSource(SourceSpec("pattern", ""), CaptureOptions(width, height, 1000))
    source.open()
    frame = source.read()
    source.close()
    assert frame.image is not None
    return processing.encode(frame.image, 80)


def _cpu_ms(work, frames: int) -> float:
    samples = []
    for _ in range(5):
        start = time.process_time()
        for _ in range(frames):
            work()
        samples.append((time.process_time() - start) * 1000 / frames)
    return statistics.median(samples)


def main() -> None:
    """Print the CPU cost per frame of pass-through and of masked re-encoding."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--frames", type=int, default=200)
    frames = parser.parse_args().frames
    print("| size | pass-through (ms CPU/frame) | masked: decode + mask + encode | extra |")
    print("|---|---|---|---|")
    for width, height in ((640, 480), (1280, 720)):
        jpeg = _jpeg(width, height)
        plain = _cpu_ms(lambda jpeg=jpeg: checked_jpeg(jpeg), frames)
        masked = _cpu_ms(
            lambda jpeg=jpeg: processing.encode(burn(processing.decode(jpeg), MASKS), 80), frames
        )
        print(f"| {width}x{height} | {plain:.3f} | {masked:.2f} | +{masked - plain:.2f} |")


if __name__ == "__main__":
    main()
