"""Scaled out with real processes: redis-server, `livecam capture`, several `livecam serve`."""

from __future__ import annotations

import contextlib
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from livecam import placeholder
from livecam.bus.redis_health import UNAVAILABLE
from tests.support.cluster import SETTINGS, Cluster, running_cluster
from tests.support.mjpeg import Part, StreamReader
from tests.support.server import LivecamServer

# Several Django processes start per test; on a loaded 2-core machine that alone takes 20 s.
pytestmark = pytest.mark.timeout(150)

SIZE = ("--width", "320", "--height", "240", "--fps", "10")
PLACEHOLDERS = {
    placeholder.for_state(state, error, 320, 240)[1]: f"{state}:{error}"
    for state, error in [
        ("off", ""),
        ("stopping", ""),
        ("starting", ""),
        ("idle", ""),
        ("error", UNAVAILABLE),
    ]
}


def kind(part: Part) -> str:
    """Return "live" for a camera frame, else which placeholder it is."""
    return PLACEHOLDERS.get(part.body, "live")


@contextlib.contextmanager
def viewer(server: LivecamServer, camera_id: str) -> Iterator[StreamReader]:
    with (
        httpx.Client(base_url=server.base_url, headers=server.auth_headers(), timeout=30) as client,
        client.stream("GET", f"/cameras/{camera_id}/stream.mjpg") as response,
    ):
        assert response.status_code == 200
        yield StreamReader(response.iter_raw())


class Watcher:
    """Read one viewer's stream in a thread, noting when each part arrived."""

    def __init__(self, server: LivecamServer, camera_id: str) -> None:
        self.parts: list[tuple[float, Part]] = []
        self.error: BaseException | None = None
        self._stop = threading.Event()
        self._changed = threading.Condition()
        self._thread = threading.Thread(target=self._run, args=(server, camera_id), daemon=True)

    def _run(self, server: LivecamServer, camera_id: str) -> None:
        try:
            with viewer(server, camera_id) as reader:
                while not self._stop.is_set():
                    part = reader.next_part()
                    with self._changed:
                        self.parts.append((time.monotonic(), part))
                        self._changed.notify_all()
        except BaseException as exc:
            self.error = exc
            with self._changed:
                self._changed.notify_all()

    def wait_for(self, predicate, since: float = 0.0, timeout: float = 15.0) -> tuple[float, Part]:
        """Return the first part (arrival time, part) after `since` that satisfies predicate."""
        deadline = time.monotonic() + timeout
        seen = 0
        with self._changed:
            while True:
                for arrived, part in self.parts[seen:]:
                    if arrived >= since and predicate(part):
                        return arrived, part
                seen = len(self.parts)
                if self.error is not None:
                    raise AssertionError(f"the stream broke: {self.error!r}")
                left = deadline - time.monotonic()
                if left <= 0:
                    kinds = [kind(p) for _, p in self.parts[-10:]]
                    raise AssertionError(f"no such part in {timeout} s; last parts: {kinds}")
                self._changed.wait(left)

    def __enter__(self) -> Watcher:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(10)  # parts come at least once a second, so the reader sees the flag


def live_after(wall: float):
    """Match a camera frame captured after `wall` (Unix time)."""
    return lambda part: kind(part) == "live" and part.timestamp > wall


def api_viewers(server: LivecamServer, camera_id: str) -> int:
    with server.api() as client:
        return int(client.get(f"/api/cameras/{camera_id}").json()["viewers"])


def eventually(predicate, timeout: float = 10.0) -> float:
    started = time.monotonic()
    while not predicate():
        if time.monotonic() - started > timeout:
            raise AssertionError(f"condition not met within {timeout} s")
        time.sleep(0.05)  # state in other processes: polled through their API
    return time.monotonic() - started


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    """Redis, two web servers (A and B) and one capture process."""
    yield from running_cluster(tmp_path_factory.mktemp("cluster"), webs=2)


@pytest.fixture
def own_cluster(tmp_path: Path) -> Iterator[Cluster]:
    """A cluster of this test alone (for killing its processes), not started."""
    instance = Cluster(tmp_path)
    yield instance
    instance.stop()


def test_both_workers_deliver_the_same_frames(cluster: Cluster, camera_id: str):
    web_a, web_b = cluster.webs
    web_a.add_camera(camera_id, "pattern:", *SIZE)
    web_b.wait_for(camera_id, lambda s: s["online"], timeout=20)
    with Watcher(web_a, camera_id) as at_a, Watcher(web_b, camera_id) as at_b:
        for watcher in (at_a, at_b):
            watcher.wait_for(live_after(time.time() + 1.5))
    frames_a = {p.timestamp: p.body for _, p in at_a.parts if kind(p) == "live"}
    frames_b = {p.timestamp: p.body for _, p in at_b.parts if kind(p) == "live"}
    common = frames_a.keys() & frames_b.keys()
    assert len(common) >= 5, (sorted(frames_a), sorted(frames_b))
    assert all(frames_a[ts] == frames_b[ts] for ts in common)  # the very same JPEGs


def test_viewers_are_counted_over_every_worker(cluster: Cluster, camera_id: str):
    web_a, web_b = cluster.webs
    web_a.add_camera(camera_id, "pattern:", *SIZE)
    with viewer(web_a, camera_id) as one, viewer(web_a, camera_id) as two:
        with viewer(web_b, camera_id) as three:
            for reader in (one, two, three):
                reader.next_part()
            eventually(lambda: api_viewers(web_b, camera_id) == 3)
            eventually(lambda: api_viewers(web_a, camera_id) == 3)
        eventually(lambda: api_viewers(web_a, camera_id) == 2)
    eventually(lambda: api_viewers(web_b, camera_id) == 0)


def test_an_on_demand_camera_opens_for_a_viewer_on_any_worker(cluster: Cluster, camera_id: str):
    web_a, web_b = cluster.webs
    web_a.add_camera(camera_id, "pattern:", *SIZE, "--on-demand", "--linger", "1")
    web_a.wait_for(camera_id, lambda s: s["state"] == "idle", timeout=20)
    with Watcher(web_b, camera_id) as at_b:  # the viewer is on B, capture hears it through Redis
        at_b.wait_for(live_after(0))
        eventually(lambda: api_viewers(web_a, camera_id) == 1)
    state = web_a.wait_for(camera_id, lambda s: s["state"] == "idle", timeout=20)
    assert state["viewers"] == 0


def test_a_toggle_on_worker_a_reaches_viewers_on_worker_b_within_a_second(
    cluster: Cluster, camera_id: str
):
    web_a, web_b = cluster.webs
    web_a.add_camera(camera_id, "pattern:", *SIZE)
    with Watcher(web_b, camera_id) as at_b, web_a.api() as api:
        at_b.wait_for(live_after(0))
        sent = time.monotonic()
        assert api.post(f"/api/cameras/{camera_id}/off").status_code == 200
        arrived, _ = at_b.wait_for(lambda p: kind(p) in ("stopping:", "off:"), since=sent)
        off_latency = arrived - sent
        at_b.wait_for(lambda p: kind(p) == "off:", since=sent)
        sent, sent_wall = time.monotonic(), time.time()
        assert api.post(f"/api/cameras/{camera_id}/on").status_code == 200
        arrived, _ = at_b.wait_for(lambda p: kind(p) != "off:", since=sent)
        on_latency = arrived - sent
        arrived, _ = at_b.wait_for(live_after(sent_wall), since=sent)
        live_latency = arrived - sent
    print(
        f"\ntoggle A→B: OFF seen in {off_latency * 1000:.0f} ms, ON seen in "
        f"{on_latency * 1000:.0f} ms, live frames {live_latency * 1000:.0f} ms after ON"
    )
    assert off_latency < 1.0 and on_latency < 1.0


def test_garbage_on_the_bus_does_no_harm(cluster: Cluster, camera_id: str):
    web_a, web_b = cluster.webs
    web_a.add_camera(camera_id, "pattern:", *SIZE)
    client = cluster.redis.client()
    with Watcher(web_a, camera_id) as at_a:
        at_a.wait_for(live_after(0))
        for channel in (f"livecam:frame:{camera_id}", "livecam:status", "livecam:control"):
            for message in (b"\x80\x04pickled", b"{}", b"LCF\x01" + b"\x00" * 40, b"x" * 100_000):
                client.publish(channel, message)
        garbage_at = time.time()
        at_a.wait_for(live_after(garbage_at + 0.5))
    for server in (web_a, web_b):
        assert httpx.get(server.url("/healthz"), timeout=5).status_code == 200
    assert "malformed message" in (cluster.workdir / "web-0.log").read_text()
    assert cluster.captures[0].process.poll() is None  # type: ignore[union-attr]


def test_a_standby_capture_takes_over_when_the_owner_is_killed(own_cluster: Cluster):
    own_cluster.start_redis()
    web = own_cluster.web()
    web.add_camera("cam", "pattern:", *SIZE)
    first = own_cluster.capture()
    web.wait_for("cam", lambda s: s["online"], timeout=20)
    second = own_cluster.capture()  # starts after the first owns the camera: a standby
    holder = own_cluster.lease_holder("cam")
    owner, standby = (first, second) if f":{first.pid}:" in holder else (second, first)
    assert f":{owner.pid}:" in holder
    with Watcher(web, "cam") as watcher:
        watcher.wait_for(live_after(0))
        killed, killed_wall = time.monotonic(), time.time()
        owner.stop(signal.SIGKILL)
        arrived, _ = watcher.wait_for(live_after(killed_wall), since=killed, timeout=20)
    takeover = arrived - killed
    print(f"\ncapture owner SIGKILLed: live frames from the standby after {takeover:.2f} s")
    assert f":{standby.pid}:" in own_cluster.lease_holder("cam")
    assert takeover < SETTINGS["LEASE_TTL"] + 3
    # The standby never opened the camera while the owner lived.
    log = (own_cluster.workdir / f"capture-{own_cluster.captures.index(standby)}.log").read_text()
    assert log.count("camera cam: starting capture") == 1


def test_redis_restart_midstream_resumes_on_the_same_connection(own_cluster: Cluster):
    own_cluster.start_redis()
    web = own_cluster.web()
    web.add_camera("cam", "pattern:", *SIZE)
    own_cluster.capture()
    web.wait_for("cam", lambda s: s["online"], timeout=20)
    with Watcher(web, "cam") as watcher:
        watcher.wait_for(live_after(0))
        killed = time.monotonic()
        own_cluster.redis.kill()
        arrived, _ = watcher.wait_for(lambda p: kind(p) == f"error:{UNAVAILABLE}", since=killed)
        noticed = arrived - killed
        own_cluster.redis.start()
        back, back_wall = time.monotonic(), time.time()
        arrived, _ = watcher.wait_for(live_after(back_wall), since=back, timeout=20)
        resumed = arrived - back
        assert watcher.error is None
    print(
        f"\nRedis SIGKILLed: 'bus unavailable' shown after {noticed:.2f} s; "
        f"live again {resumed:.2f} s after Redis restarted (same connection)"
    )
    assert resumed < 5
    with web.api() as api:
        assert api.get("/api/cameras/cam").json()["online"] is True


def test_serve_with_two_workers_shares_cameras_and_counts(own_cluster: Cluster):
    import psutil

    own_cluster.start_redis()
    web = own_cluster.web("--workers", "2")
    assert len(psutil.Process(web.process.pid).children()) >= 2  # type: ignore[union-attr]
    web.add_camera("cam", "pattern:", *SIZE)
    own_cluster.capture()
    with contextlib.ExitStack() as stack:
        readers = [stack.enter_context(viewer(web, "cam")) for _ in range(4)]
        for reader in readers:
            while kind(reader.next_part()) != "live":
                pass
        eventually(lambda: api_viewers(web, "cam") == 4)
    eventually(lambda: api_viewers(web, "cam") == 0)


def test_scale_out_commands_refuse_to_run_without_redis(tmp_path: Path):
    server = LivecamServer(tmp_path)
    server.env.pop("LIVECAM_REDIS_URL", None)
    result = server.cli("serve", "--workers", "2", check=False)
    assert result.returncode != 0
    assert "--workers > 1 needs LIVECAM_REDIS_URL" in result.stderr
    result = server.cli("capture", check=False)
    assert result.returncode != 0
    assert "set LIVECAM_REDIS_URL" in result.stderr
