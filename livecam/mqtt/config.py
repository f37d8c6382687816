"""The broker connection from the environment: ``LIVECAM_MQTT_URL`` and its companions."""

from __future__ import annotations

import dataclasses
import os
import re
from urllib.parse import unquote, urlsplit

_TOPIC_WORD = re.compile(r"[A-Za-z0-9_-]+(?:/[A-Za-z0-9_-]+)*")


class MqttConfigError(ValueError):
    """The MQTT settings cannot be used (the message never includes the password)."""


@dataclasses.dataclass(frozen=True, slots=True)
class MqttConfig:
    """Where the broker is, how to log in, and which topic prefixes to use."""

    host: str
    port: int = 1883
    username: str | None = None
    password: str | None = dataclasses.field(default=None, repr=False)
    tls: bool = False
    ca_file: str | None = None
    prefix: str = "livecam"
    discovery_prefix: str = "homeassistant"

    @property
    def node_id(self) -> str:
        """Return the discovery node id: the prefix with every other character as ``_``."""
        return re.sub(r"[^A-Za-z0-9_-]", "_", self.prefix)

    @property
    def where(self) -> str:
        """Return the broker's address for logs (never the credentials)."""
        return f"{'mqtts' if self.tls else 'mqtt'}://{self.host}:{self.port}"

    @classmethod
    def parse(
        cls,
        url: str,
        *,
        prefix: str = "livecam",
        discovery_prefix: str = "homeassistant",
        ca_file: str | None = None,
    ) -> MqttConfig:
        """Read ``mqtt://[user:pass@]host[:port]`` or ``mqtts://…``; raise MqttConfigError."""
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError as exc:
            raise MqttConfigError("LIVECAM_MQTT_URL is not a valid URL") from exc
        if parts.scheme not in ("mqtt", "mqtts") or not parts.hostname:
            raise MqttConfigError("LIVECAM_MQTT_URL must look like mqtt://[user:pass@]host[:port]")
        if parts.path not in ("", "/") or parts.query or parts.fragment:
            raise MqttConfigError("LIVECAM_MQTT_URL takes no path or query")
        for name, value in (("prefix", prefix), ("discovery prefix", discovery_prefix)):
            if not _TOPIC_WORD.fullmatch(value):
                raise MqttConfigError(f"the MQTT {name} may hold letters, digits, _ - and /")
        tls = parts.scheme == "mqtts"
        if ca_file and not os.access(ca_file, os.R_OK):
            raise MqttConfigError("LIVECAM_MQTT_CA_FILE is not a readable file")
        return cls(
            host=parts.hostname,
            port=port or (8883 if tls else 1883),
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password is not None else None,
            tls=tls,
            ca_file=ca_file or None,
            prefix=prefix,
            discovery_prefix=discovery_prefix,
        )


def from_settings() -> MqttConfig | None:
    """Return the configured broker (``LIVECAM["MQTT_URL"]``), or None when there is none."""
    from livecam import conf

    url = str(conf.get("MQTT_URL") or "").strip()
    if not url:
        return None
    return MqttConfig.parse(
        url,
        prefix=str(conf.get("MQTT_PREFIX") or "livecam"),
        discovery_prefix=str(conf.get("MQTT_DISCOVERY_PREFIX") or "homeassistant"),
        ca_file=str(conf.get("MQTT_CA_FILE") or "") or None,
    )
