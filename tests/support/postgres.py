"""A PostgreSQL server for tests: the local one when reachable, else a private cluster."""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg

from tests.support.server import free_port

LOCAL = os.environ.get("LIVECAM_TEST_POSTGRES", "host=127.0.0.1 port=5432 user=postgres")


def _reachable(dsn: str) -> bool:
    try:
        with psycopg.connect(dsn + " dbname=postgres", connect_timeout=3):
            return True
    except psycopg.Error:
        return False


class PrivateCluster:
    """A throwaway cluster with Debian's binaries, run as the postgres user (we may be root).

    Tests of database outages stop and start it (`stop`, `start`: same port, same data).
    """

    def __init__(self) -> None:
        binaries = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
        if not binaries or shutil.which("runuser") is None:
            raise LookupError("no PostgreSQL server binaries (Debian package postgresql)")
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            raise LookupError("no 'postgres' system user to run the server as") from None
        self.bindir = Path(binaries[-1]).parent
        # Not under pytest's tmp dirs: those are private to root, the server runs as postgres.
        self.workdir = Path(tempfile.mkdtemp(prefix="livecam-pg-"))
        self.data = self.workdir / "pgdata"
        self.data.mkdir()
        shutil.chown(self.workdir, "postgres")
        shutil.chown(self.data, "postgres")
        self.port = free_port()
        self.dsn = f"host=127.0.0.1 port={self.port} user=postgres"
        self._as_postgres(
            str(self.bindir / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres"
        )

    def _as_postgres(self, *args: str) -> None:
        subprocess.run(
            ["runuser", "-u", "postgres", "--", *args], check=True, capture_output=True, timeout=120
        )

    def start(self) -> None:
        """Start the server and wait until it accepts connections."""
        # -l: the server must not inherit our pipes, or waiting for the command would never end.
        options = f"-p {self.port} -k {self.workdir} -c listen_addresses=127.0.0.1"
        log = str(self.workdir / "log")
        self._as_postgres(
            str(self.bindir / "pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            log,
            "-w",
            "-o",
            options,
            "start",
        )

    def stop(self) -> None:
        """Stop the server (fast: open connections are cut)."""
        self._as_postgres(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "fast", "stop")

    def remove(self) -> None:
        """Stop the server if it runs and delete its files."""
        try:
            self.stop()
        except subprocess.CalledProcessError:
            pass  # already stopped
        shutil.rmtree(self.workdir, ignore_errors=True)


@contextmanager
def _private_cluster() -> Iterator[str]:
    cluster = PrivateCluster()
    cluster.start()
    try:
        yield cluster.dsn
    finally:
        cluster.remove()


@contextmanager
def postgres_database(dsn: str | None = None) -> Iterator[str]:
    """Yield a URL of a new empty database (on `dsn`'s server if given), dropped afterwards."""
    with _server() if dsn is None else contextlib.nullcontext(dsn) as dsn:
        name = f"livecam_test_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(dsn + " dbname=postgres", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        params = dict(item.split("=", 1) for item in dsn.split())
        try:
            yield f"postgres://{params['user']}@{params['host']}:{params['port']}/{name}"
        finally:
            deadline = time.monotonic() + 10
            with psycopg.connect(dsn + " dbname=postgres", autocommit=True) as conn:
                while time.monotonic() < deadline:
                    try:
                        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                        break
                    except psycopg.Error:
                        time.sleep(0.2)  # a server process may still hold it for a moment


@contextmanager
def _server() -> Iterator[str]:
    if _reachable(LOCAL):
        yield LOCAL
        return
    with _private_cluster() as dsn:
        yield dsn
