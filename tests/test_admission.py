"""In-process: viewer caps (reservations stop a burst, lapse unused), stale frames."""

from __future__ import annotations

import asyncio

import pytest

from livecam import placeholder
from livecam.bus.hub import Hub
from livecam.frames import CameraStatus, Frame
from livecam.serving import admission
from livecam.serving.admission import ViewerCaps


@pytest.fixture
async def hub() -> Hub:
    instance = Hub(keepalive=0.2)
    instance.bind(asyncio.get_running_loop())
    return instance


async def test_reservations_count_until_the_stream_starts(hub: Hub):
    caps = ViewerCaps()
    assert caps.admit(hub, "cam", per_camera=2, total=0) is None
    assert caps.admit(hub, "cam", per_camera=2, total=0) is None
    refused = caps.admit(hub, "cam", per_camera=2, total=0)
    assert refused is not None and "at most 2 viewers" in refused
    hub.add_viewer("cam")
    caps.claim("cam")  # a started stream: counted by its slot now, not by its reservation
    assert caps.pending() == 1
    assert caps.admit(hub, "cam", per_camera=2, total=0) is not None
    hub.remove_viewer("cam")
    assert caps.admit(hub, "cam", per_camera=2, total=0) is None


async def test_the_total_cap_counts_every_camera(hub: Hub):
    caps = ViewerCaps()
    hub.add_viewer("a")
    assert caps.admit(hub, "b", per_camera=0, total=2) is None
    refused = caps.admit(hub, "c", per_camera=0, total=2)
    assert refused is not None and "this server allows at most 2 viewers" in refused


async def test_a_reservation_that_is_never_claimed_lapses(
    hub: Hub, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(admission, "_PENDING_TTL", 0.05)
    caps = ViewerCaps()
    assert caps.admit(hub, "cam", per_camera=1, total=0) is None
    assert caps.admit(hub, "cam", per_camera=1, total=0) is not None
    await asyncio.sleep(0.1)  # the client went away before its stream started
    assert caps.admit(hub, "cam", per_camera=1, total=0) is None


async def test_a_frame_that_stops_arriving_turns_into_no_signal(hub: Hub):
    hub.stale_after = 0.1
    slot = hub.slot("cam")
    slot.stale_after = 0.1
    hub.deliver_status(CameraStatus("cam", state="online", enabled=True, width=64, height=48))
    hub.deliver_frame(Frame.create("cam", 1, b"\xff\xd8" + b"x" * 50 + b"\xff\xd9", 64, 48))
    assert slot.live
    await asyncio.sleep(0.15)  # no frame for longer than stale_after
    assert not slot.live and slot.stale
    expected = placeholder.render("NO SIGNAL", "no frame for more than 0.1 s", 64, 48)
    assert expected in slot.placeholder_part()
