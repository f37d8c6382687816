"""stream.mp4 scaled out: capture encodes once, every web worker sends the very same bytes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.cluster import Cluster, running_cluster
from tests.support.mp4 import Fragment, Mp4Stream, decode
from tests.video.test_mp4_faults import metric

pytestmark = pytest.mark.timeout(180)


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[Cluster]:
    """Redis, two web servers and one capture process."""
    yield from running_cluster(tmp_path, webs=2)


def live(stream: Mp4Stream, count: int) -> list[Fragment]:
    found: list[Fragment] = []
    while len(found) < count:
        found.extend(f for f in stream.fragments(1) if f.duration < 90_000)
    return found


def live_alongside(stream: Mp4Stream, other: Mp4Stream, count: int) -> list[Fragment]:
    """Read `count` live fragments of `stream` while keeping `other` read up to the same one.

    A viewer nobody reads falls behind once its socket buffers fill and skips to the next
    keyframe, as it should; reading both keeps `other` a viewer that saw every fragment.
    """
    found: list[Fragment] = []
    last_other = max(f.sequence for _kind, f in other.items if isinstance(f, Fragment))
    while len(found) < count:
        fragment = live(stream, 1)[0]
        found.append(fragment)
        while last_other < fragment.sequence:
            last_other = max(f.sequence for f in other.fragments(1))
    return found


def test_two_workers_send_byte_identical_fragments_encoded_once(cluster: Cluster):
    web_a, web_b = cluster.webs
    web_a.add_camera("cam", "pattern:", "--width", "320", "--height", "240", "--fps", "15")
    web_b.wait_for("cam", lambda s: s["online"], timeout=30)
    with Mp4Stream(web_a, "/cameras/cam/stream.mp4") as at_a:
        live(at_a, 20)
        with Mp4Stream(web_b, "/cameras/cam/stream.mp4") as at_b:
            from_b = live_alongside(at_b, at_a, 30)
        from_a = live(at_a, 30)
    # B joined mid-stream: it starts at a keyframe (the GOP Redis kept, or the next one).
    assert from_b[0].keyframe
    seen_by_a = [item for _kind, item in at_a.items if isinstance(item, Fragment)]
    assert len(seen_by_a) >= len(from_a)
    by_sequence = {f.sequence: f.data for f in seen_by_a}
    common = [f for f in from_b if f.sequence in by_sequence]
    assert [f.sequence for f in from_b if f.sequence >= min(by_sequence)] == [
        f.sequence for f in common
    ], "A, read throughout, saw every fragment B saw since A joined"
    assert len(common) >= 20
    assert all(by_sequence[f.sequence] == f.data for f in common), "the very same bytes"
    for web in (web_a, web_b):  # no web worker encodes: capture did, once
        assert metric(web, "livecam_video_frames_encoded_total", camera="cam") == 0
    for stream in (at_a, at_b):
        frames, errors = decode(bytes(stream.data))
        assert not errors and frames
