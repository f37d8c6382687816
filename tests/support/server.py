"""A real livecam server (``livecam serve``) in a subprocess on a free port, for tests."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx

ADMIN_PASSWORD = "test-admin-Password-1"
ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    """Return a TCP port that is free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LivecamServer:
    """Start, query and stop one ``livecam serve`` process with its own data dir."""

    def __init__(
        self,
        data_dir: Path,
        settings: dict[str, Any] | None = None,
        env: dict[str, str] | None = None,
    ) -> None:
        self.data_dir = data_dir
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.server_settings",
            "LIVECAM_DATA_DIR": str(data_dir),
            "LIVECAM_ADMIN_PASSWORD": ADMIN_PASSWORD,
            "LIVECAM_LOG_LEVEL": "WARNING",
            "LIVECAM_ACCESS_LOG": "0",
            "LIVECAM_TEST_SETTINGS": json.dumps(settings or {}),
            "PYTHONPATH": str(ROOT),
            **(env or {}),
        }
        self.process: subprocess.Popen[bytes] | None = None
        self._token: str | None = None
        self.log_path = data_dir / "server.log"

    def cli(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        """Run ``livecam ARGS`` against this server's data dir."""
        result = subprocess.run(
            [sys.executable, "-m", "livecam.cli", *args],
            env=self.env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
        if check and result.returncode != 0:
            raise AssertionError(f"livecam {' '.join(args)} failed: {result.stderr}")
        return result

    def start(self, *extra: str) -> None:
        """Start ``livecam serve`` and wait until /healthz answers."""
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "livecam.cli", "serve", "--port", str(self.port), *extra],
                env=self.env,
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self.wait_ready()

    def wait_ready(self, timeout: float = 30) -> None:
        """Wait until the started process answers /healthz."""
        assert self.process is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"server exited: {self.log_path.read_text()}")
            try:
                if httpx.get(self.url("/healthz"), timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.05)  # waiting for a port to open: there is no event to await
        raise AssertionError(f"server did not start in {timeout:g} s")

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 10) -> int:
        """Signal the server and return its exit code."""
        assert self.process is not None
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode

    def url(self, path: str) -> str:
        """Return the absolute URL of a path on this server."""
        return self.base_url + path

    @property
    def token(self) -> str:
        """Return an API token of the admin user (created once)."""
        if self._token is None:
            self._token = self.cli("token", "create", "admin").stdout.strip().splitlines()[-1]
        return self._token

    def auth_headers(self) -> dict[str, str]:
        """Return the Authorization header of the admin token."""
        return {"Authorization": f"Bearer {self.token}"}

    def api(self, timeout: float = 10) -> httpx.Client:
        """Return an HTTP client authenticated with the admin token."""
        return httpx.Client(base_url=self.base_url, headers=self.auth_headers(), timeout=timeout)

    def login(self, username: str = "admin", password: str = ADMIN_PASSWORD) -> httpx.Client:
        """Return an HTTP client logged in through the login form (session + CSRF cookie)."""
        client = httpx.Client(base_url=self.base_url, timeout=10)
        client.get("/login/")
        response = client.post(
            "/login/",
            data={
                "username": username,
                "password": password,
                "csrfmiddlewaretoken": client.cookies["csrftoken"],
            },
        )
        assert response.status_code == 302, response.text
        return client

    @contextlib.contextmanager
    def session(
        self, username: str = "admin", password: str = ADMIN_PASSWORD
    ) -> Iterator[httpx.Client]:
        """Yield a client logged in through the login form, closed afterwards."""
        client = self.login(username, password)
        try:
            yield client
        finally:
            client.close()

    def add_camera(self, camera_id: str, source: str = "pattern:", *options: str) -> None:
        """Add a camera with ``livecam camera add``."""
        self.cli("camera", "add", camera_id, source, *options)

    def wait_for(
        self,
        camera_id: str,
        predicate: Callable[[dict[str, Any]], bool],
        timeout: float = 10,
    ) -> dict[str, Any]:
        """Follow /api/events until the camera's state satisfies predicate; return it."""
        deadline = time.monotonic() + timeout
        with (
            httpx.Client(
                base_url=self.base_url,
                headers=self.auth_headers(),
                timeout=httpx.Timeout(timeout, read=timeout),
            ) as client,
            client.stream("GET", "/api/events") as response,
        ):
            assert response.status_code == 200
            event = ""
            for line in response.iter_lines():
                if line.startswith("event:"):
                    event = line[6:].strip()
                elif line.startswith("data:") and event == "camera":
                    state = json.loads(line[5:])
                    if state["id"] == camera_id and predicate(state):
                        return state
                if time.monotonic() > deadline:
                    break
        raise AssertionError(f"camera {camera_id} did not reach the expected state in time")
