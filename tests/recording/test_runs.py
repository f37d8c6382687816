"""Recorded ranges: the timeline merges contiguous segments, and retention keeps that true."""

from __future__ import annotations

import pytest

from livecam.models import Camera
from livecam.recording import budget, runs, timeline
from livecam.recording.models import Segment

pytestmark = pytest.mark.django_db

T0 = 1_800_000_000.0


def _segments(camera: Camera, spans: list[tuple[float, float]]) -> list[Segment]:
    """Index segments the way the writer does (``joins`` from the previous segment)."""
    made = []
    for start, end in spans:
        joins = runs.joins_previous(camera.id, T0 + start)
        made.append(
            Segment.objects.create(
                camera=camera, start=T0 + start, end=T0 + end, bytes=100, path=f"x/{start}.mp4",
                joins=joins,
            )
        )  # fmt: skip
    return made


def _ranges(camera: Camera, start: float = -100, end: float = 1000) -> list[tuple[float, float]]:
    return [(a - T0, b - T0) for a, b in timeline.ranges(camera.id, T0 + start, T0 + end)]


def test_contiguous_segments_merge_and_gaps_split():
    camera = Camera.objects.create(id="runs", source="pattern:")
    _segments(camera, [(0, 60), (60, 120), (120.8, 180), (200, 260), (260, 320), (400, 460)])
    assert _ranges(camera) == [(0, 180), (200, 320), (400, 460)]
    # A query starting inside a range gets that range clipped, not dropped.
    assert _ranges(camera, 100, 210) == [(100, 180), (200, 210)]
    assert _ranges(camera, 330, 390) == []
    gaps = timeline.gaps([(T0 + 0, T0 + 180)], T0 - 10, T0 + 200)
    assert [(a - T0, b - T0) for a, b in gaps] == [(-10, 0), (180, 200)]


def test_deleting_the_oldest_segments_keeps_ranges_right():
    camera = Camera.objects.create(id="trim", source="pattern:")
    made = _segments(camera, [(0, 60), (60, 120), (120, 180), (300, 360)])
    Segment.objects.filter(pk=made[2].pk).update(keep=True)
    budget.delete_oldest(Segment.objects.filter(camera=camera, keep=False), count=2)
    assert _ranges(camera) == [(120, 180), (300, 360)]
    # A hole in the middle (the kept one survives, the one after a deleted one is re-checked).
    other = Camera.objects.create(id="hole", source="pattern:")
    made = _segments(other, [(0, 60), (60, 120), (120, 180)])
    Segment.objects.filter(pk=made[0].pk).update(keep=True)
    budget.delete_oldest(Segment.objects.filter(pk=made[1].pk), count=1)
    assert _ranges(other) == [(0, 60), (120, 180)]
