"""Share-link secrets never reach the log, whichever logger prints the path."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

from tests.support.server import LivecamServer

pytestmark = pytest.mark.timeout(120)

# Every logger that can print a request path: Django's request and security loggers, uvicorn's
# access and error logs, livecam's own, and the login limiter's.
PROBED = [
    "django.request",
    "django.security.csrf",
    "django.security.DisallowedHost",
    "django.security.SuspiciousOperation",
    "django.server",
    "uvicorn",
    "uvicorn.error",
    "livecam",
    "livecam.views.share",
    "livecam.serving.guard",
    "axes",
    "",  # the root logger
]


def test_share_secrets_are_redacted_in_every_handler(tmp_path: Path):
    server = LivecamServer(tmp_path, env={"LIVECAM_ACCESS_LOG": "1", "LIVECAM_LOG_LEVEL": "INFO"})
    server.start("--demo")
    try:
        created = server.cli("share", "create", "demo", "--expires", "1h").stdout.split()
        snapshot = created[3]
        secret = snapshot.split("/")[2]
        assert secret.startswith("ls_")
        with httpx.Client(base_url=server.base_url, timeout=10) as client:
            assert client.get(snapshot).status_code == 200  # uvicorn.access
            page = snapshot.removesuffix("snapshot.jpg")
            for method in ("POST", "PUT", "DELETE"):
                assert client.request(method, page).status_code == 403  # django.security.csrf
                assert client.request(method, snapshot).status_code == 405  # django.request
            unknown = snapshot.replace(secret, secret[:-4] + "zzzz")
            assert client.get(unknown).status_code == 404  # django.request "Not Found"
            for name in PROBED:
                text = f"{snapshot}?via={name or 'root'}"
                assert client.get("/_test/log", params={"logger": name, "text": text}).is_success
    finally:
        server.stop()  # flushes what the server buffered
    log = server.log_path.read_text()
    assert secret not in log and secret[3:] not in log
    assert secret[:-4] not in log  # the unknown link's secret too
    assert re.search(r'"GET /share/ls_\[redacted\]/snapshot\.jpg HTTP/1\.1" 200', log), log
    assert "Forbidden (CSRF cookie not set.): /share/ls_[redacted]/\n" in log
    assert "Method Not Allowed (POST): /share/ls_[redacted]/snapshot.jpg" in log
    assert "Not Found: /share/ls_[redacted]/snapshot.jpg" in log
    for name in PROBED:
        shown = f"/share/ls_[redacted]/snapshot.jpg?via={name or 'root'}"
        for way in ("argument", "message", "traceback"):
            assert f"probe ({way}): {shown}" in log, (name, way)
