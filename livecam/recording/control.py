"""Start and stop a camera's manual recording: persist the wish, tell capture (like ON/OFF)."""

from __future__ import annotations

from typing import Any

from livecam.bus import ControlMessage, get_bus


async def set_recording(camera_id: str, recording: bool) -> dict[str, Any]:
    """Persist Record/Stop for a camera and tell capture; return the recording state."""
    from livecam.motion.models import MotionSettings

    await MotionSettings.objects.aget_or_create(camera_id=camera_id)
    # One UPDATE of this column alone: no read-modify-write that a concurrent settings change
    # (or another Record/Stop) could interleave with.
    await MotionSettings.objects.filter(camera_id=camera_id).aupdate(recording=recording)
    await get_bus().send_control(ControlMessage("changed", camera_id))
    return await recording_state(camera_id)


async def recording_state(camera_id: str) -> dict[str, Any]:
    """Return whether Record is on, whether a file is being written now, and if not, why."""
    from livecam.motion.models import MotionSettings
    from livecam.recording.models import Recording

    settings = await MotionSettings.objects.filter(camera_id=camera_id).afirst()
    active = await Recording.objects.filter(camera_id=camera_id, state="recording").aexists()
    error = ""
    if not active:  # why nothing is being written: the newest recording's reason, if any
        newest = await Recording.objects.filter(camera_id=camera_id).order_by("-id").afirst()
        error = newest.error if newest is not None else ""
    return {
        "camera": camera_id,
        "recording": bool(settings and settings.recording),
        "writing": active,
        "error": error,
    }
