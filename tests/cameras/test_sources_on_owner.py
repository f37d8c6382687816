"""Redis mode: probes, previews and the device list run on the capture process, not the web one.

Real processes: redis-server, one ``livecam serve`` and one ``livecam capture``. The capture
process is given other allowed folders (LIVECAM_FILE_DIRS) than the web server, so where a
probe ran is visible through the API: a clip only the capture process may read probes fine.
"""

from __future__ import annotations

import contextlib
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import simplejpeg

from tests.support.cluster import CaptureProcess, Cluster
from tests.support.sources import write_clip

pytestmark = pytest.mark.timeout(120)

ASK_TIMEOUT = 1.0


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    """Redis and one web server; capture is started by the tests that want it."""
    instance = Cluster(tmp_path_factory.mktemp("owner"), settings={"ASK_TIMEOUT": ASK_TIMEOUT})
    try:
        instance.start_redis()
        instance.web()
    except BaseException:
        instance.stop()
        raise
    yield instance
    instance.stop()


@contextlib.contextmanager
def capture_with_folder(cluster: Cluster, folder: Path) -> Iterator[CaptureProcess]:
    """Run a capture process whose allowed folder is `folder` (the web server's is not)."""
    folder.mkdir(exist_ok=True)
    env = {**cluster.webs[0].env, "LIVECAM_FILE_DIRS": str(folder), "LIVECAM_LOG_LEVEL": "INFO"}
    process = CaptureProcess(env, cluster.workdir / f"capture-{folder.name}.log")
    process.start()
    try:
        yield process
    finally:
        process.stop()


def test_without_a_capture_process_the_answer_is_503_at_once(cluster: Cluster):
    web = cluster.webs[0]
    with web.api() as client:
        for method, path, body in [
            ("POST", "/api/sources/probe", {"source": "pattern:"}),
            ("POST", "/api/sources/probe/snapshot", {"source": "pattern:"}),
            ("GET", "/api/devices", None),
        ]:
            started = time.monotonic()
            answer = client.request(method, path, json=body)
            assert answer.status_code == 503, (path, answer.text)
            assert "no capture process" in answer.json()["detail"]
            assert time.monotonic() - started < ASK_TIMEOUT + 2  # Redis says nobody heard it


def test_probe_and_preview_use_the_capture_process_folders(cluster: Cluster):
    web = cluster.webs[0]
    only_capture = cluster.workdir / "capture-only"
    only_capture.mkdir(exist_ok=True)
    clip = write_clip(only_capture / "clip.avi", 30, 15)
    web_clip = write_clip(web.data_dir / "media" / "web-clip.avi", 30, 15)
    with capture_with_folder(cluster, only_capture), web.api(timeout=30) as client:
        # The web server's own rules refuse the clip: saving it as a camera is a 400 ...
        saved = client.post("/api/cameras", json={"id": "elsewhere", "source": f"file:{clip}"})
        assert saved.status_code == 400 and "source" in saved.json()["detail"]
        # Malformed questions on the bus are dropped; the capture process keeps answering.
        bus = cluster.redis.client()
        for junk in [b"\xff\x00", b"[]", b'{"id": "../x", "kind": "devices"}', b"{" * 20000]:
            assert bus.publish("livecam:ask", junk) == 1
        # ... but the capture process may read it, and the probe runs there.
        result = client.post("/api/sources/probe", json={"source": f"file:{clip}"}).json()
        assert result["ok"] is True, result
        assert (result["width"], result["height"]) == (320, 240)
        preview = client.post("/api/sources/probe/snapshot", json={"source": f"file:{clip}"})
        assert preview.status_code == 200
        assert simplejpeg.decode_jpeg_header(preview.content)[:2] == (240, 320)
        # The web server's folder is not the capture process's: refused there.
        refused = client.post("/api/sources/probe", json={"source": f"file:{web_clip}"}).json()
        assert refused["ok"] is False
        assert f"files must be under {only_capture}" in refused["error"], refused
        # The device list comes from the capture process too (this machine has no V4L2).
        devices = client.get("/api/devices")
        assert devices.status_code == 200 and devices.json() == []


def test_a_capture_process_that_does_not_answer_gives_504_in_bounded_time(cluster: Cluster):
    web = cluster.webs[0]
    with capture_with_folder(cluster, cluster.workdir / "frozen") as process:
        # Stopped, not gone: Redis still counts its subscription, so the question is heard.
        process.process.send_signal(signal.SIGSTOP)  # type: ignore[union-attr]
        try:
            with web.api(timeout=30) as client:
                started = time.monotonic()
                answer = client.get("/api/devices")
                elapsed = time.monotonic() - started
                assert answer.status_code == 504, answer.text
                assert "did not answer within" in answer.json()["detail"]
                assert ASK_TIMEOUT * 0.9 <= elapsed < ASK_TIMEOUT + 3, elapsed
                started = time.monotonic()
                answer = client.post("/api/sources/probe", json={"source": "pattern:"})
                assert answer.status_code == 504, answer.text
                assert time.monotonic() - started < 8 + ASK_TIMEOUT + 3  # probe limit + ask
                assert client.get("/api/cameras").status_code == 200  # the worker is free
        finally:
            process.process.send_signal(signal.SIGCONT)  # type: ignore[union-attr]
