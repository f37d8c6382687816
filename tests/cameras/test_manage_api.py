"""Camera management over the API of a real server: add, edit, remove, and their errors."""

from __future__ import annotations

import threading
from typing import Any

import httpx
import pytest

from tests.support.server import LivecamServer
from tests.support.viewer import Viewer


def _body(camera_id: str, **extra: object) -> dict[str, object]:
    return {"id": camera_id, "source": "pattern:", "width": 160, "height": 120, "fps": 10, **extra}


def test_create_answers_201_with_state_then_409_for_the_same_id(
    server: LivecamServer, camera_id: str
):
    with server.api() as client:
        created = client.post("/api/cameras", json=_body(camera_id, label="Porch"))
        assert created.status_code == 201, created.text
        state = created.json()
        assert (state["id"], state["label"], state["enabled"]) == (camera_id, "Porch", True)
        assert {"online", "state", "width", "height", "fps", "viewers"} <= set(state)
        again = client.post("/api/cameras", json=_body(camera_id))
        assert again.status_code == 409
        assert again.json()["detail"].startswith("id:")
    server.wait_for(camera_id, lambda s: s["online"])
    listed = server.cli("camera", "list").stdout
    assert camera_id in listed


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"id": "Bad Id!"}, "id"),
        ({"source": "gopher://camera.example/"}, "source"),
        ({"source": "file:/etc/passwd"}, "source"),
        ({"source": "no-colon"}, "source"),
        ({"width": 8}, "width"),
        ({"quality": 101}, "quality"),
        ({"rotation": 45}, "rotation"),
        ({"linger": -1}, "linger"),
    ],
)
def test_bad_fields_answer_400_naming_the_field(
    server: LivecamServer, camera_id: str, change: dict[str, object], field: str
):
    with server.api() as client:
        answer = client.post("/api/cameras", json={**_body(camera_id), **change})
        assert answer.status_code == 400, answer.text
        assert answer.json()["detail"].startswith(f"{field}:"), answer.json()
        assert client.get(f"/api/cameras/{camera_id}").status_code == 404


@pytest.mark.parametrize(
    "body",
    [
        {"id": "x1", "source": "pattern:", "colour": "red"},
        {"id": "x1"},
        {"id": "x1", "source": "pattern:", "enabled": "yes"},
        {"id": "x1", "source": "pattern:", "width": "160"},
        [],
    ],
)
def test_malformed_bodies_are_refused(server: LivecamServer, body: object):
    with server.api() as client:
        answer = client.post("/api/cameras", json=body)
        assert answer.status_code in (400, 422), answer.text
        assert set(answer.json()) == {"detail"}
        assert client.get("/api/cameras/x1").status_code == 404


def test_patch_changes_only_what_is_sent_and_refuses_unknown_fields(
    server: LivecamServer, camera_id: str
):
    with server.api() as client:
        assert client.post("/api/cameras", json=_body(camera_id, label="A")).status_code == 201
        patched = client.patch(f"/api/cameras/{camera_id}", json={"width": 320, "height": 240})
        assert patched.status_code == 200, patched.text
        assert patched.json()["label"] == "A"
        server.wait_for(camera_id, lambda s: s["online"] and s["width"] == 320)
        bad = client.patch(f"/api/cameras/{camera_id}", json={"source": "file:/etc/hosts"})
        assert bad.status_code == 400 and bad.json()["detail"].startswith("source:")
        unknown = client.patch(f"/api/cameras/{camera_id}", json={"id": "renamed"})
        assert unknown.status_code in (400, 422)
        missing = client.patch("/api/cameras/no-such-camera", json={"label": "x"})
        assert missing.status_code == 404


def _patch_together(server: LivecamServer, path: str, edits: dict[str, list[Any]]) -> None:
    """PATCH ``path`` from one thread per field at once, its values in turn; all must pass."""
    errors: list[str] = []
    start = threading.Barrier(len(edits))

    def edit(field: str, values: list[Any]) -> None:
        with server.api() as client:
            start.wait()
            for value in values:
                answer = client.patch(path, json={field: value})
                if answer.status_code != 200:
                    errors.append(answer.text)

    threads = [threading.Thread(target=edit, args=item) for item in edits.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors


def test_concurrent_edits_of_different_fields_are_all_kept(server: LivecamServer, camera_id: str):
    with server.api() as client:
        assert client.post("/api/cameras", json=_body(camera_id, enabled=False)).status_code == 201
    rounds = 15
    labels = [f"label-{i}" for i in range(rounds)]
    lingers = [float(i + 1) for i in range(rounds)]
    _patch_together(server, f"/api/cameras/{camera_id}", {"label": labels, "linger": lingers})
    out = (
        server.cli(
            "shell",
            "-c",
            f"from livecam.models import Camera; c=Camera.objects.get(pk={camera_id!r}); "
            "print(c.label, c.linger)",
        )
        .stdout.strip()
        .splitlines()[-1]
        .split()
    )
    assert out == [labels[-1], str(lingers[-1])]


def test_delete_ends_streams_and_the_camera(server: LivecamServer, camera_id: str):
    with server.api() as client:
        assert client.post("/api/cameras", json=_body(camera_id)).status_code == 201
        server.wait_for(camera_id, lambda s: s["online"])
        with Viewer(server, camera_id, lambda body: True) as viewer:
            viewer.wait(live=True)
            deleted = client.delete(f"/api/cameras/{camera_id}")
            assert deleted.status_code == 204, deleted.text
            assert deleted.content == b"" and "content-type" not in deleted.headers
            viewer.wait_ended(timeout=10)
            assert viewer.error is None
        assert client.get(f"/api/cameras/{camera_id}").status_code == 404
        assert client.delete(f"/api/cameras/{camera_id}").status_code == 404
        snapshot = client.get(f"/cameras/{camera_id}/snapshot.jpg")
        assert snapshot.status_code == 404


def test_delete_while_recording_finishes_the_recording(server: LivecamServer, camera_id: str):
    with server.api() as client:
        assert client.post("/api/cameras", json=_body(camera_id)).status_code == 201
        server.wait_for(camera_id, lambda s: s["online"])
        with (
            httpx.Client(base_url=server.base_url, headers=server.auth_headers()) as events,
            events.stream("GET", "/api/events", timeout=httpx.Timeout(10, read=15)) as stream,
        ):
            # Subscribed first: the recording's event may come at once.
            assert client.post(f"/api/cameras/{camera_id}/recordings/start").status_code == 200
            seen = ""
            for line in stream.iter_lines():
                seen = line if line.startswith("event:") else seen
                if seen == "event: recording" and line.startswith("data:") and camera_id in line:
                    break
        log_before = server.log_path.read_text()
        assert client.delete(f"/api/cameras/{camera_id}").status_code == 204
    log_after = server.log_path.read_text()[len(log_before) :]
    assert "recording failed" not in log_after, log_after
    assert "Traceback" not in log_after, log_after


def test_concurrent_control_changes_of_different_controls_are_all_kept(
    server: LivecamServer, camera_id: str
):
    with server.api() as client:
        assert client.post("/api/cameras", json=_body(camera_id, enabled=False)).status_code == 201
    rounds = 15
    brightness = [i * 5 - 50 for i in range(rounds)]
    contrast = [60 + i * 5 for i in range(rounds)]
    _patch_together(
        server,
        f"/api/cameras/{camera_id}/controls",
        {"brightness": brightness, "contrast": contrast},
    )
    with server.api() as client:
        values = {
            c["name"]: c["value"] for c in client.get(f"/api/cameras/{camera_id}/controls").json()
        }
    assert (values["brightness"], values["contrast"]) == (brightness[-1], contrast[-1])
