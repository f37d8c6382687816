"""Follow /api/events in a background thread and wait for the events a test expects."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from typing import Any

import httpx

Match = Callable[[str, dict[str, Any]], bool]


class EventLog:
    """Every Server-Sent Event of a server, recorded as (name, data) while the log is open."""

    def __init__(self, base_url: str, headers: dict[str, str]) -> None:
        self.events: list[tuple[str, dict[str, Any]]] = []
        self._cond = threading.Condition()
        self._client = httpx.Client(
            base_url=base_url, headers=headers, timeout=httpx.Timeout(10, read=None)
        )
        self._opened = threading.Event()
        self._closed = False
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        assert self._opened.wait(10), "the event stream did not open"

    def _run(self) -> None:
        try:
            with self._client.stream("GET", "/api/events") as response:
                assert response.status_code == 200
                self._opened.set()
                name = ""
                for line in response.iter_lines():
                    if line.startswith("event:"):
                        name = line[6:].strip()
                    elif line.startswith("data:"):
                        with self._cond:
                            self.events.append((name, json.loads(line[5:])))
                            self._cond.notify_all()
        except Exception:  # closing the client mid-read ends the stream with an error
            if not self._closed:
                raise

    def wait_for(self, match: Match, timeout: float = 20) -> dict[str, Any]:
        """Return the data of the first event (past or future) that matches, or fail."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for name, data in self.events:
                    if match(name, data):
                        return data
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"no matching event in {timeout} s: {self.events[-5:]}")
                self._cond.wait(remaining)

    def matching(self, match: Match) -> list[dict[str, Any]]:
        """Return the data of every event seen so far that matches."""
        with self._cond:
            return [data for name, data in self.events if match(name, data)]

    def close(self) -> None:
        """Stop following."""
        self._closed = True
        self._client.close()


def motion(camera_id: str, phase: str) -> Match:
    """Match a ``motion`` event of a camera in a phase (start, end)."""
    return lambda name, data: (
        name == "motion" and data["camera"] == camera_id and data["phase"] == phase
    )


def recording(camera_id: str, phase: str) -> Match:
    """Match a ``recording`` event of a camera in a phase (started, ended)."""
    return lambda name, data: (
        name == "recording" and data["camera"] == camera_id and data["phase"] == phase
    )
