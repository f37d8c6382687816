"""A motion-settings PATCH racing Record/Stop over real HTTP: neither undoes the other."""

from __future__ import annotations

import asyncio

import httpx

from tests.support.server import LivecamServer

ROUNDS = 20
PATCHES = 6  # settings changes in flight around each Record/Stop


async def _round(api: httpx.AsyncClient, camera_id: str, record: bool, threshold: int) -> None:
    base = f"/api/cameras/{camera_id}"
    # A mask makes the PATCH validate (parse the mask) between reading and writing the row,
    # the window in which a whole-row save would write back the old Record state.
    body = {"threshold": threshold, "mask": "10,10,20,20;50,50,10,10"}
    action = api.post(f"{base}/recordings/{'start' if record else 'stop'}")
    patches = [api.patch(f"{base}/motion", json=body) for _ in range(PATCHES)]
    answers = await asyncio.gather(*patches[: PATCHES // 2], action, *patches[PATCHES // 2 :])
    assert all(a.status_code == 200 for a in answers), [a.text for a in answers]
    assert answers[PATCHES // 2].json()["recording"] is record
    state = (await api.get(f"{base}/recording")).json()
    assert state["recording"] is record, f"a PATCH undid {'Record' if record else 'Stop'}"
    settings = (await api.get(f"{base}/motion")).json()
    assert settings["threshold"] == threshold


def test_settings_patches_never_undo_record_or_stop(server: LivecamServer, camera_id: str):
    server.add_camera(camera_id, "pattern:", "--width", "160", "--height", "120", "--off")

    async def race() -> None:
        async with httpx.AsyncClient(
            base_url=server.base_url, headers=server.auth_headers(), timeout=30
        ) as api:
            for index in range(ROUNDS):
                await _round(api, camera_id, record=index % 2 == 0, threshold=10 + index)

    asyncio.run(race())
