"""Motion/manual recording cost per frame: the old JPEG path vs writing capture's H.264.

Old: decode each JPEG and encode it with libx264 (`livecam.recording.writer.Mp4Writer`,
preset veryfast, one thread). New: re-time capture's fragment and append it
(`livecam.recording.recorder`). CPU is process time per frame, 640x480, a noisy picture
with a moving block (the encoder's hard case); the capture-side encode the new path relies
on is measured by `bench.h264_encode`.

    python -m bench.recorder_cost [--frames 300]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")

import numpy as np
import simplejpeg

from livecam.recording.recorder import _Rebased
from livecam.recording.segments import SegmentFile
from livecam.recording.writer import Mp4Writer
from livecam.video import clock
from livecam.video.encoder import H264Encoder
from livecam.video.mux import FragmentMuxer
from livecam.video.packet import VideoPacket

WIDTH, HEIGHT, FPS = 640, 480, 30


def _pictures(count: int) -> list[np.ndarray]:
    base = np.random.default_rng(1).integers(0, 255, (HEIGHT, WIDTH, 3), dtype=np.uint8)
    pictures = []
    for index in range(count):
        picture = base.copy()
        left = (index * 5) % (WIDTH - 100)
        picture[100:200, left : left + 100] = 255
        pictures.append(picture)
    return pictures


def _packets(pictures: list[np.ndarray]) -> list[VideoPacket]:
    encoder = H264Encoder(WIDTH, HEIGHT, FPS, 0, "libx264")
    muxer = FragmentMuxer("bench", 0, FPS)
    packets = []
    for index, picture in enumerate(pictures):
        at = 1000 + index / FPS
        decode_time = clock.clock_for("bench", 0).next(at)
        for unit in encoder.encode(picture, decode_time, index % FPS == 0):
            packet = muxer.mux(unit, index, at, decode_time, (WIDTH, HEIGHT))
            if packet is not None:
                packets.append(packet)
    return packets


def main() -> None:
    """Print ms of CPU per recorded frame for both paths."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--frames", type=int, default=300)
    count = parser.parse_args().frames
    pictures = _pictures(count)
    jpegs = [simplejpeg.encode_jpeg(p, quality=80, colorspace="BGR") for p in pictures]
    folder = Path(tempfile.mkdtemp(prefix="livecam-bench-recorder-"))

    started = time.process_time()
    writer = Mp4Writer(folder / "old.mp4", WIDTH, HEIGHT, FPS)
    for index, jpeg in enumerate(jpegs):
        writer.write_jpeg(jpeg, 1000 + index / FPS)
    writer.close()
    writer.release()
    old = (time.process_time() - started) / count * 1000

    packets = _packets(pictures)
    started = time.process_time()
    file = SegmentFile(folder / "new.mp4", packets[0].init)
    rebased = _Rebased(packets[0])
    for packet in packets:
        fragment = rebased.fragment(packet)
        if fragment is not None:
            file.append(fragment)
    file.finish()
    file.release()
    new = (time.process_time() - started) / len(packets) * 1000
    print(f"old: JPEG decode + libx264 veryfast: {old:.2f} ms CPU per frame")
    print(f"new: re-time + write capture's fragment: {new:.3f} ms CPU per frame")
    print(f"bytes per frame: {file.bytes / len(packets):.0f}")


if __name__ == "__main__":
    main()
