"""The servers under test, each started fresh and pinned to CPU 0."""

from __future__ import annotations

import json
import os
import resource
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
SERVER_CPU = "0"


def free_port() -> int:
    """Return a free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def cpu_seconds(procs: list[psutil.Process]) -> float:
    """Return the user + system CPU seconds of processes (one that ended counts nothing)."""
    total = 0.0
    for proc in procs:
        try:
            times = proc.cpu_times()
            total += times.user + times.system
        except psutil.NoSuchProcess:
            pass
    return total


def _raise_fd_limit() -> None:
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


class Server:
    """A server process (tree) under test."""

    name = "server"
    path = "/"
    header = ""

    def __init__(self, width: int = 640, height: int = 480) -> None:
        self.width, self.height = width, height
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.workdir = Path(tempfile.mkdtemp(prefix=f"bench-{self.name}-"))

    def command(self) -> list[str]:
        raise NotImplementedError

    def env(self) -> dict[str, str]:
        return {**os.environ, "PYTHONPATH": str(ROOT) + os.environ.get("EXTRA_PYTHONPATH", "")}

    def prepare(self) -> None:
        """Run before start (create cameras, tokens…)."""

    def after_start(self) -> None:
        """Run once the port answers (switch the camera on…)."""

    def start(self) -> None:
        self.prepare()
        log = (self.workdir / "server.log").open("ab")
        self.process = subprocess.Popen(
            ["taskset", "-c", SERVER_CPU, *self.command()],
            env=self.env(),
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            preexec_fn=_raise_fd_limit,
            start_new_session=True,
        )
        log.close()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"{self.name} exited: {(self.workdir / 'server.log').read_text()}"
                )
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    break
            except OSError:
                time.sleep(0.1)
        self.after_start()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()

    def tree(self) -> list[psutil.Process]:
        assert self.process is not None
        root = psutil.Process(self.process.pid)
        return [root, *root.children(recursive=True)]

    def cpu_seconds(self) -> float:
        return cpu_seconds(self.tree())

    def rss_mb(self) -> float:
        total = 0
        for proc in self.tree():
            try:
                total += proc.memory_info().rss
            except psutil.NoSuchProcess:
                pass
        return total / 1e6

    def counters(self) -> dict[str, float]:
        """Return encode/capture counters when the server has them."""
        return {}

    def set_camera(self, on: bool) -> None:
        raise NotImplementedError


class FloorServer(Server):
    """The Python floor under uvicorn (uvloop + httptools)."""

    name = "floor"
    path = "/stream"

    def command(self) -> list[str]:
        return [
            sys.executable,
            "-m",
            "uvicorn",
            "bench.floor_asgi:app",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--loop",
            "uvloop",
            "--http",
            "httptools",
            "--no-access-log",
            "--log-level",
            "warning",
        ]

    def env(self) -> dict[str, str]:
        return {**super().env(), "FLOOR_WIDTH": str(self.width), "FLOOR_HEIGHT": str(self.height)}


class SeedServer(Server):
    """The tutorial design under Django's threaded development server."""

    name = "seed"
    path = "/stream/"

    def command(self) -> list[str]:
        return [sys.executable, "-m", "django", "runserver", f"127.0.0.1:{self.port}", "--noreload"]

    def env(self) -> dict[str, str]:
        return {
            **super().env(),
            "DJANGO_SETTINGS_MODULE": "bench.seed.settings",
            "SEED_WIDTH": str(self.width),
            "SEED_HEIGHT": str(self.height),
        }

    def after_start(self) -> None:
        self.set_camera(True)

    def set_camera(self, on: bool) -> None:
        data = b"state=" + (b"on" if on else b"off")
        urllib.request.urlopen(
            f"http://127.0.0.1:{self.port}/video_control/", data=data, timeout=10
        ).read()


class LivecamServer(Server):
    """`livecam serve` with one camera `cam` (a pattern, or a relay of another server)."""

    name = "livecam"
    path = "/cameras/cam/stream.mjpg"

    def __init__(self, width: int = 640, height: int = 480, source: str = "pattern:") -> None:
        super().__init__(width, height)
        self.source = source
        self.token = ""

    def env(self) -> dict[str, str]:
        return {
            **super().env(),
            "LIVECAM_DATA_DIR": str(self.workdir),
            "LIVECAM_ACCESS_LOG": "0",
            "LIVECAM_LOG_LEVEL": "WARNING",
            "LIVECAM_ADMIN_PASSWORD": "bench-Password-1",
            # Hundreds of viewers share one token here: no per-user stream cap.
            "LIVECAM_MAX_STREAMS_PER_USER": "0",
            # Capacity ladders go past the default 4096 connections per process (which then
            # answers 503 even to the benchmark's own /metrics requests).
            "LIVECAM_MAX_CONNECTIONS": "16384",
            "DJANGO_SETTINGS_MODULE": "livecam.site.settings",
        }

    def _cli(self, *args: str) -> str:
        result = subprocess.run(
            [sys.executable, "-m", "livecam.cli", *args],
            env=self.env(),
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
        )
        return result.stdout

    def prepare(self) -> None:
        self._cli("migrate", "--verbosity", "0")
        self._cli("createsuperuser", "--noinput", "--username", "admin", "--email", "")
        self._cli(
            "camera",
            "add",
            "cam",
            self.source,
            "--width",
            str(self.width),
            "--height",
            str(self.height),
            "--fps",
            "30",
            "--quality",
            "80",
        )
        self.token = self._cli("token", "create", "admin").split()[-1]
        self.header = f"Authorization: Bearer {self.token}"

    def command(self) -> list[str]:
        return [sys.executable, "-m", "livecam.cli", "serve", "--port", str(self.port)]

    def after_start(self) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:  # wait for the camera's first frame
            if self._api("GET", "/api/cameras/cam").get("online"):
                return
            time.sleep(0.2)
        raise RuntimeError("livecam camera did not come online")

    def _api(self, method: str, path: str) -> dict[str, object]:
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}{path}",
            method=method,
            headers={"Authorization": f"Bearer {self.token}"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return json.loads(response.read())  # type: ignore[no-any-return]

    def set_camera(self, on: bool) -> None:
        self._api("POST", f"/api/cameras/cam/{'on' if on else 'off'}")

    def counters(self) -> dict[str, float]:
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}/metrics",
            headers={"Authorization": f"Bearer {self.token}"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            text = response.read().decode()
        values = {}
        for line in text.splitlines():
            if line.startswith("livecam_") and 'camera="cam"' in line:
                name = line.split("{")[0]
                values[name] = float(line.rsplit(" ", 1)[1])
        return values
