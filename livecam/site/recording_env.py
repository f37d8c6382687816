"""Continuous recording settings of the ready-to-run server, from LIVECAM_* variables."""

from __future__ import annotations

import os
from typing import Any


def recording_settings() -> dict[str, Any]:
    """Return the ``LIVECAM`` entries of continuous recording, the disk budget and clips."""
    return {
        "SEGMENT_SECONDS": float(os.environ.get("LIVECAM_SEGMENT_SECONDS", "60")),
        "MEDIA_MAX_GB": float(os.environ.get("LIVECAM_MEDIA_MAX_GB", "0")),
        "MEDIA_MIN_FREE_GB": float(os.environ.get("LIVECAM_MEDIA_MIN_FREE_GB", "1")),
        "SEGMENT_MAX_COUNT": int(os.environ.get("LIVECAM_SEGMENT_MAX_COUNT", "0")),
        "CLIP_MAX_SECONDS": float(os.environ.get("LIVECAM_CLIP_MAX_SECONDS", "3600")),
    }
