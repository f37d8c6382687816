"""The pre-roll ring: whole GOPs reaching the asked seconds back, bounded in bytes."""

from __future__ import annotations

from livecam.recording import preroll
from livecam.recording.preroll import PreRoll
from livecam.video.packet import VideoPacket

FPS = 10


def _packet(index: int, *, gop: int = FPS, size: int = 100, init: bytes = b"init") -> VideoPacket:
    key = index % gop == 0
    return VideoPacket(
        "cam", 0, index, 1000 + index / FPS, key, index * 9000, b"x" * size, 0, init if key else b""
    )


def test_the_ring_starts_at_the_keyframe_at_or_before_the_asked_moment():
    ring = PreRoll()
    for index in range(95):  # 9.5 s, a keyframe every second
        ring.put(_packet(index), keep=3.0)
    kept = ring.since(-1)  # the oldest it holds
    # From the keyframe at or before 3 s back (at 6.4 s: the one at 6.0 s), never mid-GOP.
    assert kept[0].keyframe and kept[0].seq == 60
    assert [p.seq for p in kept] == list(range(60, 95))
    asked = ring.since(1000 + 7.5)
    assert asked[0].seq == 70 and asked[-1].seq == 94
    assert ring.since(1e18)[0].seq == 90  # the GOP running now
    assert ring.bytes == 35 * 100


def test_the_ring_waits_for_a_keyframe_and_never_crosses_a_new_init():
    ring = PreRoll()
    for index in range(5, 10):  # joined mid-GOP: nothing to start a file with
        ring.put(_packet(index), keep=3.0)
    assert ring.since(0) == []
    for index in range(10, 30):
        ring.put(_packet(index, init=b"small" if index < 20 else b"large"), keep=30.0)
    assert ring.since(0)[0].seq == 20  # one init per file


def test_the_ring_is_bounded_in_bytes():
    ring = PreRoll()
    size = preroll.MAX_BYTES // 25  # 10 of these are a GOP: the bound holds 2.5 GOPs
    for index in range(100):
        ring.put(_packet(index, size=size), keep=30.0)
        assert ring.bytes <= preroll.MAX_BYTES
    assert ring.since(0)[0].keyframe and len(ring.since(0)) >= 10
    huge = PreRoll()  # one GOP beyond the bound: given up until the next keyframe
    for index in range(30):
        huge.put(_packet(index, gop=100, size=preroll.MAX_BYTES // 20), keep=30.0)
    assert huge.since(0) == [] and huge.bytes == 0
