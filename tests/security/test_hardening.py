"""Deploy check of the README's production setup, security headers, login limits, hashing."""

from __future__ import annotations

import os
import re
import secrets
import sqlite3
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.security.conftest import World
from tests.support.server import ROOT, LivecamServer

# Each CLI call starts Django anew: on a loaded 2-core machine that takes seconds.
pytestmark = pytest.mark.timeout(180)


def _readme_production_env() -> dict[str, str]:
    """Return the LIVECAM_* variables of the README's deployment example."""
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Deployment", 1)[1]
    block = section.split("```sh", 1)[1].split("```", 1)[0]
    env = dict(re.findall(r"^(LIVECAM_[A-Z_]+)=(\S+)", block, re.MULTILINE))
    assert {"LIVECAM_SECRET_KEY", "LIVECAM_ALLOWED_HOSTS", "LIVECAM_BEHIND_PROXY"} <= set(env)
    env["LIVECAM_SECRET_KEY"] = secrets.token_urlsafe(50)  # the README generates one so
    return env


def _deploy_check(tmp_path: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("LIVECAM_")}
    clean.update(
        DJANGO_SETTINGS_MODULE="livecam.site.settings",
        LIVECAM_DATA_DIR=str(tmp_path),
        PYTHONPATH=str(ROOT),
        **env,
    )
    return subprocess.run(
        [sys.executable, "-m", "livecam.cli", "check", "--deploy", "--fail-level", "WARNING"],
        env=clean,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_deploy_check_is_clean_for_the_readme_production_setup(tmp_path: Path):
    result = _deploy_check(tmp_path, _readme_production_env())
    print(result.stdout + result.stderr)  # the figure the report quotes
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_deploy_check_fails_without_the_proxy_setup(tmp_path: Path):
    env = _readme_production_env()
    del env["LIVECAM_BEHIND_PROXY"]
    env["LIVECAM_DEBUG"] = "1"
    result = _deploy_check(tmp_path, env)
    assert result.returncode != 0
    for warning in ("security.W004", "security.W012", "security.W018"):
        assert warning in result.stderr + result.stdout


def test_security_headers(world: World):
    with world.session("vera") as client:
        page = client.get("/")
        stream_headers = {}
        with client.stream("GET", "/cameras/demo/stream.mjpg") as stream:
            stream_headers = dict(stream.headers)
        snapshot = client.get("/cameras/demo/snapshot.jpg")
        api = client.get("/api/cameras")
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["referrer-policy"] == "same-origin"
    assert page.headers["x-frame-options"] == "DENY"
    assert "<script>" not in page.text  # no inline scripts: everything is in livecam.js
    for headers in (stream_headers, snapshot.headers, api.headers):
        assert headers["cache-control"] == "no-store"
        assert headers["cross-origin-resource-policy"] == "same-origin"
        assert headers["x-content-type-options"] == "nosniff"
    assert "strict-transport-security" not in page.headers  # plain HTTP: no HSTS


def test_behind_a_proxy_cookies_are_secure_and_hsts_is_sent(fresh_server: LivecamServer):
    fresh_server.env["LIVECAM_BEHIND_PROXY"] = "1"
    fresh_server.start()
    https = {"X-Forwarded-Proto": "https"}
    with httpx.Client(base_url=fresh_server.base_url, headers=https, timeout=10) as client:
        login = client.get("/login/")
        assert login.status_code == 200
        assert "max-age=31536000" in login.headers["strict-transport-security"]
        assert "secure" in login.headers["set-cookie"].lower()
        csrf = client.cookies["csrftoken"]
        # The client keeps Secure cookies for https:// only; the proxy would pass them on.
        response = client.post(
            "/login/",
            data={
                "username": "admin",
                "password": "test-admin-Password-1",
                "csrfmiddlewaretoken": csrf,
            },
            headers={
                "Referer": f"https://127.0.0.1:{fresh_server.port}/login/",
                "Cookie": f"csrftoken={csrf}",
            },
        )
        assert response.status_code == 302
        session_cookie = next(
            value for value in response.headers.get_list("set-cookie") if "sessionid" in value
        )
        assert "secure" in session_cookie.lower() and "httponly" in session_cookie.lower()
    plain = httpx.get(fresh_server.url("/login/"))
    assert plain.status_code == 301 and plain.headers["location"].startswith("https://")
    assert httpx.get(fresh_server.url("/healthz")).status_code == 200  # probes stay plain


def _login(client: httpx.Client, username: str, password: str) -> httpx.Response:
    client.get("/login/")
    return client.post(
        "/login/",
        data={
            "username": username,
            "password": password,
            "csrfmiddlewaretoken": client.cookies["csrftoken"],
        },
    )


def test_failed_logins_lock_the_username_out(fresh_server: LivecamServer):
    fresh_server.env["LIVECAM_LOGIN_FAILURES"] = "3"
    fresh_server.start()
    fresh_server.cli("user", "add", "victim", "--role", "viewer")
    with httpx.Client(base_url=fresh_server.base_url, timeout=10) as client:
        for _ in range(2):
            assert _login(client, "admin", "wrong-guess").status_code == 200
        third = _login(client, "admin", "wrong-guess")
        assert third.status_code == 429
        # Locked: even the right password is refused now, with a clear page.
        locked = _login(client, "admin", "test-admin-Password-1")
        assert locked.status_code == 429 and "Too many failed logins" in locked.text
        assert locked.headers["retry-after"]
        assert client.get("/").status_code == 302  # not logged in
    # Other accounts from the same address still log in (no lockout of everyone behind a NAT).
    with httpx.Client(base_url=fresh_server.base_url, timeout=10) as other:
        assert _login(other, "victim", "wrong").status_code == 200
    # Bearer tokens are unaffected by the web login lockout.
    with fresh_server.api() as api:
        assert api.get("/api/cameras").status_code == 200


def test_production_settings_hash_passwords_with_argon2(tmp_path: Path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIVECAM_")}
    env.update(
        DJANGO_SETTINGS_MODULE="livecam.site.settings",
        LIVECAM_DATA_DIR=str(tmp_path),
        LIVECAM_USER_PASSWORD="Argon-Password-77",
        PYTHONPATH=str(ROOT),
    )
    for args in (["migrate", "-v0"], ["user", "add", "hashy", "--role", "viewer"]):
        subprocess.run(
            [sys.executable, "-m", "livecam.cli", *args],
            env=env,
            cwd=ROOT,
            check=True,
            capture_output=True,
            timeout=120,
        )
    with sqlite3.connect(tmp_path / "livecam.sqlite3") as db:
        (stored,) = db.execute("SELECT password FROM auth_user WHERE username='hashy'").fetchone()
    assert stored.startswith("argon2$argon2id$")
