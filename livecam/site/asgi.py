"""ASGI entry point: Django plus a lifespan that starts and stops the bus and capture."""

from __future__ import annotations

import os
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "livecam.site.settings")

from django.core.asgi import get_asgi_application

from livecam.lifespan import LivecamApp

application: Any = LivecamApp(get_asgi_application())  # type: ignore[arg-type]

__all__ = ["application"]
