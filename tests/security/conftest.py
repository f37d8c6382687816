"""A server with users of every role, restricted cameras, scoped tokens and share links."""

from __future__ import annotations

import contextlib
import json
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.server import LivecamServer

PASSWORD = "Matrix-Password-42"
HIDDEN = (
    "a-secretcam"  # sorts before "demo" (an event burst would show it first); no markup contains it
)
HIDDEN_LABEL = "Hidden Lab Zx9"
SPARE = "m-spare"

# Everything below is made with the product's own models and role helpers in one process
# (one `livecam shell` instead of forty CLI start-ups); the CLI has its own tests.
_SETUP = textwrap.dedent(
    f"""
    import datetime, json
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.utils import timezone
    from livecam.models import ApiToken, Camera, CameraAccess, ShareLink
    from livecam.access.roles import set_role

    User = get_user_model()
    hidden = Camera.objects.create(id={HIDDEN!r}, label={HIDDEN_LABEL!r}, source="pattern:",
                                   width=160, height=120, fps=10)
    spare = Camera.objects.create(id={SPARE!r}, source="pattern:", width=160, height=120, fps=10)
    lab = Group.objects.create(name="lab")
    def user(name, role=None, active=True):
        u = User.objects.create_user(name, password={PASSWORD!r}, is_active=active)
        if role:
            set_role(u, role)
        return u
    vera = user("vera", "viewer"); otto = user("otto", "operator"); adam = user("adam", "admin")
    rita = user("rita", "viewer"); gary = user("gary", "viewer"); nora = user("nora")
    gary.groups.add(lab)
    acl = CameraAccess.objects.create(camera=hidden)
    acl.users.add(rita); acl.groups.add(lab)
    now = timezone.now()
    admin = User.objects.get(username="admin")
    out = {{"tokens": {{}}, "shares": {{}}}}
    out["tokens"]["rw"] = ApiToken.issue(otto, name="rw")[1]
    out["tokens"]["ro"] = ApiToken.issue(otto, name="ro", read_only=True)[1]
    out["tokens"]["scoped"] = ApiToken.issue(adam, name="scoped", cameras=[spare])[1]
    out["tokens"]["admin"] = ApiToken.issue(adam, name="admin")[1]
    out["tokens"]["expired"] = ApiToken.issue(
        adam, name="expired", expires_at=now - datetime.timedelta(seconds=1))[1]
    revoked, out["tokens"]["revoked"] = ApiToken.issue(adam, name="revoked")
    revoked.revoked_at = now; revoked.save()
    out["shares"]["valid"] = ShareLink.issue(hidden, label="valid")[1]
    out["shares"]["expired"] = ShareLink.issue(
        hidden, expires_at=now - datetime.timedelta(seconds=1))[1]
    link, out["shares"]["revoked"] = ShareLink.issue(hidden, label="revoked")
    link.revoked_at = now; link.save()
    print("WORLD" + json.dumps(out))
    """
)


@dataclass
class World:
    """The secured server and the credentials made for it."""

    server: LivecamServer
    tokens: dict[str, str]
    shares: dict[str, str]

    @contextlib.contextmanager
    def session(self, username: str) -> Iterator[httpx.Client]:
        """Yield a client logged in as username, closed afterwards."""
        if username == "admin":
            client = self.server.login()
        else:
            client = self.server.login(username, PASSWORD)
        with contextlib.closing(client):
            yield client

    def bearer(self, name: str) -> httpx.Client:
        """Return a client that sends the named token."""
        return httpx.Client(
            base_url=self.server.base_url,
            headers={"Authorization": f"Bearer {self.tokens[name]}"},
            timeout=10,
        )

    def shell(self, code: str) -> str:
        """Run Python in ``livecam shell`` against the server's database."""
        return self.server.cli("shell", "-c", textwrap.dedent(code)).stdout


def make_world(server: LivecamServer) -> World:
    """Populate a started server (with the demo camera) and return its world."""
    output = server.cli("shell", "-c", _SETUP).stdout
    data: dict[str, Any] = json.loads(output.split("WORLD", 1)[1])
    for camera_id in (HIDDEN, SPARE, "demo"):
        server.wait_for(camera_id, lambda state: state["online"], timeout=20)
    return World(server, data["tokens"], data["shares"])


@contextlib.contextmanager
def running_world(data_dir: Path) -> Iterator[World]:
    """Start a secured server (fast re-checks, a small stream cap), populate it, stop it."""
    server = LivecamServer(data_dir, settings={"ACCESS_RECHECK": 0.5, "MAX_STREAMS_PER_USER": 4})
    server.start("--demo")
    try:
        yield make_world(server)
    finally:
        server.stop()


@pytest.fixture(scope="package")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """A secured server shared by the security tests (they may add cameras and users)."""
    with running_world(tmp_path_factory.mktemp("secure")) as instance:
        yield instance


@pytest.fixture(scope="module")
def pristine_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """A secured server of one module, holding exactly the world's cameras and users."""
    with running_world(tmp_path_factory.mktemp("pristine")) as instance:
        yield instance
