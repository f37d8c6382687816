"""Continuous recording settings of the ready-to-run server, from LIVECAM_* variables."""

from __future__ import annotations

from typing import Any

from livecam.site.env import env_float, env_int


def recording_settings() -> dict[str, Any]:
    """Return the ``LIVECAM`` entries of continuous recording, the disk budget and clips."""
    return {
        "SEGMENT_SECONDS": env_float("LIVECAM_SEGMENT_SECONDS", 60),
        "MEDIA_MAX_GB": env_float("LIVECAM_MEDIA_MAX_GB", 0),
        "MEDIA_MIN_FREE_GB": env_float("LIVECAM_MEDIA_MIN_FREE_GB", 1),
        "SEGMENT_MAX_COUNT": env_int("LIVECAM_SEGMENT_MAX_COUNT", 0),
        "CLIP_MAX_SECONDS": env_float("LIVECAM_CLIP_MAX_SECONDS", 3600),
    }
