"""A PostgreSQL server for tests: the local one when reachable, else a private cluster."""

from __future__ import annotations

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


@contextmanager
def _private_cluster() -> Iterator[str]:
    """Run a throwaway cluster with Debian's binaries as the postgres user (we may be root)."""
    binaries = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not binaries or shutil.which("runuser") is None:
        raise LookupError("no PostgreSQL server binaries (Debian package postgresql)")
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        raise LookupError("no 'postgres' system user to run the server as") from None
    bindir = Path(binaries[-1]).parent
    # Not under pytest's tmp dirs: those are private to root, the server runs as postgres.
    workdir = Path(tempfile.mkdtemp(prefix="livecam-pg-"))
    data = workdir / "pgdata"
    data.mkdir()
    shutil.chown(workdir, "postgres")
    shutil.chown(data, "postgres")
    port = free_port()

    def as_postgres(*args: str) -> None:
        subprocess.run(
            ["runuser", "-u", "postgres", "--", *args], check=True, capture_output=True, timeout=120
        )

    as_postgres(str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres")
    # -l: the server must not inherit our pipes, or waiting for the command would never end.
    as_postgres(
        str(bindir / "pg_ctl"),
        "-D",
        str(data),
        "-l",
        str(workdir / "log"),
        "-w",
        "-o",
        f"-p {port} -k {workdir} -c listen_addresses=127.0.0.1",
        "start",
    )
    try:
        yield f"host=127.0.0.1 port={port} user=postgres"
    finally:
        as_postgres(str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "stop")
        shutil.rmtree(workdir, ignore_errors=True)


@contextmanager
def postgres_database() -> Iterator[str]:
    """Yield a URL of a new empty database, dropped afterwards."""
    with _server() as dsn:
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
