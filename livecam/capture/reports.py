"""What capture writes back to the database: the controls a source offered when opened."""

from __future__ import annotations

import logging

from django.db import DatabaseError, close_old_connections

from livecam.cameras.controls import control_to_json
from livecam.sources.adjust import SOFTWARE_CONTROLS
from livecam.sources.base import Control

logger = logging.getLogger(__name__)

_last: dict[tuple[str, str], list[dict[str, object]]] = {}
_SOFTWARE = [control_to_json(control) for control in SOFTWARE_CONTROLS]


def controls_offered(camera_id: str, source: str, controls: list[Control]) -> None:
    """Store the source's controls on the camera row (only when they changed)."""
    data = [control_to_json(control) for control in controls]
    # Keyed by source too: a new source clears the stored list (livecam.cameras.service).
    if _last.get((camera_id, source)) == data or data == _SOFTWARE:
        return  # unchanged, or the drawn sources' fixed list (the web knows it by the kind)
    from livecam.models import Camera

    try:
        # One column, by update(): never overwrites what an admin saves at the same moment.
        Camera.objects.filter(pk=camera_id).update(control_info=data)
        _last[(camera_id, source)] = data
    except DatabaseError:
        logger.exception("camera %s: cannot store its controls", camera_id)
    finally:
        close_old_connections()
