"""Walk every URL the site has: GET never changes state, and session POSTs need CSRF."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

import httpx
import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.security.conftest import HIDDEN, World

# Each CLI call starts Django anew: on a loaded 2-core machine that takes seconds.
pytestmark = pytest.mark.timeout(180)

# Bookkeeping that a read may legitimately write: sessions, login-attempt records, and when a
# token was last used. Everything else in the database must stay byte-for-byte the same.
_IGNORED_TABLES = {"django_session", "axes_accessattempt", "axes_accesslog"}
_IGNORED_COLUMNS = {"last_used_at", "last_login"}
# Unnamed admin URLs, both plain redirects: the catch-all for unknown admin URLs and the old
# "<model>/<id>/" form of the change page.
_UNNAMED_OK = {"(?P<url>.*)$", "<path:object_id>/"}
# Query strings that make a URL do its real work (a stream without cameras is only a 400).
_QUERIES = {"livecam:tiles": "?ids=demo&width=160"}


def _walk(patterns: list, namespaces: tuple[str, ...] = ()) -> Iterator[tuple[str, list[str]]]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            extra = (entry.namespace,) if entry.namespace else ()
            yield from _walk(entry.url_patterns, namespaces + extra)
        elif isinstance(entry, URLPattern):
            if not entry.name:
                assert str(entry.pattern) in _UNNAMED_OK, f"unnamed URL {entry.pattern}"
                continue
            params = list(entry.pattern.regex.groupindex)
            yield ":".join((*namespaces, entry.name)), params


def _object_id(name: str) -> str:
    if "livecam_camera" in name:
        return "demo"
    if "livecam_cameraaccess" in name:
        return HIDDEN
    return "1"


def _paths(world: World) -> list[str]:
    values = {
        "camera_id": "demo",
        "secret": world.shares["valid"],
        "token_id": "1",
        "link_id": "1",
        "app_label": "livecam",
        "content_type_id": "1",
        "id": "1",
    }
    paths = []
    for name, params in _walk(get_resolver().url_patterns):
        kwargs = {param: values.get(param) or _object_id(name) for param in params}
        paths.append(reverse(name, kwargs=kwargs) + _QUERIES.get(name, ""))
    return sorted(set(paths))


def _state(world: World) -> dict[str, list[tuple]]:
    """Read every table of the server's database (read-only) except bookkeeping."""
    path = world.server.data_dir / "livecam.sqlite3"
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        tables = [
            row[0]
            for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")
            if row[0] not in _IGNORED_TABLES
        ]
        state = {}
        for table in tables:
            columns = [row[1] for row in db.execute(f'PRAGMA table_info("{table}")')]
            kept = ", ".join(f'"{c}"' for c in columns if c not in _IGNORED_COLUMNS)
            # Table and column names come from the database's own catalogue, not from input.
            query = f'SELECT {kept} FROM "{table}"'  # noqa: S608
            state[table] = sorted(map(repr, db.execute(query)))
    return state


def _get(client: httpx.Client, path: str) -> int:
    timeout = httpx.Timeout(10, read=2.0)
    try:
        with client.stream("GET", path, timeout=timeout) as response:
            next(response.iter_raw(), b"")  # streams: the first bytes are enough
            return response.status_code
    except httpx.ReadTimeout:
        return 200  # an event stream that had nothing to say yet


@pytest.fixture(scope="module")
def paths(world: World) -> list[str]:
    found = _paths(world)
    assert len(found) > 40  # the site's own routes plus the Django admin's
    return found


@pytest.mark.parametrize("caller", ["session", "token"])
def test_get_never_changes_state(world: World, paths: list[str], caller: str):
    opened = world.session("admin") if caller == "session" else world.bearer("admin")
    with opened as client:
        before = _state(world)
        statuses = {path: _get(client, path) for path in paths}
        after = _state(world)
    assert not [path for path, status in statuses.items() if status >= 500], statuses
    changed = [table for table in before if before[table] != after.get(table)]
    assert not changed, f"GET requests changed {changed}"


def test_session_posts_without_csrf_are_refused(world: World, paths: list[str]):
    with world.session("admin") as client:
        before = _state(world)
        statuses = {path: client.post(path, data={"state": "off"}).status_code for path in paths}
        after = _state(world)
    wrong = {path: status for path, status in statuses.items() if status not in (403, 405)}
    assert not wrong, f"answered a session POST without a CSRF token: {wrong}"
    assert before == after


def test_session_posts_from_another_origin_are_refused(world: World):
    with world.session("admin") as client:
        token = client.cookies["csrftoken"]
        evil = {"Origin": "https://evil.example", "X-CSRFToken": token}
        assert client.post("/api/cameras/demo/off", headers=evil).status_code == 403
        form = {"state": "off", "csrfmiddlewaretoken": token}
        assert client.post("/cameras/demo/power", data=form, headers=evil).status_code == 403
        # The same requests from our own origin work: the refusals above are CSRF's doing.
        same = {"Origin": world.server.base_url, "X-CSRFToken": token}
        assert client.post("/api/cameras/demo/on", headers=same).status_code == 200
        response = client.post("/cameras/demo/power", data={**form, "state": "on"}, headers=same)
        assert response.status_code == 303
        assert client.get("/api/cameras/demo").json()["enabled"] is True
