"""Fixtures: a real SMTP server (aiosmtpd) and a livecam server that sends e-mail to it."""

from __future__ import annotations

import email
import email.policy
import threading
import time
from collections.abc import Callable, Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiosmtpd.controller import Controller

from tests.motion.conftest import receiver  # noqa: F401 - the webhook receiver fixture
from tests.support.server import LivecamServer, free_port

PUBLIC_URL = "https://cams.example.test"
PASSWORD = "user-Password-9"


class Inbox:
    """An SMTP server on a free port that keeps every message it accepts."""

    def __init__(self) -> None:
        self.messages: list[tuple[float, str, EmailMessage]] = []
        self._cond = threading.Condition()
        self.controller = Controller(self, hostname="127.0.0.1", port=free_port())

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        """Accept a message (aiosmtpd's handler hook)."""
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        with self._cond:
            for address in envelope.rcpt_tos:
                self.messages.append((time.time(), address, message))
            self._cond.notify_all()
        return "250 OK"

    def wait_for(
        self, match: Callable[[str, EmailMessage], bool], timeout: float = 30
    ) -> tuple[float, str, EmailMessage]:
        """Return the first message (past or future) that matches (time received, to, message)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for item in self.messages:
                    if match(item[1], item[2]):
                        return item
                remaining = deadline - time.monotonic()
                assert remaining > 0, f"no such e-mail in {timeout} s: {self.summary()}"
                self._cond.wait(remaining)

    def to(self, address: str) -> list[EmailMessage]:
        """Return the messages sent to an address so far."""
        with self._cond:
            return [m for _at, to, m in self.messages if to == address]

    def summary(self) -> list[tuple[str, str]]:
        """Return (to, subject) of every message so far."""
        with self._cond:
            return [(to, str(m["Subject"])) for _at, to, m in self.messages]


@pytest.fixture
def inbox() -> Iterator[Inbox]:
    """A running SMTP server of this test alone."""
    instance = Inbox()
    instance.controller.start()
    yield instance
    instance.controller.stop()


def mail_server(tmp_path: Path, smtp_port: int, **env: str) -> LivecamServer:
    """Return a livecam server (not started) that sends e-mail through 127.0.0.1:smtp_port."""
    (tmp_path / "server").mkdir(exist_ok=True)
    return LivecamServer(
        tmp_path / "server",
        settings={"NOTIFY_OFFLINE_GRACE": 1.0},
        env={
            "LIVECAM_SMTP_HOST": "127.0.0.1",
            "LIVECAM_SMTP_PORT": str(smtp_port),
            "LIVECAM_EMAIL_FROM": "livecam@example.test",
            "LIVECAM_PUBLIC_URL": PUBLIC_URL,
            "LIVECAM_USER_PASSWORD": PASSWORD,
            **env,
        },
    )


def add_user(server: LivecamServer, name: str, role: str = "viewer") -> httpx.Client:
    """Add a user with an e-mail address; return a client logged in as them (session + CSRF)."""
    server.cli("user", "add", name, "--role", role, "--email", f"{name}@example.test")
    client = server.login(name, PASSWORD)
    client.headers["X-CSRFToken"] = client.cookies["csrftoken"]
    return client


def wishes(client: httpx.Client, status: int = 200, **body: Any) -> dict[str, Any]:
    """PUT one's notification wishes."""
    response = client.put("/api/notifications", json=body)
    assert response.status_code == status, response.text
    return dict(response.json())
