"""JPEG width variants scaled out: the capture owner encodes a watched width once for every
web worker, through Redis; the workers only fan it out."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from livecam.bus.codec import decode_frame
from livecam.sources.jpeg import jpeg_size
from tests.support.cluster import Cluster, running_cluster
from tests.support.mjpeg import Part, StreamReader
from tests.support.server import LivecamServer
from tests.video.test_mp4_faults import metric

pytestmark = pytest.mark.timeout(180)

ENCODED = "livecam_variant_frames_encoded_total"


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[Cluster]:
    """Redis, two web servers and one capture process."""
    yield from running_cluster(tmp_path, webs=2)


class Reader:
    """Read one stream in a thread, keeping its parts."""

    def __init__(self, server: LivecamServer, path: str) -> None:
        self.parts: list[Part] = []
        self.error: BaseException | None = None
        self._stop = threading.Event()
        self._changed = threading.Condition()
        self._thread = threading.Thread(target=self._run, args=(server, path), daemon=True)
        self._thread.start()

    def _run(self, server: LivecamServer, path: str) -> None:
        try:
            with (
                httpx.Client(
                    base_url=server.base_url, headers=server.auth_headers(), timeout=30
                ) as client,
                client.stream("GET", path) as response,
            ):
                assert response.status_code == 200
                reader = StreamReader(response.iter_raw())
                while not self._stop.is_set():
                    part = reader.next_part()
                    with self._changed:
                        self.parts.append(part)
                        self._changed.notify_all()
        except BaseException as exc:
            self.error = exc
            with self._changed:
                self._changed.notify_all()

    def frames(
        self, size: tuple[int, int], count: int, after: float = 0.0, timeout: float = 20
    ) -> dict[float, Part]:
        """Wait for `count` distinct frames of `size` captured after `after`; return them."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                found = {
                    p.timestamp: p
                    for p in self.parts
                    if p.timestamp > after and jpeg_size(p.body) == size
                }
                if len(found) >= count:
                    return found
                if self.error is not None:
                    raise AssertionError(f"the stream broke: {self.error!r}")
                left = deadline - time.monotonic()
                assert left > 0, f"only {len(found)} frames of {size} in {timeout} s"
                self._changed.wait(left)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(10)  # parts come many times a second, so the reader sees the flag


def test_two_workers_get_one_capture_encode_per_frame_and_it_stops_with_them(cluster: Cluster):
    web_a, web_b = cluster.webs
    web_a.add_camera("cam", "pattern:", "--width", "320", "--height", "240", "--fps", "15")
    web_b.wait_for("cam", lambda s: s["online"], timeout=30)
    pubsub = cluster.redis.client().pubsub()
    pubsub.psubscribe("livecam:variant:cam:*")
    pubsub.subscribe("livecam:frame:cam")
    readers = [Reader(web, "/cameras/cam/stream.mjpg?width=160") for web in (web_a, web_b)]
    try:
        # Both streams show the variant first (on a loaded machine one may start a second
        # later), then both are compared over the same stretch of frames.
        since = max(max(reader.frames((160, 120), 1)) for reader in readers)
        seen = [reader.frames((160, 120), 12, after=since) for reader in readers]
        tally = {
            field.decode(): int(count)
            for key in cluster.redis.client().keys("livecam:viewers:*")
            for field, count in cluster.redis.client().hgetall(key).items()
        }
    finally:
        for reader in readers:
            reader.close()
    common = seen[0].keys() & seen[1].keys()
    assert len(common) >= 5, f"both workers show the same frames: {len(common)} in common"
    assert all(seen[0][at].body == seen[1][at].body for at in common), "the very same bytes"
    assert tally.get("cam@jpeg:160", 0) >= 1, f"capture hears the width through {tally}"
    for web in (web_a, web_b):  # neither worker encoded: capture did
        assert metric(web, ENCODED, camera="cam") == 0

    # What capture published: one message per frame for both workers, only the watched width.
    published: dict[float, int] = {}
    channels: set[str] = set()
    quiet_frames = 0  # full-size frames in a row with no variant between them
    deadline = time.monotonic() + 20
    while quiet_frames < 10:
        assert time.monotonic() < deadline, "capture still encodes the width nobody watches"
        message = pubsub.get_message(timeout=1)
        if message is None or message["type"] not in ("message", "pmessage"):
            continue
        channel = message["channel"].decode()
        if channel == "livecam:frame:cam":
            # Counted from the first variant on: frames from before the viewers came are not it.
            quiet_frames += 1 if published else 0
            continue
        quiet_frames = 0
        channels.add(channel)
        frame = decode_frame(message["data"], 16 * 1024 * 1024)
        at = float(f"{frame.captured_at:.6f}")  # as X-Timestamp says it
        published[at] = published.get(at, 0) + 1
        if at in common:
            assert frame.jpeg == seen[0][at].body, "the workers send what capture encoded"
    pubsub.close()
    assert channels == {"livecam:variant:cam:160"}, "a width nobody watches costs nothing"
    assert set(published.values()) == {1}, "each frame encoded and published once"
    assert len(published.keys() & common) >= 5, "what the workers sent is what capture made"
