"""Who may manage cameras: the new routes x every kind of caller x open / hidden / missing camera.

Viewers and operators get 403 for what they may see and 404 for what they may not, exactly like
the existing routes; only admins (never a read-only or camera-limited token) add, edit, remove,
probe and list devices; operators set picture controls.
"""

from __future__ import annotations

import httpx
import pytest

from tests.security.conftest import HIDDEN, World
from tests.security.test_matrix import CALLERS, MISSING, Who, _client, _csrf

ADMINS = {"admin-role", "superuser", "admin-token"}
CAMERAS = [HIDDEN, "demo", MISSING]


def _expect(who: Who, route: str, camera: str | None = None) -> int:
    if who.kind in ("anon", "bad-token"):
        return 401
    admin = who.name in ADMINS
    if camera is None:
        return (201 if route == "create" else 200) if admin else 403
    if camera not in who.sees:
        return 404
    if route == "controls-get":
        return 200
    if route == "controls-set":
        return 200 if who.switch else 403
    return 200 if admin else 403


@pytest.mark.parametrize("who", CALLERS, ids=[who.name for who in CALLERS])
def test_management_routes_matrix(world: World, who: Who):
    problems: list[str] = []
    own = f"mgmt-{who.name}"
    with _client(world, who) as client:

        def call(method: str, path: str, body: object = None) -> httpx.Response:
            return client.request(method, path, json=body, headers=_csrf(client))

        checks = {
            "create": call(
                "POST", "/api/cameras", {"id": own, "source": "pattern:", "enabled": False}
            ),
            "probe": call("POST", "/api/sources/probe", {"source": "file:/etc/passwd"}),
            "devices": call("GET", "/api/devices"),
        }
        for route, answer in checks.items():
            if answer.status_code != _expect(who, route):
                problems.append(f"{route}: {answer.status_code} != {_expect(who, route)}")
        for camera in CAMERAS:
            answers = {
                "patch": call("PATCH", f"/api/cameras/{camera}", {}),
                "controls-get": call("GET", f"/api/cameras/{camera}/controls"),
                "controls-set": call("PATCH", f"/api/cameras/{camera}/controls", {"brightness": 0}),
                "masks": call("PUT", f"/api/cameras/{camera}/masks", {"masks": []}),
            }
            if who.name not in ADMINS or camera == MISSING:  # admins keep the world's cameras
                answers["delete"] = call("DELETE", f"/api/cameras/{camera}")
            for route, answer in answers.items():
                expected = _expect(who, route, camera)
                if route == "controls-set" and camera == MISSING:
                    expected = _expect(who, "controls-get", camera)
                if answer.status_code != expected:
                    problems.append(f"{route}({camera}): {answer.status_code} != {expected}")
                if HIDDEN not in who.sees and HIDDEN.encode() in answer.content:
                    problems.append(f"{route}({camera}): names the hidden camera")
            if camera == HIDDEN and HIDDEN not in who.sees:
                # The hidden camera answers exactly like a missing one, route by route.
                for route, answer in answers.items():
                    twin = call(
                        answer.request.method,
                        str(answer.request.url.path).replace(HIDDEN, MISSING),
                        _body_of(route),
                    )
                    if (answer.status_code, answer.content) != (twin.status_code, twin.content):
                        problems.append(f"{route}: the hidden camera answers unlike a missing one")
        if who.name in ADMINS:
            removed = call("DELETE", f"/api/cameras/{own}")
            if removed.status_code != 204:
                problems.append(f"delete(own): {removed.status_code} != 204")
    assert not problems, f"{who.name}:\n" + "\n".join(problems)


def _body_of(route: str) -> object:
    return {"patch": {}, "controls-set": {"brightness": 0}, "masks": {"masks": []}}.get(route)
