"""A viewer's stream: await the next frame, send the part built once, skip what it missed."""

from __future__ import annotations

import time
from collections.abc import AsyncGenerator, Callable

from livecam.bus.hub import Hub
from livecam.frames import STREAM_PREAMBLE


async def viewer_parts(
    hub: Hub,
    camera_id: str,
    *,
    max_fps: float = 0.0,
    keepalive: float = 1.0,
    width: int = 0,
    on_start: Callable[[str], None] | None = None,
) -> AsyncGenerator[bytes, None]:
    """Yield the multipart stream of one viewer until the server or camera goes away.

    Each new frame is sent at most once. When nothing new arrives (camera OFF, no signal, a
    still image) the current frame or placeholder is re-sent once per `keepalive` seconds so
    the viewer sees why, proxies keep the connection, and dead peers are noticed. With
    `width`, the viewer gets that variant (resized and encoded once per frame, shared).
    `on_start(camera_id)` is called once the viewer is counted (the caps claim its place).
    """
    camera_slot = hub.add_viewer(camera_id)
    if on_start is not None:
        on_start(camera_id)
    slot = camera_slot
    if width and hub.variants is not None:
        slot = hub.variants.slot(camera_id, width, camera_slot.status)
        slot.add_viewer()
    min_interval = 1.0 / max_fps if max_fps > 0 else 0.0
    shown: object = None
    last_sent = 0.0
    try:
        yield STREAM_PREAMBLE
        while not slot.closed:
            now = time.monotonic()
            frame = slot.frame
            wanted: object = frame if slot.live else slot.placeholder_part()
            due = now - last_sent >= min_interval
            if (wanted is not shown and due) or now - last_sent >= keepalive:
                part = frame.part if wanted is frame and frame is not None else wanted
                shown, last_sent = wanted, now
                camera_slot.sent += 1
                yield part  # type: ignore[misc]
                continue
            await slot.wait()
    finally:
        if slot is not camera_slot:
            slot.remove_viewer()
            if hub.variants is not None:
                hub.variants.release(camera_id, width)
        hub.remove_viewer(camera_id)
