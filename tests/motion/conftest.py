"""Fixtures for motion and recording tests: an event log and a webhook receiver."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from tests.support.server import LivecamServer
from tests.support.sse import EventLog


@pytest.fixture
def follow_events(server: LivecamServer) -> Iterator[Callable[[], EventLog]]:
    """Open the server's Server-Sent Events, recorded from then on (for cameras added before)."""
    logs: list[EventLog] = []

    def follow() -> EventLog:
        log = EventLog(server.base_url, server.auth_headers())
        logs.append(log)
        return log

    yield follow
    for log in logs:
        log.close()


class Receiver:
    """A local HTTP server that records the JSON bodies POSTed to it."""

    def __init__(self) -> None:
        self.bodies: list[dict[str, Any]] = []
        self.cond = threading.Condition()
        self.fail_first = 0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = json.loads(self.rfile.read(length))
                with receiver.cond:
                    if receiver.fail_first > 0:
                        receiver.fail_first -= 1
                        self.send_response(503)
                        self.end_headers()
                        return
                    receiver.bodies.append(body)
                    receiver.cond.notify_all()
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def wait_for(self, event: str, timeout: float = 20) -> dict[str, Any]:
        """Return the first body whose ``event`` is ``event``, waiting for it."""
        with self.cond:
            ok = self.cond.wait_for(
                lambda: any(b.get("event") == event for b in self.bodies), timeout
            )
            assert ok, f"no {event} webhook in {timeout} s: {self.bodies}"
            return next(b for b in self.bodies if b.get("event") == event)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A webhook receiver on a free local port."""
    instance = Receiver()
    yield instance
    instance.httpd.shutdown()
    instance.httpd.server_close()
