"""Cost of the per-frame picture steps: resize, rotate, the detector's grey copy, JPEG shrink.

Each case is timed many times and the fastest round is kept (the machine is shared: the
minimum is the cost, the rest is other load). It runs against whichever livecam is on the
path, so the same script measures two versions:

    python -m bench.resize_cost            # prints a Markdown table and a JSON summary
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable

import numpy as np

from livecam.capture import processing
from livecam.motion.detector import to_gray

ROUNDS, REPEAT = 15, 20


def _best(step: Callable[[], object]) -> float:
    step()
    best = float("inf")
    for _ in range(ROUNDS):
        started = time.perf_counter()
        for _ in range(REPEAT):
            step()
        best = min(best, (time.perf_counter() - started) / REPEAT)
    return best * 1000


def _decode_shrunk(jpeg: bytes, width: int, height: int) -> object:
    try:
        image = processing.decode(jpeg, width, height)  # type: ignore[call-arg]
    except TypeError:  # a version without scaled decoding
        image = processing.decode(jpeg)
    return processing.process(image, width, height, 0)


def main() -> None:
    rng = np.random.default_rng(1)
    # Blocks of random colour, so JPEG sizes are nearer a camera's than noise's.
    small = rng.integers(0, 255, (90, 160, 3), dtype=np.uint8)
    hd = np.ascontiguousarray(np.repeat(np.repeat(small, 8, axis=0), 8, axis=1))
    vga = np.ascontiguousarray(hd[:480, :640])
    jpeg = processing.encode(hd, 80)
    cases: dict[str, Callable[[], object]] = {
        "resize 1280x720 -> 640x360": lambda: processing.process(hd, 640, 360, 0),
        "resize 1280x720 -> 640x480 (no whole factor)": lambda: processing.process(hd, 640, 480, 0),
        "resize 640x480 -> 1280x960 (enlarge)": lambda: processing.process(vga, 1280, 960, 0),
        "rotate 1280x720 by 90": lambda: processing.process(hd, 0, 0, 90),
        "detector grey copy of 640x480": lambda: to_gray(vga),
        "JPEG 1280x720 -> decoded 640x360": lambda: _decode_shrunk(jpeg, 640, 360),
    }
    results = {name: round(_best(step), 3) for name, step in cases.items()}
    print("| step | ms |\n|---|---:|")
    for name, ms in results.items():
        print(f"| {name} | {ms:.2f} |")
    print(json.dumps(results))


if __name__ == "__main__":
    main()
