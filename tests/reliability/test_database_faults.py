"""PostgreSQL faults under a real server: dropped connections, a database stopped and started.

The server runs on a private PostgreSQL cluster of this module (tests/support/postgres.py), so
a test may kill its connections (``pg_terminate_backend``) and stop and start the server.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import httpx
import psycopg
import pytest

from tests.support.postgres import PrivateCluster, postgres_database
from tests.support.server import LivecamServer

pytestmark = pytest.mark.timeout(180)

RECHECK = 0.5  # ACCESS_RECHECK of this server: a wrong "no" would end a stream within ~1 s
GRACE = 6.0  # ACCESS_GRACE of this server


class OpenStream:
    """One long-lived response read in a thread until the server ends it."""

    def __init__(self, client: httpx.Client, path: str) -> None:
        self.received = 0
        self.ended_at: float | None = None
        self.status = 0
        self._opened = threading.Event()
        self._client, self._path = client, path
        threading.Thread(target=self._read, daemon=True).start()
        assert self._opened.wait(15), f"{path} did not open"
        assert self.status == 200, f"{path}: {self.status}"

    def _read(self) -> None:
        try:
            with self._client.stream("GET", self._path) as response:
                self.status = response.status_code
                self._opened.set()
                for chunk in response.iter_raw():
                    self.received += len(chunk)
        except httpx.HTTPError:
            pass
        finally:
            self.ended_at = time.monotonic()
            self._opened.set()

    def bytes_after(self, seconds: float) -> int:
        """Return how many bytes arrive within `seconds` (the scenario's duration)."""
        before = self.received
        time.sleep(seconds)
        return self.received - before


@pytest.fixture(scope="module")
def cluster() -> Iterator[PrivateCluster]:
    try:
        instance = PrivateCluster()
    except LookupError as exc:
        pytest.skip(f"no PostgreSQL server binaries: {exc}")
    instance.start()
    yield instance
    instance.remove()


@pytest.fixture(scope="module")
def pg_server(
    cluster: PrivateCluster, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LivecamServer]:
    with postgres_database(cluster.dsn) as url:
        server = LivecamServer(
            tmp_path_factory.mktemp("pg-faults"),
            settings={"ACCESS_RECHECK": RECHECK, "ACCESS_GRACE": GRACE},
            env={"LIVECAM_DATABASE_URL": url},
        )
        server.start("--demo")
        server.add_camera("slow", "pattern:", "--width", "160", "--height", "120", "--fps", "5")
        server.wait_for("slow", lambda s: s["online"], timeout=20)
        yield server
        server.stop()


def _terminate_livecam_connections(cluster: PrivateCluster) -> int:
    with psycopg.connect(cluster.dsn + " dbname=postgres", autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname LIKE 'livecam_test_%' AND pid <> pg_backend_pid()"
        ).fetchall()
    return len(rows)


def _viewers(server: LivecamServer, share_path: str) -> tuple[list[httpx.Client], dict]:
    token = httpx.Client(base_url=server.base_url, headers=server.auth_headers(), timeout=10)
    session = server.login()
    anonymous = httpx.Client(base_url=server.base_url, timeout=10)
    streams = {
        "token stream": OpenStream(token, "/cameras/slow/stream.mjpg"),
        "session stream": OpenStream(session, "/cameras/slow/stream.mjpg"),
        "share stream": OpenStream(anonymous, share_path),
        "events": OpenStream(token, "/api/events"),
    }
    return [token, session, anonymous], streams


def _share_path(server: LivecamServer) -> str:
    out = server.cli("share", "create", "slow", "--never-expires").stdout
    return next(line.split()[-1] for line in out.splitlines() if line.startswith("stream:"))


def test_dropped_database_connections_do_not_end_open_streams(
    pg_server: LivecamServer, cluster: PrivateCluster
):
    share = _share_path(pg_server)
    clients, streams = _viewers(pg_server, share)
    try:
        time.sleep(2 * RECHECK)  # the scenario: re-checks have run on the connections to kill
        assert _terminate_livecam_connections(cluster) >= 1
        # Longer than the grace time: had the re-checks kept failing, the streams would end.
        for _ in range(2):
            time.sleep(GRACE)
            assert _terminate_livecam_connections(cluster) >= 0
        for name, stream in streams.items():
            assert stream.ended_at is None, f"{name} was closed after the connections dropped"
        for name in ("token stream", "session stream", "share stream"):
            assert streams[name].bytes_after(1.5) > 0, f"{name} stopped receiving"
        # Re-checks reach the database again: a revocation still ends the share stream.
        link_id = pg_server.cli("share", "list").stdout.split()[0]
        pg_server.cli("share", "revoke", link_id)
        deadline = time.monotonic() + 10
        while streams["share stream"].ended_at is None and time.monotonic() < deadline:
            time.sleep(0.1)
        assert streams["share stream"].ended_at is not None, "revocation no longer seen"
        assert streams["token stream"].ended_at is None
    finally:
        for client in clients:
            client.close()


def _wait_status(client: httpx.Client, path: str, status: int, timeout: float = 20) -> float:
    """Poll path until it answers `status`; return how long that took."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        try:
            if client.get(path).status_code == status:
                return time.monotonic() - start
        except httpx.TransportError:
            pass
        time.sleep(0.1)  # polling a server for a state: there is no event to await
    raise AssertionError(f"{path} did not answer {status} within {timeout} s")


def _is_jpeg(answer: httpx.Response) -> bool:
    return (
        answer.status_code == 200
        and answer.headers["content-type"] == "image/jpeg"
        and answer.content.startswith(b"\xff\xd8")
    )


def _assert_database_503(answer: httpx.Response) -> None:
    assert answer.status_code == 503, (answer.request.url, answer.status_code, answer.text)
    assert answer.headers["retry-after"] == "5"
    assert answer.json() == {"detail": "the database is unavailable; try again shortly"}


def test_a_database_outage_answers_503_keeps_streams_for_the_grace_time_and_recovers(
    pg_server: LivecamServer, cluster: PrivateCluster
):
    token = httpx.Client(base_url=pg_server.base_url, headers=pg_server.auth_headers(), timeout=10)
    # A valid token this server has never seen: nothing is remembered for it.
    unseen_raw = pg_server.cli("token", "create", "admin").stdout.strip().splitlines()[-1]
    unseen = httpx.Client(
        base_url=pg_server.base_url, headers={"Authorization": f"Bearer {unseen_raw}"}, timeout=10
    )
    session = pg_server.login()
    stream = OpenStream(token, "/cameras/slow/stream.mjpg")
    events = OpenStream(token, "/api/events")
    log_before = pg_server.log_path.read_text()
    try:
        # The clients' last real "yes" for the camera, just before the outage.
        assert _is_jpeg(token.get("/cameras/slow/snapshot.jpg"))
        assert _is_jpeg(session.get("/cameras/slow/snapshot.jpg"))
        allowed_at = time.monotonic()
        stopped = time.monotonic()  # the server refuses connections from its first moment
        cluster.stop()
        # Snapshots need no database (the frame is in memory): clients allowed the camera
        # within the grace time still get it; anyone else is refused, as for everything that
        # needs the database.
        assert _is_jpeg(token.get("/cameras/slow/snapshot.jpg"))
        assert _is_jpeg(session.get("/cameras/slow/snapshot.jpg"))
        _assert_database_503(unseen.get("/cameras/slow/snapshot.jpg"))
        _assert_database_503(token.get("/cameras/demo/snapshot.jpg"))  # never asked for
        assert time.monotonic() - allowed_at < GRACE, "too slow to test within the grace"
        for method, path in [
            ("GET", "/api/cameras"),
            ("POST", "/api/cameras/slow/off"),
            ("PATCH", "/api/cameras/slow/motion"),
            ("GET", "/cameras/slow/stream.mjpg"),
        ]:
            _assert_database_503(
                token.request(method, path, json={} if method == "PATCH" else None)
            )
        page = session.get("/")
        assert page.status_code == 503 and page.headers["retry-after"] == "5"
        assert (
            "Temporarily unavailable" in page.text and "text/html" in page.headers["content-type"]
        )
        assert session.get("/cameras/slow/stream.mjpg").status_code == 503
        assert httpx.get(pg_server.url("/healthz")).status_code == 200

        # Open streams go on for the grace time (the last "yes" stands), then end: a
        # revocation could no longer be seen, so they fail closed.
        for name, feed in (("stream", stream), ("events", events)):
            while feed.ended_at is None and time.monotonic() - stopped < GRACE + 10:
                time.sleep(0.1)  # the scenario's clock: the feed ends when the grace is over
            assert feed.ended_at is not None, f"the {name} outlived the grace time"
            lasted = feed.ended_at - stopped
            assert GRACE - 1.0 <= lasted <= GRACE + 2 * RECHECK + 3.0, (name, lasted)
        # After the grace time nothing is served on old answers: snapshots and new streams 503.
        time.sleep(max(0.0, allowed_at + GRACE + 0.2 - time.monotonic()))
        _assert_database_503(token.get("/cameras/slow/snapshot.jpg"))
        assert session.get("/cameras/slow/snapshot.jpg").status_code == 503
        _assert_database_503(token.get("/cameras/slow/stream.mjpg"))

        started = time.monotonic()
        cluster.start()
        recovered = _wait_status(token, "/api/cameras", 200)
        assert recovered < 10, f"API back {recovered:.1f} s after the database"
        assert session.get("/").status_code == 200
        assert _is_jpeg(unseen.get("/cameras/slow/snapshot.jpg"))
        again = OpenStream(token, "/cameras/slow/stream.mjpg")
        assert again.bytes_after(1.0) > 0
        assert time.monotonic() - started < 20
    finally:
        if cluster_down(cluster):
            cluster.start()
        for client in (token, unseen, session):
            client.close()
    log = pg_server.log_path.read_text()[len(log_before) :]
    assert "Internal Server Error" not in log and "ERROR django.request" not in log, log[-3000:]
    assert "the database is unavailable" in log  # one warning per burst, with a count


def cluster_down(cluster: PrivateCluster) -> bool:
    """Return True when the cluster does not accept connections."""
    try:
        with psycopg.connect(cluster.dsn + " dbname=postgres", connect_timeout=2):
            return False
    except psycopg.Error:
        return True


def test_a_snapshot_of_an_off_camera_is_503_and_no_error_line(pg_server: LivecamServer):
    pg_server.add_camera("offcam", "pattern:", "--off")
    before = pg_server.log_path.read_text()
    with pg_server.api() as api:
        for _ in range(3):
            answer = api.get("/cameras/offcam/snapshot.jpg")
            assert answer.status_code == 503
            assert answer.json() == {"detail": "camera is off"}
    assert "offcam" not in pg_server.log_path.read_text()[len(before) :]
