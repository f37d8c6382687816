"""Bytes per viewer and picture quality: H.264 (libx264 settings) vs MJPEG q80, same scene.

    python -m bench.h264_quality [--frames 300] [--width 640 --height 480] [--fps 30]

Feeds the natural moving scene (`bench.photo_scene`: a sample photograph panned and zoomed,
with sensor noise) and the pattern through livecam's own `H264Encoder` under each tuning, and
through the MJPEG encoder (simplejpeg, quality 80, as capture does). For every stream: bytes
per second a viewer receives, mean SSIM of the decoded pictures against the frames the camera
delivered (every 3rd frame, colour, scikit-image), and encoder CPU per frame (process time of
the BGR→YUV conversion + encode). The configurations run in turns, frame by frame, so a busy
machine slows them all alike.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import simplejpeg
from django.conf import settings

if not settings.configured:  # the encoder only: no database, no server
    settings.configure(LIVECAM={})

from bench.h264_encode import pattern
from bench.photo_scene import PhotoScene
from livecam.video.encoder import TUNING, H264Encoder, X264Tuning, default_bitrate

Image = Any
SSIM_EVERY = 3

TUNINGS: list[tuple[str, X264Tuning, float]] = [
    ("ultrafast ABR (before)", X264Tuning("ultrafast", 0, True), 1.0),
    ("ultrafast CRF 23", X264Tuning("ultrafast", 23, True), 1.0),
    ("superfast CRF 23", X264Tuning("superfast", 23, True), 1.0),
    ("superfast CRF 23, no aq", X264Tuning("superfast", 23, False), 1.0),
    ("superfast CRF 21", X264Tuning("superfast", 21, True), 1.0),
    ("superfast CRF 19, cap ×2", X264Tuning("superfast", 19, True), 2.0),
    ("veryfast CRF 23", X264Tuning("veryfast", 23, True), 1.0),
    ("veryfast CRF 20, cap ×1.5", X264Tuning("veryfast", 20, True), 1.5),
    ("default", TUNING, 1.0),
]


def ssim(a: Image, b: Image) -> float:
    from skimage.metrics import structural_similarity

    return float(structural_similarity(a, b, channel_axis=2, data_range=255))


class H264Run:
    """One encoder configuration fed frame by frame; decodes what it made for the SSIM."""

    def __init__(self, width: int, height: int, fps: float, tuning: X264Tuning, cap: float):
        import av

        self.encoder = H264Encoder(
            width, height, fps, round(default_bitrate(width, height) * cap), tuning=tuning
        )
        self.decoder: Any = av.CodecContext.create("h264", "r")
        self.bytes = 0
        self.cpu = 0.0
        self.scores: list[float] = []
        self.clean_scores: list[float] = []
        self.fps = fps

    def feed(self, index: int, image: Image, clean: Image) -> None:
        keyframe = index % round(self.fps) == 0  # one a second, as the producer forces
        before = time.process_time()
        units = self.encoder.encode(image, index * 3000, keyframe)
        self.cpu += time.process_time() - before
        for unit in units:
            data = b"".join(b"\x00\x00\x00\x01" + u for u in unit.units)
            self.bytes += len(data)
            import av

            for picture in self.decoder.decode(av.Packet(data)):
                if index % SSIM_EVERY == 0:
                    shown = picture.to_ndarray(format="bgr24")
                    self.scores.append(ssim(shown, image))
                    self.clean_scores.append(ssim(shown, clean))


class JpegRun:
    """MJPEG at quality 80, as capture encodes it."""

    def __init__(self) -> None:
        self.bytes = 0
        self.cpu = 0.0
        self.scores: list[float] = []
        self.clean_scores: list[float] = []

    def feed(self, index: int, image: Image, clean: Image) -> None:
        before = time.process_time()
        jpeg = simplejpeg.encode_jpeg(image, quality=80, colorspace="BGR")
        self.cpu += time.process_time() - before
        self.bytes += len(jpeg)
        if index % SSIM_EVERY == 0:
            shown = simplejpeg.decode_jpeg(jpeg, colorspace="BGR")
            self.scores.append(ssim(shown, image))
            self.clean_scores.append(ssim(shown, clean))


def measure(
    frames: Callable[[int], tuple[Image, Image]], count: int, width: int, height: int, fps: float
) -> list[dict[str, Any]]:
    """Run every configuration on the same frames, in turns; return one row each.

    ``frames(i)`` returns frame i as delivered and its noise-free original.
    """
    runs: list[tuple[str, Any]] = [("MJPEG q80", JpegRun())]
    runs += [(name, H264Run(width, height, fps, t, cap)) for name, t, cap in TUNINGS]
    for index in range(count):
        image, clean = frames(index)
        for _name, run in runs:
            run.feed(index, image, clean)
    seconds = count / fps
    jpeg_bytes = runs[0][1].bytes
    return [
        {
            "name": name,
            "kbit_s": run.bytes * 8 / seconds / 1000,
            "ratio": run.bytes / jpeg_bytes,
            "ssim": float(np.mean(run.scores)),
            "ssim_min": float(np.min(run.scores)),
            "ssim_clean": float(np.mean(run.clean_scores)),
            "ms_per_frame": run.cpu / count * 1000,
        }
        for name, run in runs
    ]


def table(title: str, rows: list[dict[str, Any]]) -> str:
    """Return the rows as a Markdown table."""
    lines = [
        f"**{title}**",
        "",
        "| stream | kbit/s per viewer | bytes vs MJPEG | mean SSIM vs delivered (min) "
        "| mean SSIM vs noise-free | encoder CPU ms/frame |",
        "|---|---:|---:|---|---:|---:|",
    ]
    for row in rows:
        lines.append(
            f"| {row['name']} | {row['kbit_s']:.0f} | {row['ratio']:.3f} "
            f"| {row['ssim']:.3f} ({row['ssim_min']:.3f}) | {row['ssim_clean']:.3f} "
            f"| {row['ms_per_frame']:.2f} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--frames", type=int, default=300)
    parser.add_argument("--width", type=int, default=640)
    parser.add_argument("--height", type=int, default=480)
    parser.add_argument("--fps", type=float, default=30.0)
    parser.add_argument("--photo", default="astronaut")
    args = parser.parse_args(argv)
    size = (args.width, args.height)
    scene = PhotoScene(*size, args.fps, args.photo)
    rows = measure(lambda i: (scene.frame(i), scene.clean(i)), args.frames, *size, args.fps)
    print(table(f"photo scene ({args.photo}) {args.width}x{args.height}@{args.fps:g}", rows))
    drawn = pattern(*size, args.fps, args.frames)
    rows = measure(lambda i: (drawn[i], drawn[i]), args.frames, *size, args.fps)
    print()
    print(table(f"pattern {args.width}x{args.height}@{args.fps:g}", rows))


if __name__ == "__main__":
    main()
