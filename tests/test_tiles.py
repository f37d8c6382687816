"""The tile stream (``/cameras/tiles.mjpg``) over real HTTP: many cameras on one connection."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from livecam.sources.jpeg import jpeg_size
from tests.support.metrics import read_metrics
from tests.support.mjpeg import Part, StreamReader
from tests.support.server import LivecamServer


def open_tiles(
    server: LivecamServer, query: str, headers: dict[str, str] | None = None
) -> httpx.Response:
    client = httpx.Client(
        base_url=server.base_url, headers=headers or server.auth_headers(), timeout=10
    )
    response = client.send(client.build_request("GET", f"/cameras/tiles.mjpg{query}"), stream=True)
    response.extensions["client"] = client
    return response


def close(response: httpx.Response) -> None:
    response.close()
    response.extensions["client"].close()


def read_until(
    reader: StreamReader, done: Callable[[list[Part]], bool], timeout: float = 15
) -> list[Part]:
    parts: list[Part] = []
    deadline = time.monotonic() + timeout
    while not done(parts):
        assert time.monotonic() < deadline, f"timed out; cameras seen: {camera_counts(parts)}"
        parts.append(reader.next_part())
    return parts


def camera_counts(parts: list[Part]) -> Counter[str]:
    """Return how many distinct frames of each camera the parts carry."""
    return Counter(camera for camera, _ in {(p.headers["x-camera"], p.timestamp) for p in parts})


def viewers(server: LivecamServer) -> dict[str, int]:
    with server.api() as client:
        return {camera["id"]: camera["viewers"] for camera in client.get("/api/cameras").json()}


def wait_viewers(server: LivecamServer, wanted: dict[str, int], timeout: float = 5) -> None:
    deadline = time.monotonic() + timeout
    while {cid: viewers(server).get(cid) for cid in wanted} != wanted:
        assert time.monotonic() < deadline, f"viewers {viewers(server)}, not {wanted}"
        time.sleep(0.05)  # the release has no event a client can await


@pytest.fixture
def cameras(server: LivecamServer, camera_id: str) -> Iterator[list[str]]:
    """Three test-pattern cameras, 320x240 at 10 fps, online; removed afterwards."""
    ids = [f"{camera_id}-{n}" for n in range(3)]
    for cid in ids:
        server.add_camera(cid, "pattern:", "--width", "320", "--height", "240", "--fps", "10")
    for cid in ids:
        server.wait_for(cid, lambda s: s["online"], timeout=20)
    yield ids
    for cid in ids:
        server.cli("camera", "remove", cid)


def test_frames_of_every_camera_arrive_with_x_camera(server: LivecamServer, cameras: list[str]):
    response = open_tiles(server, f"?ids={','.join(cameras)}&width=160")
    try:
        assert response.status_code == 200
        assert response.headers["content-type"] == "multipart/x-mixed-replace; boundary=frame"
        assert response.headers["cache-control"] == "no-store"
        assert response.headers["x-accel-buffering"] == "no"
        reader = StreamReader(response.iter_raw())
        parts = read_until(reader, lambda got: all(camera_counts(got)[cid] >= 4 for cid in cameras))
    finally:
        close(response)
    assert {part.headers["x-camera"] for part in parts} == set(cameras)
    live = [part for part in parts if abs(part.timestamp - time.time()) < 10]
    assert {jpeg_size(part.body) for part in live[-6:]} == {(160, 120)}


def test_hidden_and_unknown_ids_are_left_out(server: LivecamServer, cameras: list[str]):
    shown, hidden = cameras[0], cameras[1]
    # A token limited to one camera: the others exist but are hidden from it.
    raw = server.cli("token", "create", "admin", "--camera", shown).stdout.split()[-1]
    headers = {"Authorization": f"Bearer {raw}"}
    response = open_tiles(server, f"?ids=no-such-cam,{hidden},{shown},{shown}", headers)
    try:
        assert response.status_code == 200
        parts = read_until(StreamReader(response.iter_raw()), lambda got: len(got) >= 6)
    finally:
        close(response)
    assert {part.headers["x-camera"] for part in parts} == {shown}
    with httpx.Client(base_url=server.base_url, headers=headers, timeout=10) as client:
        missing = client.get("/cameras/no-such-cam/stream.mjpg")
        answers = [
            client.get(f"/cameras/tiles.mjpg?ids={ids}")
            for ids in (hidden, "no-such-cam", f"{hidden},no-such-cam", "not%20a%20slug")
        ]
    assert missing.status_code == 404
    for answer in answers:
        assert (answer.status_code, answer.headers["content-type"], answer.content) == (
            404,
            missing.headers["content-type"],
            missing.content,
        )


@pytest.mark.parametrize(
    ("query", "word"),
    [
        ("?ids=demo&width=abc", "width"),
        ("?ids=demo&width=10", "width"),
        ("?ids=demo&fps=0", "fps"),
        ("?ids=demo&fps=31", "fps"),
        ("?ids=demo&fps=abc", "fps"),
        ("", "ids"),
        ("?ids=,,", "ids"),
        ("?ids=" + ",".join(f"c{n}" for n in range(65)), "ids"),
    ],
)
def test_bad_queries_are_a_clear_400(server: LivecamServer, query: str, word: str):
    with server.api() as client:
        response = client.get(f"/cameras/tiles.mjpg{query}")
    assert response.status_code == 400
    assert word in response.json()["detail"]


def test_each_camera_counts_a_viewer_until_the_client_leaves(
    server: LivecamServer, cameras: list[str]
):
    response = open_tiles(server, f"?ids={cameras[0]},{cameras[1]}&width=160")
    try:
        reader = StreamReader(response.iter_raw())
        read_until(reader, lambda got: len(camera_counts(got)) == 2)
        counts = viewers(server)
        assert [counts[cid] for cid in cameras] == [1, 1, 0]
    finally:
        close(response)
    wait_viewers(server, dict.fromkeys(cameras, 0))


def test_the_rate_is_capped_per_camera(server: LivecamServer, camera_id: str):
    fast, slow = f"{camera_id}-fast", f"{camera_id}-slow"
    server.add_camera(fast, "pattern:", "--width", "160", "--height", "120", "--fps", "30")
    server.add_camera(slow, "pattern:", "--width", "160", "--height", "120", "--fps", "4")
    for cid in (fast, slow):
        server.wait_for(cid, lambda s: s["online"], timeout=20)
    response = open_tiles(server, f"?ids={fast},{slow}&fps=5")
    try:
        reader = StreamReader(response.iter_raw())
        read_until(reader, lambda got: len(camera_counts(got)) == 2)
        started = time.monotonic()
        parts = read_until(reader, lambda got: time.monotonic() - started >= 3)
        elapsed = time.monotonic() - started
    finally:
        close(response)
        for cid in (fast, slow):
            server.cli("camera", "remove", cid)
    counts = Counter(part.headers["x-camera"] for part in parts)
    distinct = camera_counts(parts)
    print(f"over {elapsed:.1f} s: {dict(counts)} parts, {dict(distinct)} distinct frames")
    assert counts[fast] <= 5 * elapsed + 2, "at most fps=5 parts a second of the 30 fps camera"
    assert counts[fast] >= 2 * elapsed, "the capped camera keeps coming"
    assert counts[slow] == distinct[slow], "each frame of the slower camera at most once"
    assert counts[slow] >= 2 * elapsed


def test_two_tile_streams_get_the_same_parts_encoded_once(
    server: LivecamServer, cameras: list[str]
):
    query = f"?ids={cameras[0]}&width=160"
    streams = [open_tiles(server, query) for _ in range(2)]
    try:
        readers = [StreamReader(response.iter_raw()) for response in streams]
        for reader in readers:
            reader.next_part()
        with server.api() as client:
            before = read_metrics(client)
            got = [read_until(reader, lambda parts: len(parts) >= 8) for reader in readers]
            after = read_metrics(client)
    finally:
        for response in streams:
            close(response)
    by_frame = [{(p.timestamp, p.body): p.headers for p in parts} for parts in got]
    common = by_frame[0].keys() & by_frame[1].keys()
    assert len(common) >= 4, "both streams show the same frames, byte for byte"
    assert all(by_frame[0][key] == by_frame[1][key] for key in common), "and the same headers"

    def delta(name: str) -> float:
        return after.get((name, cameras[0]), 0) - before.get((name, cameras[0]), 0)

    assert delta("livecam_variant_frames_encoded_total") <= (
        delta("livecam_frames_captured_total") + 1
    ), "one encode per frame, not per stream"


def test_an_on_demand_camera_stays_awake_while_its_tile_is_shown(
    server: LivecamServer, camera_id: str
):
    server.add_camera(
        camera_id, "pattern:", "--width", "160", "--height", "120", "--fps", "10",
        "--on-demand", "--linger", "1",
    )  # fmt: skip
    server.wait_for(camera_id, lambda s: s["state"] == "idle", timeout=20)
    response = open_tiles(server, f"?ids={camera_id},demo&width=160")
    try:
        reader = StreamReader(response.iter_raw())
        server.wait_for(camera_id, lambda s: s["state"] == "online", timeout=10)
        started = time.monotonic()
        states = set()
        while time.monotonic() - started < 3:  # three lingers
            reader.next_part()
            with server.api() as client:
                state = client.get(f"/api/cameras/{camera_id}").json()
            states.add((state["state"], state["viewers"]))
        assert states == {("online", 1)}
    finally:
        close(response)
    server.wait_for(camera_id, lambda s: s["state"] == "idle" and s["viewers"] == 0, timeout=10)
    server.cli("camera", "remove", camera_id)


def test_cameras_over_a_viewer_cap_are_left_out(tmp_path: Path):
    capped = LivecamServer(tmp_path, settings={"MAX_VIEWERS_PER_CAMERA": 1})
    capped.start("--demo")
    try:
        capped.add_camera("second", "pattern:", "--width", "160", "--height", "120")
        capped.wait_for("second", lambda s: s["online"], timeout=20)
        full = open_tiles(capped, "?ids=demo")  # demo's one place is taken
        try:
            holder = StreamReader(full.iter_raw())  # kept: a collected reader closes its stream
            holder.next_part()
            with capped.api() as client:
                refused = client.get("/cameras/tiles.mjpg?ids=demo")
            assert refused.status_code == 503 and refused.headers["retry-after"]
            assert "at most 1 viewers" in refused.json()["detail"]
            partial = open_tiles(capped, "?ids=demo,second")
            try:
                assert partial.status_code == 200
                reader = StreamReader(partial.iter_raw())
                cameras = {reader.next_part().headers["x-camera"] for _ in range(6)}
            finally:
                close(partial)
            assert cameras == {"second"}
        finally:
            close(full)
    finally:
        capped.stop()
