"""JPEG width variants (``?width=``) in one process: capture encodes each watched width once."""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx
from prometheus_client.parser import text_string_to_metric_families

from livecam.sources.jpeg import jpeg_size
from tests.support.mjpeg import Part, StreamReader
from tests.support.server import LivecamServer
from tests.video.test_mp4_faults import metric

ENCODED = "livecam_variant_frames_encoded_total"
CAPTURED = "livecam_frames_captured_total"


def open_stream(server: LivecamServer, path: str) -> httpx.Response:
    client = httpx.Client(base_url=server.base_url, headers=server.auth_headers(), timeout=10)
    response = client.send(client.build_request("GET", path), stream=True)
    response.extensions["client"] = client
    return response


def close_stream(response: httpx.Response) -> None:
    response.close()
    response.extensions["client"].close()


def frames_after(reader: StreamReader, since: float, count: int) -> dict[float, Part]:
    """Read until `count` distinct frames captured after `since` arrived; key them by time."""
    found: dict[float, Part] = {}
    while len(found) < count:
        part = reader.next_part()
        if part.timestamp > since:
            found[part.timestamp] = part
    return found


def encodes(server: LivecamServer, camera_id: str, width: int) -> float:
    return metric(server, ENCODED, camera=camera_id, width=str(width))


def both(server: LivecamServer, camera_id: str, width: int) -> tuple[float, float]:
    """Return (encodes at `width`, frames captured) from ONE scrape, so they cover one time."""
    with server.api() as api:
        text = api.get("/metrics").text
    values = {ENCODED: 0.0, CAPTURED: 0.0}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            ours = sample.name in values and sample.labels.get("camera") == camera_id
            if ours and (sample.name == CAPTURED or sample.labels.get("width") == str(width)):
                values[sample.name] = float(sample.value)
    return values[ENCODED], values[CAPTURED]


def captured(server: LivecamServer, camera_id: str) -> float:
    return metric(server, CAPTURED, camera=camera_id)


def after_frames(server: LivecamServer, camera_id: str, count: int, read: Callable[[], float]):
    """Return `read()` once `count` more frames of the camera were captured (bounded wait)."""
    target = captured(server, camera_id) + count
    deadline = time.monotonic() + 15
    while captured(server, camera_id) < target:
        assert time.monotonic() < deadline, "the camera stopped capturing"
        time.sleep(0.05)  # polling /metrics: a counter has no event to await
    return read()


def test_two_viewers_of_a_width_share_one_encode_per_frame_and_it_stops_with_them(
    server: LivecamServer, camera_id: str
):
    server.add_camera(camera_id, "pattern:", "--width", "640", "--height", "480", "--fps", "15")
    server.wait_for(camera_id, lambda s: s["online"])
    assert encodes(server, camera_id, 320) == 0, "nobody watches 320 yet: no encode"
    streams = [open_stream(server, f"/cameras/{camera_id}/stream.mjpg?width=330") for _ in "ab"]
    try:
        readers = [StreamReader(s.iter_raw()) for s in streams]
        for reader in readers:
            reader.next_part()
        since = time.time()
        before = both(server, camera_id, 320)
        seen = [frames_after(reader, since, 6) for reader in readers]
        after = both(server, camera_id, 320)
        common = seen[0].keys() & seen[1].keys()
        assert len(common) >= 3
        for at in common:
            assert seen[0][at].body == seen[1][at].body, "the very same bytes for both"
            assert jpeg_size(seen[0][at].body) == (320, 240)
        variant, frames = after[0] - before[0], after[1] - before[1]
        assert 2 <= variant <= frames + 1, "once per frame, not once per viewer"
        # A width nobody watches costs nothing, even while another one is encoded.
        assert encodes(server, camera_id, 160) == 0
        assert encodes(server, camera_id, 480) == 0
    finally:
        for stream in streams:
            close_stream(stream)
    # The last viewer left: within a few frames the encoding stops, and stays stopped.
    deadline = time.monotonic() + 15
    settled = encodes(server, camera_id, 320)
    while (now := after_frames(server, camera_id, 3, lambda: encodes(server, camera_id, 320))) != (
        settled
    ):
        assert time.monotonic() < deadline, "the variant is still encoded without viewers"
        settled = now
    assert after_frames(server, camera_id, 6, lambda: encodes(server, camera_id, 320)) == settled
    server.cli("camera", "remove", camera_id)


def test_a_width_at_least_the_frame_is_the_frame_itself_and_never_encoded(
    server: LivecamServer, camera_id: str
):
    server.add_camera(camera_id, "pattern:", "--width", "320", "--height", "240", "--fps", "15")
    server.wait_for(camera_id, lambda s: s["online"])
    full = open_stream(server, f"/cameras/{camera_id}/stream.mjpg")
    wide = open_stream(server, f"/cameras/{camera_id}/stream.mjpg?width=1920")
    try:
        assert wide.status_code == 200
        readers = [StreamReader(full.iter_raw()), StreamReader(wide.iter_raw())]
        for reader in readers:
            reader.next_part()
        since = time.time()
        seen = [frames_after(reader, since, 5) for reader in readers]
        common = seen[0].keys() & seen[1].keys()
        assert len(common) >= 3
        assert all(seen[0][at].body == seen[1][at].body for at in common)
        assert all(jpeg_size(seen[1][at].body) == (320, 240) for at in common)
        assert encodes(server, camera_id, 1920) == 0
    finally:
        close_stream(full)
        close_stream(wide)
    server.cli("camera", "remove", camera_id)


def test_an_unknown_width_gets_the_same_400_on_every_route(server: LivecamServer):
    with server.api() as client:
        for path in (
            "/cameras/demo/stream.mjpg?width=99999",
            "/cameras/demo/snapshot.jpg?width=99999",
            "/cameras/tiles.mjpg?ids=demo&width=99999",
            "/cameras/demo/stream.mjpg?width=12abc",
        ):
            response = client.get(path)
            assert response.status_code == 400, path
            assert "width" in response.json()["detail"], path
        before = metric(server, ENCODED, camera="demo", width="99999")
    assert before == 0, "a refused width never reaches capture"
