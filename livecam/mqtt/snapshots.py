"""Snapshot JPEGs on ``<prefix>/<camera>/snapshot``: when motion starts, and every N seconds."""

from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path
from typing import TYPE_CHECKING

from livecam import conf
from livecam.bus.hub import Hub

if TYPE_CHECKING:
    from livecam.mqtt.publisher import Client, Publisher

logger = logging.getLogger(__name__)


async def newest_frame(hub: Hub, camera_id: str, timeout: float) -> bytes | None:  # noqa: ASYNC109
    """Return the camera's newest JPEG, waiting up to `timeout` s for a fresh one (or None).

    Like the snapshot view, it counts as a viewer while waiting: with the Redis bus a web
    process only receives the frames of cameras it has viewers of.
    """
    slot = hub.slot(camera_id)
    stale_after = float(conf.get("STALE_AFTER"))

    def fresh() -> bool:
        frame = slot.frame
        return slot.live and frame is not None and time.time() - frame.captured_at < stale_after

    if not fresh():
        hub.add_viewer(camera_id)
        try:
            async with asyncio.timeout(timeout):
                while not fresh() and not slot.closed:
                    await slot.wait()
        except TimeoutError:
            pass
        finally:
            hub.remove_viewer(camera_id)
    frame = slot.frame
    return frame.jpeg if fresh() and frame is not None else None


async def event_snapshot(event_id: object) -> bytes | None:
    """Return the snapshot file of a motion event (written before the event is announced)."""
    from livecam.motion import files
    from livecam.motion.models import MotionEvent

    if not isinstance(event_id, int):
        return None
    name = await MotionEvent.objects.filter(pk=event_id).values_list("snapshot", flat=True).afirst()
    path = files.resolve(name or "")
    if path is None:
        return None
    try:
        return await asyncio.to_thread(Path.read_bytes, path)
    except OSError:
        return None


class Snapshots:
    """Publish snapshots of exposed cameras; one fetch at a time, nothing queued."""

    def __init__(self, publisher: Publisher, hub: Hub) -> None:
        self.publisher = publisher
        self.hub = hub
        self._due: dict[str, float] = {}

    async def motion(self, client: Client, camera_id: str, event_id: object) -> None:
        """Publish the picture of a motion event that just started."""
        jpeg = await event_snapshot(event_id) or await newest_frame(self.hub, camera_id, 2.0)
        if jpeg:
            await self.publisher.send(client, self.publisher.topics.snapshot(camera_id), jpeg)

    async def run(self, client: Client) -> None:
        """Publish the snapshot of each camera with an interval when it is due."""
        while True:
            now = time.monotonic()
            wait = 1.0
            for exposure in self.publisher.exposed():
                interval = exposure.snapshot_interval
                camera_id = exposure.camera_id
                if interval <= 0 or not exposure.camera.enabled:
                    self._due.pop(camera_id, None)
                    continue
                due = self._due.setdefault(camera_id, now)
                if now < due:
                    wait = min(wait, due - now)
                    continue
                self._due[camera_id] = now + interval
                timeout = float(conf.get("SNAPSHOT_TIMEOUT"))
                jpeg = await newest_frame(self.hub, camera_id, timeout)
                if jpeg:
                    topic = self.publisher.topics.snapshot(camera_id)
                    await self.publisher.send(client, topic, jpeg)
                else:
                    logger.debug("mqtt: no fresh frame of %s for its snapshot", camera_id)
            await asyncio.sleep(wait)
