"""The frame-rate cap keeps every frame of a source at the cap's rate, stalls included."""

from __future__ import annotations

from livecam.capture.ratecap import RateCap


def arrivals_with_a_stall(fps: float, count: int, stall_at: int, stall: float) -> list[float]:
    """Arrival times of a live source at exactly ``fps`` whose delivery stalls once.

    The frames due during the stall arrive together when it ends (what a network hiccup or a
    starved capture thread does), then the source is on its own schedule again.
    """
    period = 1.0 / fps
    times = []
    for index in range(count):
        due = 100.0 + index * period
        end = 100.0 + stall_at * period + stall
        times.append(end if stall_at <= index and due < end else due)
    return times


def kept(cap: RateCap, times: list[float]) -> int:
    return sum(cap.admit(t) for t in times)


def test_a_source_at_the_cap_loses_no_frame_after_a_stall():
    # 0.3 s stall at 15 fps: four frames arrive at once (the old cap dropped two of them,
    # which broke the passed-through H.264 stream: "pictures are dropped").
    times = arrivals_with_a_stall(15, 90, stall_at=30, stall=0.3)
    assert kept(RateCap(15, 100.0), times) == 90


def test_a_source_faster_than_the_cap_is_capped():
    times = [100.0 + i / 30 for i in range(300)]  # 10 s at 30 fps, cap 15
    count = kept(RateCap(15, 100.0), times)
    assert 150 <= count <= 150 + 15  # the cap's rate, plus at most its catch-up allowance


def test_a_burst_longer_than_the_catch_up_allowance_is_capped():
    times = [100.0 + i * 0.001 for i in range(100)]  # 100 frames within 0.1 s
    count = kept(RateCap(10, 100.0), times)
    assert count <= 1 + 10 * 1.1 + 1  # one second of frames at most


def test_no_cap_keeps_everything():
    assert kept(RateCap(0, 100.0), [100.0] * 50) == 50
