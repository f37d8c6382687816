"""A real mosquitto broker on a free port (password file + ACL), and a recording MQTT client."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest

from tests.support.server import free_port

_CANDIDATES = ("/usr/sbin/mosquitto", "/usr/bin/mosquitto", "/usr/local/sbin/mosquitto")

USERS = {"livecam": "livecam-Secret-1", "ha": "ha-Secret-1", "guest": "guest-Secret-1"}
ACL = """\
user livecam
topic readwrite {prefix}/#
topic readwrite homeassistant/#

user ha
topic read {prefix}/#
topic write {prefix}/+/power/set
topic write {prefix}/+/recording/set
topic read homeassistant/#

user guest
topic read {prefix}/#
"""


def mosquitto_binary() -> tuple[str, str]:
    """Return (mosquitto, mosquitto_passwd); skip without them (fail in CI)."""
    broker = shutil.which("mosquitto") or next(
        (p for p in _CANDIDATES if os.access(p, os.X_OK)), None
    )
    passwd = shutil.which("mosquitto_passwd") or (
        "/usr/bin/mosquitto_passwd" if os.access("/usr/bin/mosquitto_passwd", os.X_OK) else None
    )
    if broker and passwd:
        return broker, passwd
    message = (
        "mosquitto not found: install Debian's 'mosquitto' package "
        "(`make test` installs it when run as root)"
    )
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


class Broker:
    """One mosquitto without persistence: a restart loses every retained message."""

    def __init__(
        self, workdir: Path, prefix: str = "livecam", tls: dict[str, Path] | None = None
    ) -> None:
        self.binary, passwd = mosquitto_binary()
        self.workdir = workdir
        workdir.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.log_path = workdir / "mosquitto.log"
        passwords = workdir / "passwords"
        passwords.touch(mode=0o600)
        for user, password in USERS.items():
            subprocess.run([passwd, "-b", str(passwords), user, password], check=True)
        (workdir / "acl").write_text(ACL.format(prefix=prefix))
        self.tls = tls
        self.config_path = workdir / "mosquitto.conf"
        tls_lines = (
            f"cafile {tls['ca']}\ncertfile {tls['cert']}\nkeyfile {tls['key']}\n" if tls else ""
        )
        self.config_path.write_text(
            f"listener {self.port} 127.0.0.1\n" + tls_lines + "allow_anonymous false\n"
            f"password_file {passwords}\n"
            f"acl_file {workdir / 'acl'}\n"
            "persistence false\n"
            "user root\n"  # started as root it would drop to 'mosquitto', who cannot read here
            f"log_dest file {self.log_path}\n"
            "log_type error\nlog_type warning\nlog_type notice\nlog_type information\n"
            "connection_messages true\n"
        )
        self.process: subprocess.Popen[bytes] | None = None

    def url(self, user: str = "livecam", password: str | None = None) -> str:
        """Return the URL livecam is given."""
        scheme = "mqtts" if self.tls else "mqtt"
        return f"{scheme}://{user}:{password or USERS[user]}@127.0.0.1:{self.port}"

    def start(self) -> None:
        """Start the broker and wait until it accepts connections."""
        self.process = subprocess.Popen(
            [self.binary, "-c", str(self.config_path)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"mosquitto exited: {self.log()}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.02)  # waiting for a port to open: there is no event to await
        raise AssertionError("mosquitto did not listen in 15 s")

    def stop(self, sig: int = signal.SIGTERM) -> None:
        """Stop the broker (SIGKILL: like a crash) and reap it."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(sig)
            self.process.wait(10)

    def log(self) -> str:
        """Return the broker's log."""
        return self.log_path.read_text() if self.log_path.exists() else ""

    def client_ids(self, prefix: str) -> set[str]:
        """Return the ids of the clients that connected so far whose id starts with `prefix`."""
        ids = set()
        for line in self.log().splitlines():
            if "New client connected" in line and " as " in line:
                ident = line.split(" as ", 1)[1].split(" ", 1)[0]
                if ident.startswith(prefix):
                    ids.add(ident)
        return ids


Message = tuple[str, bytes, bool]
"""(topic, payload, retained)."""


class Subscriber:
    """A paho client that records every message of its subscriptions (a thread of its own)."""

    def __init__(self, broker: Broker, user: str = "ha", topics: tuple[str, ...] = ("#",)) -> None:
        self.messages: list[Message] = []
        self._cond = threading.Condition()
        self.client = mqtt.Client(
            mqtt.CallbackAPIVersion.VERSION2, client_id=f"test-{user}-{id(self)}"
        )
        self.client.username_pw_set(user, USERS[user])
        if broker.tls:
            self.client.tls_set(ca_certs=str(broker.tls["ca"]))
        subscribed = threading.Event()

        def on_connect(client, userdata, flags, reason, properties):
            client.subscribe([(topic, 1) for topic in topics])

        def on_subscribe(client, userdata, mid, reasons, properties):
            subscribed.set()

        def on_message(client, userdata, message):
            with self._cond:
                self.messages.append((message.topic, message.payload, bool(message.retain)))
                self._cond.notify_all()

        self.client.on_connect = on_connect
        self.client.on_subscribe = on_subscribe
        self.client.on_message = on_message
        self.client.connect("127.0.0.1", broker.port)
        self.client.loop_start()
        assert subscribed.wait(10), "the test client did not subscribe"

    def wait_for(
        self, topic: str, match: Callable[[bytes], bool] = lambda _: True, timeout: float = 20
    ) -> bytes:
        """Return the payload of the first message on `topic` (past or future) that matches."""
        return self.wait(lambda t, p: t == topic and match(p), timeout, topic)[1]

    def wait(
        self,
        match: Callable[[str, bytes], bool],
        timeout: float = 20,
        what: str = "",
        after: int = 0,
    ) -> Message:
        """Return the first message (past or future, from index `after`) that matches."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for message in self.messages[after:]:
                    if match(message[0], message[1]):
                        return message
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    seen = sorted({m[0] for m in self.messages})
                    raise AssertionError(f"no message {what} in {timeout} s; topics seen: {seen}")
                self._cond.wait(remaining)

    def since(self, mark: int) -> list[Message]:
        """Return the messages received after the first `mark` ones."""
        with self._cond:
            return self.messages[mark:]

    def mark(self) -> int:
        """Return how many messages were received so far."""
        with self._cond:
            return len(self.messages)

    def latest(self, topic: str) -> bytes | None:
        """Return the newest payload received on `topic`."""
        with self._cond:
            found = [p for t, p, _ in self.messages if t == topic]
        return found[-1] if found else None

    def publish(self, topic: str, payload: bytes, retain: bool = False) -> None:
        """Publish and wait until the broker has it (QoS 1)."""
        info = self.client.publish(topic, payload, qos=1, retain=retain)
        info.wait_for_publish(10)

    def close(self) -> None:
        """Disconnect."""
        self.client.loop_stop()
        self.client.disconnect()
