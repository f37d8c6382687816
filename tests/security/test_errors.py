"""The one error path: generic 500s (logged once, counted), unknown fields refused, themed pages."""

from __future__ import annotations

import httpx
from prometheus_client.parser import text_string_to_metric_families

from tests.security.conftest import World
from tests.support.debug_urls import BOOM

GENERIC_500 = {"detail": "internal server error"}


def _errors_counted(world: World) -> dict[str, float]:
    """Return livecam_http_errors_total by status."""
    with world.server.api() as client:
        text = client.get("/metrics").text
    return {
        sample.labels["status"]: sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == "livecam_http_errors_total"
    }


def test_a_bug_answers_the_generic_message_logs_once_and_counts(world: World):
    before_log = world.server.log_path.read_text()
    before = _errors_counted(world).get("500", 0)
    with world.server.api() as client:
        page = client.get("/_test/boom", headers={"Accept-Language": "ja"})
        machine = client.get("/_test/boom.json")
        api = client.get("/api/_test/boom")
    assert (page.status_code, machine.status_code, api.status_code) == (500, 500, 500)
    assert machine.json() == api.json() == GENERIC_500
    assert api.headers["content-type"] == "application/json"
    # The page is the site's own, translated, and says nothing of what failed.
    assert page.headers["content-type"].startswith("text/html")
    assert "livecam/livecam.css" in page.text and "サーバーエラー" in page.text
    for answer in (page, machine, api):
        assert BOOM not in answer.text and "Traceback" not in answer.text
        assert "RuntimeError" not in answer.text and ".py" not in answer.text
    # Each traceback is in the log exactly once (the log is written before the answer).
    log = world.server.log_path.read_text()[len(before_log) :]
    for path in ("/_test/boom", "/_test/boom.json", "/api/_test/boom"):
        assert log.count(f"{BOOM} {path} in ") == 1, log
    assert log.count("Traceback (most recent call last)") == 3, log
    assert _errors_counted(world)["500"] == before + 3


def test_unknown_api_paths_say_not_found_and_nothing_else(world: World):
    anonymous = httpx.Client(base_url=world.server.base_url, timeout=10)
    with anonymous, world.server.api() as admin:
        for client in (anonymous, admin):
            for path in ("/api/nothing", "/api/cameras/demo%00/", "/metrics/x", "/x/y.json"):
                response = client.get(path)
                assert response.status_code == 404, path
                assert response.json() == {"detail": "not found"}, path
            typo = client.post("/api/cameras/demo/of")
            assert (typo.status_code, typo.json()) == (404, {"detail": "not found"})
        # A message livecam wrote for the caller stays.
        assert admin.get("/api/cameras/no-such-cam").json() == {"detail": "no such camera"}


def test_wrong_methods_answer_json_405_with_allow(world: World):
    with world.server.api() as client:
        for method, path in (
            ("PUT", "/api/cameras/demo"),
            ("POST", "/metrics"),
            ("POST", "/cameras/demo/snapshot.jpg"),
            ("POST", "/cameras/demo/stream.mjpg"),
            ("DELETE", "/cameras/demo/stream.mp4"),
            ("DELETE", "/api/openapi.json"),
            ("POST", "/healthz"),
        ):
            response = client.request(method, path)
            assert response.status_code == 405, path
            assert response.json() == {"detail": "method not allowed"}
            assert "GET" in response.headers["allow"]


def test_a_snapshot_answers_head_without_a_body(world: World):
    with world.server.api() as client:
        head = client.head("/cameras/demo/snapshot.jpg")
        assert head.status_code == 200 and head.headers["content-type"] == "image/jpeg"
        assert head.content == b""


def test_unknown_fields_are_refused_by_name_and_change_nothing(world: World):
    path = "/api/cameras/demo/motion"
    with world.server.api() as client:
        before = client.get(path).json()
        typo = client.patch(path, json={"overlai": True})
        assert typo.status_code == 400
        assert typo.json() == {"detail": "invalid request: unknown field 'overlai'"}
        # One known field with two unknown ones: all refused, nothing applied.
        mixed = client.patch(path, json={"overlay": not before["overlay"], "a": 1, "b": 2})
        assert mixed.status_code == 400
        assert mixed.json()["detail"] == "invalid request: unknown fields 'a', 'b'"
        assert client.get(path).json() == before


def test_invalid_input_names_the_field_but_never_echoes_values(world: World):
    with world.server.api() as client:
        response = client.patch(
            "/api/cameras/demo/motion",
            json={"threshold": "hunter2-secret", "webhook_url": "ftp://user:pw-secret@x/"},
        )
        assert response.status_code == 400
        body = response.json()
        assert list(body) == ["detail"]
        assert "threshold: " in body["detail"] and "webhook_url: " in body["detail"]
        assert "secret" not in response.text and '"loc"' not in response.text
        assert "webhook_url: does not have the form given in /api/openapi.json" in body["detail"]
        assert "changes" not in body["detail"]  # the view's parameter name is internal
        for content, reason in (
            (b"", "the request body is required (a JSON object)"),
            (b"[1]", "the request body must be a JSON object"),
            (b'{"threshold": ', "the body is not valid JSON"),
            # Python's json takes these; JSON has no such numbers, and NaN passes range checks.
            (b'{"threshold": NaN}', "NaN is not a JSON number"),
            (b'{"threshold": -Infinity}', "-Infinity is not a JSON number"),
        ):
            answer = client.patch(
                "/api/cameras/demo/motion",
                content=content,
                headers={"Content-Type": "application/json"},
            )
            assert answer.json() == {"detail": f"invalid request: {reason}"}


def test_error_pages_are_themed_translated_and_do_not_echo_the_path(world: World):
    japanese = {"Accept-Language": "ja"}
    with httpx.Client(base_url=world.server.base_url, timeout=10, headers=japanese) as anon:
        missing = anon.get("/nothing-here.py")
        assert missing.status_code == 404
        assert '<html lang="ja">' in missing.text and "livecam/livecam.css" in missing.text
        assert "ページが見つかりません" in missing.text
        assert "nothing-here" not in missing.text
    with world.session("otto") as operator:
        operator.headers.update(japanese)
        refused = operator.post(
            "/cameras/demo/share/", data={"csrfmiddlewaretoken": operator.cookies["csrftoken"]}
        )
        assert refused.status_code == 403
        assert "カメラを共有できるのは管理者だけです。" in refused.text
        assert "livecam/livecam.css" in refused.text and 'class="usermenu"' in refused.text
        no_csrf = operator.post("/cameras/demo/power", data={"state": "on"})
        assert no_csrf.status_code == 403
        assert "フォームの有効期限切れ" in no_csrf.text and "livecam/livecam.css" in no_csrf.text
        wrong_method = operator.get("/cameras/demo/power")
        assert wrong_method.status_code == 405 and "このメソッドは使えません" in wrong_method.text


def test_a_body_over_the_limit_is_413_json_or_page(world: World):
    padding = "x" * 300_000  # DATA_UPLOAD_MAX_MEMORY_SIZE is 256 KiB
    with world.server.api() as client:
        response = client.patch("/api/cameras/demo/motion", json={"mask": padding})
        assert response.status_code == 413
        assert response.json()["detail"].startswith("request body too large")
    with world.session("otto") as operator:
        form = {"state": "on", "pad": padding, "csrfmiddlewaretoken": operator.cookies["csrftoken"]}
        page = operator.post("/cameras/demo/power", data=form)
        # Refused in front of Django from Content-Length (issue 19: nothing read, nothing spooled),
        # so the answer is the short JSON detail there too, not the themed page.
        assert page.status_code == 413
        assert page.json()["detail"].startswith("request body too large")


def test_an_error_page_leaves_notices_for_the_next_page(world: World):
    with world.session("otto") as operator:
        form = {"state": "on", "csrfmiddlewaretoken": operator.cookies["csrftoken"]}
        assert operator.post("/cameras/demo/power", data=form).status_code == 303
        missing = operator.get("/no-such-page")
        assert missing.status_code == 404 and 'class="messages"' not in missing.text
        page = operator.get("/cameras/demo/")
        assert 'class="messages"' in page.text and "switched on." in page.text


def test_a_deliberate_503_is_json_and_no_error_line(world: World):
    world.server.add_camera("errors-off", "pattern:", "--width", "160", "--height", "120")
    world.server.cli("camera", "off", "errors-off")
    before_log = world.server.log_path.read_text()
    with world.server.api() as client:
        response = client.get("/cameras/errors-off/snapshot.jpg")
    assert response.status_code == 503 and response.headers["retry-after"]
    assert response.json() == {"detail": "camera is off"}
    assert " ERROR " not in world.server.log_path.read_text()[len(before_log) :]


def test_camera_fields_refuse_what_the_database_cannot_keep(world: World):
    """NaN slips past range checks (SQLite stores it as NULL); PostgreSQL refuses NUL."""
    with world.server.api() as client:
        before = client.get("/api/cameras/demo").json()
        for content, reason in (
            (b'{"fps": NaN}', "invalid request: NaN is not a JSON number"),
            (b'{"label": "a\\u0000b"}', "label: may not contain NUL characters"),
        ):
            answer = client.patch(
                "/api/cameras/demo", content=content, headers={"Content-Type": "application/json"}
            )
            assert answer.status_code == 400, answer.text
            assert reason in answer.json()["detail"]
        assert client.get("/api/cameras/demo").json()["label"] == before["label"]
