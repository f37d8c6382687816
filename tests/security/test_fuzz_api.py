"""Fuzz the JSON API from its own OpenAPI document (schemathesis) against a real server."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.server import LivecamServer

logger = logging.getLogger(__name__)


def _schemathesis(server: LivecamServer, token: str, report: Path, examples: int) -> dict:
    command = [
        sys.executable,
        "-m",
        "schemathesis.cli",
        "run",
        server.url("/api/openapi.json"),
        "--header",
        f"Authorization: Bearer {token}",
        "--checks",
        "all",
        # The event stream never ends by design: a request to it would only time out.
        "--exclude-path",
        "/api/events",
        "--max-examples",
        str(examples),
        "--seed",
        "1",
        "--workers",
        "1",
        "--request-timeout",
        "15",
        "--generation-database",
        "none",
        "--report",
        "ndjson",
        "--report-ndjson-path",
        str(report),
        "--no-color",
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=600)
    events = [json.loads(line) for line in report.read_text().splitlines() if line.strip()]
    return {
        "returncode": result.returncode,
        "output": result.stdout + result.stderr,
        "events": events,
    }


def _requests_made(events: list[dict]) -> int:
    total = 0
    for event in events:
        for value in event.values():
            if isinstance(value, dict) and "recorder" in value:
                total += len(value["recorder"].get("interactions", {}))
    return total


@pytest.mark.parametrize("role", ["admin", "viewer"])
def test_api_fuzzing_finds_no_failure(fresh_server: LivecamServer, tmp_path: Path, role: str):
    fresh_server.start("--demo")
    fresh_server.add_camera("hidden-cam", "pattern:", "--width", "160", "--height", "120")
    fresh_server.cli("access", "restrict", "hidden-cam")
    if role == "admin":
        token = fresh_server.token
    else:
        fresh_server.cli("user", "add", "fuzzy", "--role", "viewer")
        token = fresh_server.cli("token", "create", "fuzzy", "--read-only").stdout.split()[-1]
    run = _schemathesis(fresh_server, token, tmp_path / "events.ndjson", examples=60)
    summary = run["output"][-3000:]
    requests = _requests_made(run["events"])
    logger.warning("schemathesis (%s token): %d requests\n%s", role, requests, summary)
    assert run["returncode"] == 0, summary
    assert requests >= 50, summary
    with fresh_server.api() as client:  # and the server is still well
        assert client.get("/api/cameras/demo").status_code == 200
    assert "Traceback" not in fresh_server.log_path.read_text()
