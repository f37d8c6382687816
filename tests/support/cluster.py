"""A scaled-out livecam for tests: redis-server, capture processes and web servers, all real."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tests.support.redis import RedisServer
from tests.support.server import ROOT, LivecamServer

# Fast timings so failover and reconnects happen within seconds in tests.
SETTINGS = {"LEASE_TTL": 2.0, "BUS_HEARTBEAT": 0.5, "BUS_RETRY_MAX": 1.0}


class CaptureProcess:
    """One ``livecam capture`` process."""

    def __init__(self, env: dict[str, str], log_path: Path) -> None:
        self.env, self.log_path = env, log_path
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Start it and wait for its "running" line."""
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "livecam.cli", "capture"],
                env=self.env,
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self.wait_ready()

    def wait_ready(self, timeout: float = 30) -> None:
        """Wait for the started process's "running" line."""
        assert self.process is not None
        deadline = time.monotonic() + timeout
        while "livecam capture is running." not in self.log_path.read_text():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"capture did not start: {self.log_path.read_text()}")
            time.sleep(0.05)  # a subprocess's log line: there is no event to await

    @property
    def pid(self) -> int:
        """Return the process id."""
        assert self.process is not None
        return self.process.pid

    def stop(self, sig: int = signal.SIGTERM) -> int:
        """Signal the process and return its exit code."""
        assert self.process is not None
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode


class Cluster:
    """Redis, N capture processes and N web servers sharing one database."""

    def __init__(self, workdir: Path, settings: dict[str, Any] | None = None) -> None:
        self.workdir = workdir
        self.redis = RedisServer(workdir / "redis")
        self.settings = {**SETTINGS, **(settings or {})}
        self.webs: list[LivecamServer] = []
        self.captures: list[CaptureProcess] = []

    def start_redis(self) -> None:
        """Start the Redis server."""
        self.redis.start()

    def web(self, *extra: str) -> LivecamServer:
        """Start one more ``livecam serve`` on its own port (the same data dir and Redis)."""
        server = LivecamServer(
            self.workdir,
            settings=self.settings,
            env={"LIVECAM_REDIS_URL": self.redis.url},
        )
        server.log_path = self.workdir / f"web-{len(self.webs)}.log"
        server.start(*extra)
        self.webs.append(server)
        return server

    def capture(self) -> CaptureProcess:
        """Start one more ``livecam capture``."""
        assert self.webs, "start a web server first (it migrates the database)"
        env = {**self.webs[0].env, "LIVECAM_LOG_LEVEL": "INFO"}  # lease and capture lines
        process = CaptureProcess(env, self.workdir / f"capture-{len(self.captures)}.log")
        process.start()
        self.captures.append(process)
        return process

    def lease_holder(self, camera_id: str) -> str:
        """Return the token of the capture process holding the camera's lease ('' if none)."""
        value = self.redis.client().get(f"livecam:lease:{camera_id}")
        return value.decode() if value else ""

    def stop(self) -> None:
        """Stop everything (web servers, capture, Redis)."""
        for server in self.webs:
            if server.process is not None:
                server.stop()
        for process in self.captures:
            if process.process is not None:
                process.stop()
        self.redis.stop()

    def logs(self) -> str:
        """Return every process's log (for failure messages)."""
        return "\n".join(
            f"--- {path.name}\n{path.read_text()[-3000:]}"
            for path in sorted(self.workdir.glob("*.log"))
        )


def running_cluster(workdir: Path, webs: int) -> Iterator[Cluster]:
    """Yield Redis, `webs` web servers and one capture process; stop them all afterwards."""
    instance = Cluster(workdir)
    try:
        instance.start_redis()
        for _ in range(webs):
            instance.web()
        instance.capture()
    except BaseException:
        instance.stop()
        raise
    yield instance
    instance.stop()
