"""H.264 live view, capture side: encoder CPU per frame, stream bytes/s, GOP cache memory.

Runs the real path of one camera without a server: frames from the pattern source (encoded
from its BGR image, and from the YUV picture it makes itself), a noisy moving picture, the
photo scene, and the photo scene decoded from a B-frame H.264 file (encoded from its BGR image,
and from the decoder's own YUV picture); the capture-side producer (libx264 through PyAV,
muxed to fMP4 fragments) and the web side's GOP cache. CPU is process time of the encode +
mux per frame (including making the pattern's picture, which capture also does on demand).

    python -m bench.h264_encode [--frames 300] [--width 640 --height 480] [--fps 30]
"""

from __future__ import annotations

import argparse
import time
import tracemalloc
from pathlib import Path
from typing import Any

import numpy as np
from django.conf import settings

if not settings.configured:  # the capture path only: no database, no server
    settings.configure(LIVECAM={})

from livecam.frames import Frame
from livecam.sources.base import CaptureOptions, SourceSpec
from livecam.sources.pattern import PatternSource
from livecam.video.gop import GopCache
from livecam.video.packet import VideoPacket
from livecam.video.producer import VideoProducer


def noisy(width: int, height: int, count: int) -> list[np.ndarray]:
    """A moving textured picture with sensor-like noise (harder to compress than the pattern)."""
    rng = np.random.default_rng(7)
    base = rng.integers(0, 255, (height, width * 2, 3), dtype=np.uint8)
    base = np.asarray(base // 4 * 3 + 32, dtype=np.uint8)
    frames = []
    for index in range(count):
        view = base[:, index * 4 % width : index * 4 % width + width].astype(np.int16)
        view += rng.integers(-6, 7, view.shape, dtype=np.int16)
        frames.append(np.clip(view, 0, 255).astype(np.uint8))
    return frames


def photo_frames(width: int, height: int, fps: float, count: int) -> list[np.ndarray]:
    """Frames of the natural moving scene (`bench.photo_scene`; needs the bench extra)."""
    from bench.photo_scene import PhotoScene

    scene = PhotoScene(width, height, fps)
    return [scene.frame(index) for index in range(count)]


def pattern(width: int, height: int, fps: float, count: int) -> list[np.ndarray]:
    """Frames of the pattern source (drawn without its pacing)."""
    return pattern_frames(width, height, fps, count)[0]


def pattern_frames(width: int, height: int, fps: float, count: int) -> tuple[list[Any], list[Any]]:
    """Frames of the pattern source and what makes each one's YUV picture, as capture gets them."""
    source = PatternSource(SourceSpec("pattern", ""), CaptureOptions(width, height, fps))
    source.prepare()
    images, pictures = [], []
    for _ in range(count):
        image = source.draw()  # a new array per frame (the picture refers to it)
        images.append(image)
        pictures.append(source.picture(image))
        source.count += 1  # the box moves and the bars scroll, as in capture
    return images, pictures


def decoded_photo(count: int, fps: float) -> list[Any]:
    """Frames of the photo scene as livecam's reader decodes them from a B-frame H.264 file."""
    import tempfile

    from bench.h264_serve import write_photo_clip
    from livecam.sources.avreader import VideoReader

    with tempfile.TemporaryDirectory() as folder:
        clip = write_photo_clip(Path(folder) / "photo.mp4", count / fps, fps, bframes=True)
        reader = VideoReader(str(clip), file=True)
        frames = [frame for _ in range(count) if (frame := reader.read()) is not None]
        reader.close()
    return frames


def run(
    name: str, images: list[np.ndarray], fps: float, pictures: list[Any] | None = None
) -> dict[str, float]:
    """Run the producer over the images (or the decoder's ``pictures`` of them) and measure."""
    packets: list[VideoPacket] = []
    producer = VideoProducer(
        name.replace(" ", "-"), lambda _c: frozenset({0}), packets.append, fps=fps
    )
    start_at = 1_800_000_000.0
    cpu = 0.0
    for seq, image in enumerate(images, 1):
        frame = Frame("bench", seq, start_at + seq / fps, b"", image.shape[1], image.shape[0])
        before = time.process_time()
        producer.on_frame(frame, image, picture=pictures[seq - 1] if pictures else None)
        cpu += time.process_time() - before
    producer.close()
    seconds = len(images) / fps
    total = sum(len(p.fragment) for p in packets)
    tracemalloc.start()
    cache = GopCache()
    peak_bytes = peak_traced = 0
    for packet in packets:
        # A fresh copy, as a web process holds what it received from the bus.
        copy = VideoPacket(
            packet.camera_id, packet.width, packet.seq, packet.captured_at, packet.keyframe,
            packet.decode_time, bytes(bytearray(packet.fragment)), packet.sample_offset,
            packet.init,
        )  # fmt: skip
        cache.put(copy)
        peak_bytes = max(peak_bytes, cache.bytes)
        peak_traced = max(peak_traced, tracemalloc.get_traced_memory()[0])
    tracemalloc.stop()
    return {
        "name": name,
        "ms_per_frame": cpu / len(images) * 1000,
        "kbit_s": total * 8 / seconds / 1000,
        "gop_kb": peak_bytes / 1024,
        "gop_traced_kb": peak_traced / 1024,
        "keyframe_kb": max(len(p.fragment) for p in packets if p.keyframe) / 1024,
        "encodes_per_frame": len(packets) / len(images),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--frames", type=int, default=300)
    parser.add_argument("--width", type=int, default=640)
    parser.add_argument("--height", type=int, default=480)
    parser.add_argument("--fps", type=float, default=30.0)
    args = parser.parse_args()
    size = (args.width, args.height)
    drawn, made = pattern_frames(*size, args.fps, args.frames)
    rows = []
    for _ in range(2):  # in turns: a busy machine slows both alike
        rows.append(run("pattern, from BGR", drawn, args.fps))
        rows.append(run("pattern, from its YUV", drawn, args.fps, made))
    rows += [
        run("noisy moving", noisy(*size, args.frames), args.fps),
        run("photo scene", photo_frames(*size, args.fps, args.frames), args.fps),
    ]
    if size == (640, 480):  # the clip is written at that size
        decoded = decoded_photo(args.frames, args.fps)
        images = [frame.image for frame in decoded]
        pictures = [frame.picture for frame in decoded]
        for _ in range(2):  # in turns: a busy machine slows both alike
            rows.append(run("photo file, decoded, from BGR", images, args.fps))
            rows.append(run("photo file, decoded, from its YUV", images, args.fps, pictures))
    print(
        "| picture | encode+mux CPU ms/frame | stream kbit/s | GOP cache KiB (fragments / traced) "
        "| keyframe KiB | fragments per frame |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    for row in rows:
        print(
            f"| {row['name']} {args.width}x{args.height}@{args.fps:g} | {row['ms_per_frame']:.2f} "
            f"| {row['kbit_s']:.0f} | {row['gop_kb']:.0f} / {row['gop_traced_kb']:.0f} "
            f"| {row['keyframe_kb']:.1f} | {row['encodes_per_frame']:.3f} |"
        )


if __name__ == "__main__":
    main()
