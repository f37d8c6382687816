"""ON/OFF through the HTML form (CSRF, no JavaScript), the JSON API and events."""

from __future__ import annotations

import json
import threading
import time

import httpx

from tests.support.server import LivecamServer


def test_form_post_switches_and_redirects_303(server: LivecamServer, camera_id: str):
    server.add_camera(camera_id, "pattern:", "--width", "160", "--height", "120")
    with server.session() as client:
        token = client.cookies["csrftoken"]
        response = client.post(
            f"/cameras/{camera_id}/power", data={"state": "off", "csrfmiddlewaretoken": token}
        )
        assert response.status_code == 303
        assert response.headers["location"] == "/"
        assert client.get(f"/api/cameras/{camera_id}").json()["enabled"] is False
        page = client.get("/")
        assert "switched off" in page.text
        response = client.post(
            f"/cameras/{camera_id}/power",
            data={"state": "on", "csrfmiddlewaretoken": token, "next": f"/cameras/{camera_id}/"},
        )
        assert response.headers["location"] == f"/cameras/{camera_id}/"
        assert client.get(f"/api/cameras/{camera_id}").json()["enabled"] is True


def test_form_post_without_csrf_is_rejected(server: LivecamServer, camera_id: str):
    server.add_camera(camera_id, "pattern:")
    with server.session() as client:
        response = client.post(f"/cameras/{camera_id}/power", data={"state": "off"})
        assert response.status_code == 403
        assert client.get(f"/api/cameras/{camera_id}").json()["enabled"] is True


def test_form_rejects_unknown_state_and_offsite_next(server: LivecamServer, camera_id: str):
    server.add_camera(camera_id, "pattern:")
    with server.session() as client:
        token = client.cookies["csrftoken"]
        bad = client.post(
            f"/cameras/{camera_id}/power", data={"state": "maybe", "csrfmiddlewaretoken": token}
        )
        assert bad.status_code == 400
        evil = client.post(
            f"/cameras/{camera_id}/power",
            data={"state": "on", "csrfmiddlewaretoken": token, "next": "https://evil.example/"},
        )
        assert evil.headers["location"] == "/"


def test_api_switch_with_session_needs_csrf(server: LivecamServer, camera_id: str):
    server.add_camera(camera_id, "pattern:")
    with server.session() as client:
        assert client.post(f"/api/cameras/{camera_id}/off").status_code == 403
        response = client.post(
            f"/api/cameras/{camera_id}/off", headers={"X-CSRFToken": client.cookies["csrftoken"]}
        )
        assert response.status_code == 200
        assert response.json()["enabled"] is False


def test_api_switch_with_token_and_json_state(server: LivecamServer, camera_id: str):
    server.add_camera(camera_id, "pattern:", "--width", "160", "--height", "120", "--fps", "10")
    with server.api() as client:
        state = client.post(f"/api/cameras/{camera_id}/off").json()
        assert state["enabled"] is False and state["state"] in ("stopping", "off")
        state = server.wait_for(camera_id, lambda s: s["state"] == "off")
        assert state["online"] is False
        state = client.post(f"/api/cameras/{camera_id}/on").json()
        # The answer never contradicts itself: ON and still "off" would read as a failure.
        assert state["enabled"] is True and state["state"] in ("starting", "online")
    state = server.wait_for(camera_id, lambda s: s["online"])
    assert set(state) >= {
        "id",
        "label",
        "enabled",
        "online",
        "state",
        "error",
        "width",
        "height",
        "fps",
        "viewers",
        "last_frame_at",
    }
    assert (state["width"], state["height"]) == (160, 120)


def test_switching_sends_an_event(server: LivecamServer, camera_id: str):
    server.add_camera(camera_id, "pattern:", "--width", "160", "--height", "120")
    server.wait_for(camera_id, lambda s: s["online"])
    seen: list[dict[str, object]] = []
    ready = threading.Event()

    def listen() -> None:
        with (
            httpx.Client(
                base_url=server.base_url, headers=server.auth_headers(), timeout=10
            ) as client,
            client.stream("GET", "/api/events") as response,
        ):
            event = ""
            for line in response.iter_lines():
                if line.startswith("event:"):
                    event = line[6:].strip()
                elif line.startswith("data:") and event == "camera":
                    state = json.loads(line[5:])
                    if state["id"] == camera_id:
                        ready.set()
                        seen.append(state)
                        if state["state"] == "off":
                            return

    thread = threading.Thread(target=listen, daemon=True)
    thread.start()
    assert ready.wait(10), "the initial snapshot event"
    with server.api() as client:
        client.post(f"/api/cameras/{camera_id}/off")
    thread.join(10)
    assert not thread.is_alive()
    assert seen[-1]["enabled"] is False and seen[-1]["state"] == "off"


def test_openapi_document_describes_the_api(server: LivecamServer):
    with server.api() as client:
        document = client.get("/api/openapi.json").json()
    assert document["openapi"].startswith("3.")
    paths = document["paths"]
    for path in (
        "/api/cameras",
        "/api/cameras/{camera_id}",
        "/api/cameras/{camera_id}/on",
        "/api/cameras/{camera_id}/off",
        "/api/events",
    ):
        assert path in paths, path


def test_viewer_counts_reach_open_pages(server: LivecamServer, camera_id: str):
    # An OFF camera publishes no status of its own: the page must still see its viewers change.
    from tests.support.sse import EventLog
    from tests.test_stream import close_stream, open_stream

    server.add_camera(camera_id, "pattern:", "--width", "160", "--height", "120", "--off")
    server.wait_for(camera_id, lambda s: s["state"] == "off")
    log = EventLog(server.base_url, server.auth_headers())
    try:

        def viewers(count: int):
            return lambda name, data: (
                name == "camera" and data["id"] == camera_id and data["viewers"] == count
            )

        log.wait_for(viewers(0), timeout=10)
        streams = [open_stream(server, camera_id) for _ in range(2)]
        started = time.monotonic()
        log.wait_for(viewers(2), timeout=5)
        assert time.monotonic() - started < 2.0
        mark = len(log.events)  # the 0 of the first snapshot must not count again
        for response in streams:
            close_stream(response)
        gone = viewers(0)
        log.wait_for(
            lambda name, data: gone(name, data) and any(d is data for _, d in log.events[mark:]),
            timeout=5,
        )
    finally:
        log.close()
