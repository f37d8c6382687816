"""MQTT, notification and SMTP settings of the ready-to-run server, from LIVECAM_* variables."""

from __future__ import annotations

import os
from typing import Any

from livecam.site.env import env_bool, env_float, env_int


def notify_settings() -> dict[str, Any]:
    """Return the ``LIVECAM`` entries of the MQTT bridge and of notifications."""
    return {
        "MQTT_URL": os.environ.get("LIVECAM_MQTT_URL", "").strip(),
        "MQTT_PREFIX": os.environ.get("LIVECAM_MQTT_PREFIX", "").strip() or "livecam",
        "MQTT_DISCOVERY_PREFIX": os.environ.get("LIVECAM_MQTT_DISCOVERY_PREFIX", "").strip()
        or "homeassistant",
        "MQTT_CA_FILE": os.environ.get("LIVECAM_MQTT_CA_FILE", "").strip(),
        "NOTIFY_OFFLINE_GRACE": env_float("LIVECAM_NOTIFY_OFFLINE_GRACE", 60),
        "PUBLIC_URL": os.environ.get("LIVECAM_PUBLIC_URL", "").strip().rstrip("/"),
    }


def email_settings() -> dict[str, Any]:
    """Return Django's e-mail settings: SMTP when LIVECAM_SMTP_HOST is set, else none at all."""
    host = os.environ.get("LIVECAM_SMTP_HOST", "").strip()
    ssl = env_bool("LIVECAM_SMTP_SSL")
    return {
        # No mail server: nothing is sent (the notification page says e-mail is off).
        "EMAIL_BACKEND": "django.core.mail.backends."
        + ("smtp.EmailBackend" if host else "dummy.EmailBackend"),
        "EMAIL_HOST": host or "localhost",
        "EMAIL_PORT": env_int("LIVECAM_SMTP_PORT", 465 if ssl else 25, low=1, high=65535),
        "EMAIL_HOST_USER": os.environ.get("LIVECAM_SMTP_USER", ""),
        "EMAIL_HOST_PASSWORD": os.environ.get("LIVECAM_SMTP_PASSWORD", ""),
        "EMAIL_USE_TLS": env_bool("LIVECAM_SMTP_STARTTLS"),
        "EMAIL_USE_SSL": ssl,
        # A slow or silent server costs the sending thread this long per attempt, nothing more.
        "EMAIL_TIMEOUT": env_float("LIVECAM_SMTP_TIMEOUT", 10),
        "DEFAULT_FROM_EMAIL": os.environ.get("LIVECAM_EMAIL_FROM", "livecam@localhost"),
    }
