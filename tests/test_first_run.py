"""Nodes started at the same instant on a fresh data dir: one setup, one admin, one key.

Three ``serve`` and two ``capture`` processes share a fresh database and Redis and are released
together (after Python's imports), several rounds per database because it is a race.
"""

from __future__ import annotations

import re
import sqlite3
import stat
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import httpx
import psycopg
import pytest

from tests.support.cluster import CaptureProcess
from tests.support.postgres import postgres_database
from tests.support.redis import RedisServer
from tests.support.server import ADMIN_PASSWORD, LivecamServer
from tests.support.together import start_together

ROUNDS = 3
# Five Django processes starting at once on two shared cores: each may take a while.
READY_TIMEOUT = 90
PASSWORD_LINE = re.compile(r"Created user 'admin' with password: (\S+)")
DEMO_LINE = "Added the test-pattern camera 'demo'."

Query = Callable[[str], list[tuple[object, ...]]]


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_database(request: pytest.FixtureRequest) -> Iterator[Callable[[Path], Query]]:
    """Yield a factory: a fresh database for a data dir (its env is set), and a query on it."""
    with ExitStack() as stack:

        def make(data_dir: Path) -> Query:
            if request.param == "sqlite":
                path = data_dir / "livecam.sqlite3"

                def query_sqlite(sql: str) -> list[tuple[object, ...]]:
                    with sqlite3.connect(path) as conn:
                        return conn.execute(sql).fetchall()

                return query_sqlite
            try:
                url = stack.enter_context(postgres_database())
            except (LookupError, OSError) as exc:
                pytest.skip(f"no PostgreSQL available: {exc}")
            (data_dir / "database_url").write_text(url)

            def query_postgres(sql: str) -> list[tuple[object, ...]]:
                with psycopg.connect(url.replace("postgres://", "postgresql://")) as conn:
                    return conn.execute(sql).fetchall()  # type: ignore[arg-type]

            return query_postgres

        yield make


@pytest.mark.timeout(ROUNDS * READY_TIMEOUT)
def test_nodes_started_together_on_a_fresh_data_dir_set_up_once(
    tmp_path: Path, redis_server: RedisServer, fresh_database: Callable[[Path], Query]
):
    for round_number in range(ROUNDS):
        # Alternate a generated password (printed by exactly one process) and a configured one.
        _round(tmp_path / f"round-{round_number}", redis_server, fresh_database, round_number % 2)


def _round(
    data_dir: Path, redis: RedisServer, fresh_database: Callable[[Path], Query], configured: int
) -> None:
    data_dir.mkdir()
    query = fresh_database(data_dir)
    env = {"LIVECAM_REDIS_URL": redis.url}
    if (data_dir / "database_url").exists():
        env["LIVECAM_DATABASE_URL"] = (data_dir / "database_url").read_text()
    # A Redis key prefix of this round's own: the leases of the last round's cameras are void.
    settings = {"REDIS_PREFIX": f"{data_dir.name}:"}
    webs = [LivecamServer(data_dir, settings=settings, env=env) for _ in range(3)]
    for index, web in enumerate(webs):
        web.log_path = data_dir / f"web-{index}.log"
        web.env.pop("LIVECAM_SECRET_KEY", None)  # tests/settings.py sets one: each must make it
        if not configured:
            web.env.pop("LIVECAM_ADMIN_PASSWORD")
    captures = [CaptureProcess(webs[0].env, data_dir / f"capture-{i}.log") for i in range(2)]
    commands = [(["serve", "--port", str(w.port), "--demo"], w.env, w.log_path) for w in webs]
    commands += [(["capture"], c.env, c.log_path) for c in captures]
    processes = start_together(commands)
    for node, process in zip([*webs, *captures], processes, strict=True):
        node.process = process
    try:
        for node in [*webs, *captures]:
            node.wait_ready(timeout=READY_TIMEOUT)
        _check(data_dir, webs, query, configured)
    except BaseException as exc:
        logs = "\n".join(f"--- {p.name}\n{p.read_text()[-2000:]}" for p in data_dir.glob("*.log"))
        raise AssertionError(f"{data_dir.name}: {exc}\n{logs}") from exc
    finally:
        for process in processes:  # all at once, then wait for each
            process.terminate()
        for node in [*webs, *captures]:
            node.stop()


def _check(data_dir: Path, webs: list[LivecamServer], query: Query, configured: int) -> None:
    logs = "".join(path.read_text() for path in data_dir.glob("*.log"))
    assert "Traceback" not in logs
    printed = PASSWORD_LINE.findall(logs)
    assert len(printed) == (0 if configured else 1), printed
    password = ADMIN_PASSWORD if configured else printed[0]
    assert logs.count(DEMO_LINE) == 1

    assert query("SELECT username FROM auth_user WHERE is_superuser") == [("admin",)]
    assert query("SELECT id FROM livecam_camera") == [("demo",)]
    applied = query("SELECT app, name FROM django_migrations")
    assert len(applied) == len(set(applied)), "a migration was applied twice"

    key = data_dir / "secret_key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert [p.name for p in data_dir.iterdir() if "secret" in p.name] == ["secret_key"]

    # One key for all: a session made on one worker is accepted by every other.
    with webs[0].session(password=password) as session:
        cookies = dict(session.cookies)
    for web in webs[1:]:
        with httpx.Client(base_url=web.base_url, cookies=cookies, timeout=10) as client:
            cameras = client.get("/api/cameras")
            assert cameras.status_code == 200, cameras.text
            assert [camera["id"] for camera in cameras.json()] == ["demo"]
