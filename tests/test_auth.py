"""Authentication is on everywhere but /healthz and the login page."""

from __future__ import annotations

import httpx
import pytest

from tests.support.server import LivecamServer

PAGES = ["/", "/cameras/demo/", "/admin/"]
MACHINE = [
    "/cameras/demo/stream.mjpg",
    "/cameras/demo/snapshot.jpg",
    "/api/cameras",
    "/api/cameras/demo",
    "/api/events",
    "/api/openapi.json",
    "/metrics",
]


@pytest.mark.parametrize("path", PAGES)
def test_pages_redirect_anonymous_users_to_login(server: LivecamServer, path: str):
    response = httpx.get(server.url(path))
    assert response.status_code == 302
    assert "/login/" in response.headers["location"]


@pytest.mark.parametrize("path", MACHINE)
def test_machine_paths_answer_401_json(server: LivecamServer, path: str):
    response = httpx.get(server.url(path))
    assert response.status_code == 401
    assert response.json()["detail"]
    assert response.headers["www-authenticate"].startswith("Bearer")


@pytest.mark.parametrize("path", ["/api/cameras/demo/on", "/api/cameras/demo/off"])
def test_anonymous_cannot_switch(server: LivecamServer, path: str):
    assert httpx.post(server.url(path)).status_code == 401


def test_power_form_needs_login(server: LivecamServer):
    response = httpx.post(server.url("/cameras/demo/power"), data={"state": "off"})
    assert response.status_code in (302, 403)
    with server.api() as client:
        assert client.get("/api/cameras/demo").json()["enabled"] is True


def test_bad_token_is_refused(server: LivecamServer):
    headers = {"Authorization": "Bearer lc_not-a-real-token"}
    response = httpx.get(server.url("/api/cameras"), headers=headers)
    assert response.status_code == 401
    assert "token" in response.json()["detail"]


def test_revoked_token_is_refused(server: LivecamServer):
    raw = server.cli("token", "create", "admin", "--name", "short-lived").stdout.split()[-1]
    headers = {"Authorization": f"Bearer {raw}"}
    assert httpx.get(server.url("/api/cameras"), headers=headers).status_code == 200
    listing = server.cli("token", "list").stdout
    token_id = next(line.split("\t")[0] for line in listing.splitlines() if "short-lived" in line)
    server.cli("token", "revoke", token_id)
    assert httpx.get(server.url("/api/cameras"), headers=headers).status_code == 401


def test_healthz_and_login_are_public(server: LivecamServer):
    health = httpx.get(server.url("/healthz"))
    assert health.status_code == 200 and health.json() == {"status": "ok"}
    assert httpx.get(server.url("/login/")).status_code == 200


def test_wrong_password_does_not_log_in(server: LivecamServer):
    with httpx.Client(base_url=server.base_url) as client:
        client.get("/login/")
        response = client.post(
            "/login/",
            data={
                "username": "admin",
                "password": "wrong",
                "csrfmiddlewaretoken": client.cookies["csrftoken"],
            },
        )
        assert response.status_code == 200
        assert client.get("/").status_code == 302


def test_pages_carry_a_strict_content_security_policy(server: LivecamServer):
    with server.session() as client:
        response = client.get("/")
    assert response.status_code == 200
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["x-frame-options"] == "DENY"
