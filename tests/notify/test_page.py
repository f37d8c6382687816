"""The notifications page: a form that works without JavaScript, translated."""

from __future__ import annotations

from tests.support.server import LivecamServer


def test_the_page_saves_wishes_and_speaks_japanese(server: LivecamServer, camera_id: str):
    server.add_camera(camera_id, "pattern:", "--width", "160", "--height", "120")
    with server.session() as client:
        page = client.get("/account/notifications/")
        assert page.status_code == 200 and f'data-camera="{camera_id}"' in page.text
        assert f'name="motion-{camera_id}"' in page.text
        form = {
            "csrfmiddlewaretoken": client.cookies["csrftoken"],
            "email": "on",
            "quiet_start": "23:00",
            "quiet_end": "06:30",
            f"motion-{camera_id}": "on",
            f"interval-{camera_id}": "3",
        }
        saved = client.post("/account/notifications/", data=form)
        assert saved.status_code == 303
        wishes = client.get("/api/notifications").json()
        assert wishes["quiet_start"] == "23:00" and wishes["quiet_end"] == "06:30"
        assert {"camera": camera_id, "motion": True, "offline": False, "min_interval": 3} in (
            wishes["rules"]
        )
        bad = client.post("/account/notifications/", data={**form, "quiet_end": "25:99"})
        assert bad.status_code == 200 and 'role="alert"' in bad.text
        client.post(
            "/language",
            data={
                "language": "ja",
                "next": "/account/notifications/",
                "csrfmiddlewaretoken": client.cookies["csrftoken"],
            },
        )
        japanese = client.get("/account/notifications/")
        assert "通知" in japanese.text and "動きの開始" in japanese.text
