"""ASGI entry point: Django plus a lifespan that starts and stops the bus and capture."""

from __future__ import annotations

import os
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "livecam.site.settings")

import django

django.setup(set_prefix=False)

from livecam import conf  # noqa: E402
from livecam.lifespan import LivecamApp  # noqa: E402
from livecam.serving.asgi_handler import LivecamASGIHandler  # noqa: E402 (needs the apps loaded)
from livecam.serving.body_limit import BodyLimit  # noqa: E402

# Django's get_asgi_application() with a handler that sends MJPEG parts directly, behind a
# check that refuses oversized request bodies before Django reads (and spools) them.
application: Any = BodyLimit(LivecamApp(LivecamASGIHandler()), conf.get("BODY_LIMITS"))

__all__ = ["application"]
