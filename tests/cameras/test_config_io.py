"""``livecam config export|import`` and the configuration page: round trip, all-or-nothing."""

from __future__ import annotations

import json
import textwrap

from tests.support.server import LivecamServer

_SETUP = textwrap.dedent(
    """
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from livecam.models import ApiToken, Camera, CameraAccess, MotionSettings, ShareLink
    user = get_user_model().objects.create_user("vera", password="Secret-Pass-42")
    porch = Camera.objects.create(
        id="porch", label="Porch", source="pattern:", width=320, height=240, fps=10,
        controls={"brightness": -20}, privacy_masks=[{"x": 1.5, "y": 2, "w": 30, "h": 40}])
    Camera.objects.create(id="yard", source="scene:still", enabled=False, on_demand=True)
    MotionSettings.objects.create(camera=porch, motion=True, threshold=30, mask="0,0,10,10")
    access = CameraAccess.objects.create(camera=porch)
    access.users.add(user); access.groups.add(Group.objects.create(name="family"))
    print("TOKEN", ApiToken.issue(user, name="t")[1], ShareLink.issue(porch)[1])
    """
)


def _export(server: LivecamServer) -> dict:
    return json.loads(server.cli("config", "export").stdout)


def test_export_wipe_import_gives_the_same_configuration(fresh_server: LivecamServer):
    server = fresh_server
    server.cli("migrate", "--verbosity", "0")
    secrets = server.cli("shell", "-c", _SETUP).stdout.split("TOKEN", 1)[1].split()
    first = _export(server)
    text = json.dumps(first)
    assert [c["id"] for c in first["cameras"]] == ["porch", "yard"]
    porch = first["cameras"][0]
    assert porch["controls"] == {"brightness": -20}
    assert porch["privacy_masks"] == [{"x": 1.5, "y": 2, "w": 30, "h": 40}]
    assert porch["motion"]["threshold"] == 30 and porch["motion"]["mask"] == "0,0,10,10"
    assert porch["access"] == {"users": ["vera"], "groups": ["family"]}
    for secret in secrets:
        assert secret not in text
    assert "argon2" not in text and "pbkdf2" not in text and "hash" not in text

    path = server.data_dir / "livecam.json"
    path.write_text(json.dumps(first))
    server.cli("shell", "-c", "from livecam.models import Camera; Camera.objects.all().delete()")
    assert _export(server)["cameras"] == []
    imported = server.cli("config", "import", str(path))
    assert "Imported 2 camera(s)" in imported.stdout
    assert _export(server) == first


def test_a_bad_file_changes_nothing_and_says_why(fresh_server: LivecamServer):
    server = fresh_server
    server.cli("migrate", "--verbosity", "0")
    bad = {
        "livecam_config": 1,
        "cameras": [
            {"id": "good", "source": "pattern:"},
            {
                "id": "evil",
                "source": "file:/etc/shadow",
                "privacy_masks": [{"x": 90, "y": 0, "w": 50, "h": 5}],
            },
            {"id": "odd", "source": "pattern:", "colour": "red", "access": {"users": ["ghost"]}},
        ],
    }
    path = server.data_dir / "bad.json"
    path.write_text(json.dumps(bad))
    result = server.cli("config", "import", str(path), check=False)
    assert result.returncode != 0
    for reason in (
        "cameras[1].source: files must be under",
        "cameras[1].privacy_masks: mask 1 reaches outside the frame",
        "cameras[2].colour: unknown field",
        "cameras[2].access.users: no user 'ghost'",
    ):
        assert reason in result.stderr, result.stderr
    assert _export(server)["cameras"] == []
    path.write_text("not json")
    assert server.cli("config", "import", str(path), check=False).returncode != 0


def test_the_configuration_page_downloads_and_imports(server: LivecamServer, camera_id: str):
    server.add_camera(camera_id, "pattern:", "--width", "160", "--height", "120", "--off")
    with server.session() as client:
        page = client.get("/manage/config/")
        assert page.status_code == 200
        download = client.get("/manage/config/export")
        assert download.headers["content-disposition"] == 'attachment; filename="livecam.json"'
        data = download.json()
        mine = next(c for c in data["cameras"] if c["id"] == camera_id)
        mine["label"] = "Imported label"
        upload = {"livecam_config": 1, "cameras": [mine]}
        csrf = {"csrfmiddlewaretoken": client.cookies["csrftoken"]}
        done = client.post(
            "/manage/config/", data=csrf, files={"file": ("c.json", json.dumps(upload))}
        )
        assert done.status_code == 303
        assert client.get(f"/api/cameras/{camera_id}").json()["label"] == "Imported label"
        mine["quality"] = 0
        refused = client.post(
            "/manage/config/", data=csrf, files={"file": ("c.json", json.dumps(upload))}
        )
        assert refused.status_code == 200 and "cameras[0].quality" in refused.text
        assert client.get(f"/api/cameras/{camera_id}").json()["label"] == "Imported label"


def test_the_configuration_page_is_for_admins_only(server: LivecamServer):
    server.cli(
        "shell",
        "-c",
        "from django.contrib.auth import get_user_model\n"
        "from livecam.access.roles import set_role\n"
        "u = get_user_model().objects.create_user('cfg-op', password='Pass-word-4242')\n"
        "set_role(u, 'operator')",
    )
    with server.session("cfg-op", "Pass-word-4242") as client:
        assert client.get("/manage/config/").status_code == 403
        assert client.get("/manage/config/export").status_code == 403
        assert client.get("/manage/cameras/new/").status_code == 403
