"""Server lifecycle: first run, restart keeps ON/OFF, SIGTERM ends streams quickly."""

from __future__ import annotations

import signal
import time

import httpx

from tests.support.mjpeg import StreamReader
from tests.support.server import LivecamServer


def test_first_run_prints_a_generated_admin_password_once(fresh_server: LivecamServer):
    del fresh_server.env["LIVECAM_ADMIN_PASSWORD"]
    fresh_server.start("--demo")
    fresh_server.stop()
    log = fresh_server.log_path.read_text()
    assert "livecam is serving on http://127.0.0.1:" in log
    password = log.split("Created user 'admin' with password: ")[1].split()[0]
    fresh_server.start()
    with fresh_server.session(password=password) as client:
        assert client.get("/").status_code == 200
    fresh_server.stop()
    assert fresh_server.log_path.read_text().count("Created user 'admin'") == 1


def test_restart_keeps_the_enabled_state(fresh_server: LivecamServer):
    fresh_server.start("--demo")
    fresh_server.add_camera("second", "pattern:", "--width", "160", "--height", "120")
    with fresh_server.api() as client:
        client.post("/api/cameras/demo/off")
    assert fresh_server.stop() == 0
    fresh_server.start("--demo")
    with fresh_server.api() as client:
        states = {c["id"]: c for c in client.get("/api/cameras").json()}
    assert states["demo"]["enabled"] is False and states["demo"]["state"] == "off"
    assert states["second"]["enabled"] is True
    fresh_server.wait_for("second", lambda s: s["online"])


def test_sigterm_with_open_streams_exits_cleanly_within_two_seconds(
    fresh_server: LivecamServer,
):
    fresh_server.start("--demo")
    fresh_server.wait_for("demo", lambda s: s["online"])
    clients, responses, readers = [], [], []
    for _ in range(5):
        client = httpx.Client(
            base_url=fresh_server.base_url, headers=fresh_server.auth_headers(), timeout=10
        )
        response = client.send(
            client.build_request("GET", "/cameras/demo/stream.mjpg"), stream=True
        )
        reader = StreamReader(response.iter_raw())
        reader.next_part()
        readers.append(reader)
        clients.append(client)
        responses.append(response)
    started = time.monotonic()
    code = fresh_server.stop(signal.SIGTERM)
    elapsed = time.monotonic() - started
    assert code == 0
    assert elapsed < 2.0, f"shutdown took {elapsed:.2f} s"
    for reader, response, client in zip(readers, responses, clients, strict=True):
        # Each stream ends cleanly: the body finishes instead of hanging.
        ended = False
        for _ in range(100):
            try:
                reader.next_part()
            except StopIteration:
                ended = True
                break
        assert ended
        response.close()
        client.close()
