"""The test pattern source and the deadline pacing it shares with files."""

from __future__ import annotations

import itertools
import threading
import time

import pytest

from livecam.sources.base import CaptureOptions, SourceError, SourceSpec
from livecam.sources.pacing import Pacer
from livecam.sources.pattern import PatternSource
from tests.support.sources import close_during_read, source_for


def pattern(width: int = 320, height: int = 240, fps: float = 30) -> PatternSource:
    return PatternSource(SourceSpec("pattern", ""), CaptureOptions(width, height, fps))


def test_frames_have_the_asked_size():
    with pattern(320, 240) as source:
        frame = source.read()
    assert (frame.width, frame.height) == (320, 240)
    assert frame.image is not None and frame.image.shape == (240, 320, 3)
    assert frame.image.dtype.name == "uint8" and frame.jpeg is None
    assert not PatternSource.passes_jpeg


def test_zero_means_the_default_size_and_rate():
    source = source_for("pattern:", width=0, height=0, fps=0)
    assert isinstance(source, PatternSource)
    assert (source.width, source.height, source.fps) == (640, 480, 30)
    with source:
        image = source.read().image
    assert image is not None and image.shape == (480, 640, 3)


def test_frames_come_at_the_asked_rate_and_all_differ():
    with pattern(fps=30) as source:
        source.read()
        started = time.monotonic()
        frames = [source.read() for _ in range(15)]
        rate = 15 / (time.monotonic() - started)
    assert 20 < rate < 40, f"{rate:.1f} fps"
    for a, b in itertools.pairwise(frames):
        assert a.image is not None and b.image is not None
        assert (a.image != b.image).sum() > 1000, "consecutive frames differ visibly"


def test_frames_are_independent_arrays():
    with pattern(fps=1000) as source:
        first = source.read().image
        assert first is not None
        kept = first.copy()
        source.read()
    assert (first == kept).all(), "a later frame must not draw over an earlier one"


def test_a_frame_is_cheap_to_make():
    with pattern(640, 480, fps=100_000) as source:
        source.read()
        started = time.perf_counter()
        for _ in range(100):
            source.read()
        cost = (time.perf_counter() - started) / 100
    assert cost < 0.010, f"{cost * 1000:.2f} ms per 640x480 frame"


def test_close_from_another_thread_ends_a_waiting_read_at_once():
    source = pattern(64, 48, fps=0.5)  # the second frame is due 2 s after the first
    source.open()
    source.read()
    _message, seconds = close_during_read(source, join=2)
    assert seconds < 0.5


def test_reading_a_closed_or_unopened_pattern_is_an_error():
    source = pattern()
    with pytest.raises(SourceError, match="not open"):
        source.read()
    source.open()
    source.close()
    source.close()  # idempotent
    with pytest.raises(SourceError, match="closed"):
        source.read()
    source.open()  # a source may be opened again
    assert source.read().image is not None
    source.close()


def test_the_pacer_does_not_drift():
    pacer, stop = Pacer(100), threading.Event()
    started = time.monotonic()
    for _ in range(31):
        assert pacer.wait(stop)
    # 30 periods after the first frame, not 30 periods plus 31 wake-up latencies.
    assert 0.29 < time.monotonic() - started < 0.36


def test_the_pacer_skips_ahead_after_a_stall_instead_of_bursting():
    pacer, stop = Pacer(50), threading.Event()
    pacer.wait(stop)
    time.sleep(0.2)  # a slow consumer: ten periods late (simulated, not synchronisation)
    started = time.monotonic()
    for _ in range(4):
        pacer.wait(stop)
    assert time.monotonic() - started > 0.05, "the missed frames were not delivered in a burst"


def test_the_pacer_returns_false_when_stopped():
    pacer, stop = Pacer(0.1), threading.Event()
    assert pacer.wait(stop)
    stop.set()
    started = time.monotonic()
    assert not pacer.wait(stop)
    assert time.monotonic() - started < 0.1
