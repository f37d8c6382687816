"""Continuous recording: writer CPU per camera, bytes per hour, timeline query, clip export.

Runs the real code paths in one process on a throwaway SQLite database (tests.settings):

- **writer CPU**: the live H.264 fragments of a 640x480@30 camera (made once by the
  capture-side producer, as for live view) go through `ContinuousRecorder` (queue, writer
  thread, segment files, index rows, budget check). CPU = process time of the whole process
  while it records, per second of video: what recording adds on top of live view.
- **bytes per hour** at the default bitrate (pattern and a noisy moving picture).
- **timeline query**: 30 days of one-minute segments (43,200 rows, a gap now and then) and
  the full API answer for the 30 days (ranges, gaps, the newest 500 segments, events).
- **clip export**: a 10-minute clip remuxed from 10 one-minute segment files.

    python -m bench.recording [--seconds 60]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
os.environ.setdefault("LIVECAM_DATA_DIR", tempfile.mkdtemp(prefix="livecam-bench-rec-"))

import django

django.setup()

from collections.abc import Iterable, Iterator  # noqa: E402

import numpy as np  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402

from bench.h264_encode import noisy, pattern  # noqa: E402
from livecam.frames import Frame  # noqa: E402
from livecam.sources.base import CaptureOptions, SourceSpec  # noqa: E402
from livecam.sources.pattern import PatternSource  # noqa: E402
from livecam.video.packet import VideoPacket  # noqa: E402
from livecam.video.producer import VideoProducer  # noqa: E402

FPS = 30.0
SIZE = (640, 480)


def pattern_stream(count: int) -> Iterator[np.ndarray]:
    """Yield ``count`` pattern pictures one at a time (a minute of them would not fit memory)."""
    source = PatternSource(SourceSpec("pattern", ""), CaptureOptions(*SIZE, FPS))
    source.prepare()
    for _ in range(count):
        yield source.draw()


def packets_of(images: Iterable[np.ndarray], start_at: float) -> list[VideoPacket]:
    """Encode pictures once, as capture does for live view; return the full-size packets."""
    out: list[VideoPacket] = []
    producer = VideoProducer("bench", lambda _c: frozenset({0}), out.append, fps=FPS)
    for seq, image in enumerate(images, 1):
        frame = Frame("bench", seq, start_at + seq / FPS, b"", SIZE[0], SIZE[1])
        producer.on_frame(frame, image)
    producer.close()
    return out


def repeat(packets: list[VideoPacket], seconds: float, start_at: float) -> list[VideoPacket]:
    """Loop a few seconds of packets to ``seconds`` of video with fresh capture times."""
    out = []
    count = int(seconds * FPS)
    for index in range(count):
        p = packets[index % len(packets)]
        if index % len(packets) == 0 and index:  # a loop starts on the first keyframe again
            assert p.keyframe
        at = start_at + index / FPS
        out.append(
            VideoPacket(p.camera_id, 0, index, at, p.keyframe, p.decode_time, p.fragment,
                        p.sample_offset, p.init)
        )  # fmt: skip
    return out


def writer_cpu(packets: list[VideoPacket]) -> float:
    """Return the % of one core the recorder uses per second of video (whole process)."""
    from livecam.motion.config import MediaConfig
    from livecam.recording.continuous import ContinuousRecorder

    settings.LIVECAM["SEGMENT_SECONDS"] = 10.0
    settings.LIVECAM["MEDIA_MIN_FREE_GB"] = 0.0
    recorder = ContinuousRecorder("bench", lambda *_: None)
    recorder.enabled = True
    del MediaConfig
    video = len(packets) / FPS
    start = time.process_time()
    began = time.monotonic()
    for index, packet in enumerate(packets):
        # Paced as a camera delivers (the writer thread runs beside capture, not after it).
        due = began + index / FPS / 20  # 20x real time keeps the run short
        pause = due - time.monotonic()
        if pause > 0:
            time.sleep(pause)
        recorder.on_packet(packet)
    recorder.close(30)
    cpu = time.process_time() - start
    return cpu / video * 100


def timeline_query() -> tuple[float, float, int]:
    """Return (median ms, p95 ms, segments) of the 30-day timeline answer."""
    from livecam.models import Camera
    from livecam.recording.models import Segment
    from livecam.views.timeline import _timeline

    Camera.objects.get_or_create(id="month", defaults={"source": "pattern:"})
    end = 1_800_000_000.0
    start = end - 30 * 86400
    rows = []
    for index in range(30 * 1440):
        if index % 997 == 0:
            continue  # a gap now and then (a restart)
        at = start + index * 60.0
        rows.append(
            Segment(camera_id="month", start=at, end=at + 60.0, bytes=4_000_000, frames=1800,
                    path=f"segments/month/x/{index}.mp4", joins=(index - 1) % 997 != 0)
        )  # fmt: skip
    Segment.objects.bulk_create(rows, batch_size=2000)
    times = []
    for _ in range(21):
        before = time.perf_counter()
        data = _timeline("month", start, end, 500)
        times.append((time.perf_counter() - before) * 1000)
    times.sort()
    assert len(data["ranges"]) == 44
    assert len(data["segments"]) == 500
    return statistics.median(times), times[int(len(times) * 0.95) - 1], len(rows)


def clip_export(packets: list[VideoPacket]) -> tuple[float, int, float]:
    """Return (seconds, bytes, clip seconds) of a 10-minute clip from 10 one-minute files."""
    from livecam.models import Camera
    from livecam.motion import files
    from livecam.recording import clip
    from livecam.recording.models import Segment
    from livecam.recording.segments import SegmentFile

    Camera.objects.get_or_create(id="clip", defaults={"source": "pattern:"})
    start = packets[0].captured_at
    per = int(60 * FPS)
    for minute in range(10):
        name = f"segments/clip/bench/{minute}.mp4"
        path = files.resolve(name)
        assert path is not None
        chunk = packets[:per]
        out = SegmentFile(path, chunk[0].init)
        for packet in chunk:
            out.append(packet.fragment)
        size = out.finish()
        out.release()
        at = start + minute * 60
        Segment.objects.create(
            camera_id="clip", start=at, end=at + 60, bytes=size, frames=per, path=name
        )
    before = time.perf_counter()
    made = clip.export("clip", start, start + 600)
    took = time.perf_counter() - before
    assert made is not None
    return took, made.path.stat().st_size, made.end - made.start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=60.0, help="video recorded for CPU")
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    from livecam.models import Camera

    Camera.objects.get_or_create(id="bench", defaults={"source": "pattern:"})
    base = 1_800_000_000.0
    print("| picture | recorder CPU % of a core | MB per hour (default bitrate) |")
    print("|---|---:|---:|")
    looped = []
    for name, images in (
        ("pattern", pattern(*SIZE, FPS, 300)),
        ("noisy moving", noisy(*SIZE, 300)),
    ):
        made = packets_of(images, base)
        rate = sum(len(p.fragment) for p in made) / (len(made) / FPS)
        looped = repeat(made, args.seconds, base)
        print(f"| {name} 640x480@30 | {writer_cpu(looped):.2f} | {rate * 3600 / 1e6:.0f} |")
    median, p95, count = timeline_query()
    print(f"\ntimeline, 30 days ({count} segments): median {median:.1f} ms, p95 {p95:.1f} ms")
    minute = packets_of(pattern_stream(int(60 * FPS)), base)
    took, size, span = clip_export(minute)
    print(f"clip export, 10 min from 10 segments: {took:.2f} s, {size / 1e6:.0f} MB, {span:.0f} s")


if __name__ == "__main__":
    main()
