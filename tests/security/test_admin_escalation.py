"""In the Django admin, livecam admins hand out roles; only superusers make superusers."""

from __future__ import annotations

import json
from html.parser import HTMLParser

import httpx
import pytest

from tests.security.conftest import World

# Each CLI call starts Django anew: on a loaded 2-core machine that takes seconds.
pytestmark = pytest.mark.timeout(180)


class _Form(HTMLParser):
    """The fields of the admin's change form, as a browser would submit them unchanged."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: dict[str, list[str]] = {}
        self.names: set[str] = set()
        self._select: str | None = None
        self._form = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("id", "").endswith("_form"):
            self._form = True
        if not self._form or "name" not in a:
            if tag == "option" and self._select and "selected" in a:
                self.fields.setdefault(self._select, []).append(a.get("value", ""))
            return
        self.names.add(a["name"])
        if tag == "select":
            self._select = a["name"]
        elif tag == "input" and a.get("type") == "checkbox":
            if "checked" in a:
                self.fields.setdefault(a["name"], []).append(a.get("value", "on"))
        elif tag == "input" and a.get("type") != "submit":
            self.fields.setdefault(a["name"], []).append(a.get("value", ""))
        elif tag == "textarea":
            self.fields.setdefault(a["name"], []).append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        if tag == "form":
            self._form = False


def _form(page: str) -> _Form:
    parser = _Form()
    parser.feed(page)
    return parser


def _ids(world: World) -> dict[str, int]:
    out = world.shell(
        """
        import json
        from django.contrib.auth.models import Group, Permission, User
        ids = {u.username: u.pk for u in User.objects.all()}
        ids.update({"group:" + g.name: g.pk for g in Group.objects.all()})
        ids["perm"] = Permission.objects.get(codename="view_accessattempt").pk
        print("IDS" + json.dumps(ids))
        """
    )
    return json.loads(out.split("IDS", 1)[1])


def _user(world: World, name: str) -> dict[str, object]:
    out = world.shell(
        f"""
        import json
        from django.contrib.auth.models import User
        from livecam.access.roles import role_of
        u = User.objects.get(username={name!r})
        print("USER" + json.dumps({{"superuser": u.is_superuser, "staff": u.is_staff,
            "role": role_of(u), "groups": sorted(g.name for g in u.groups.all()),
            "perms": u.user_permissions.count()}}))
        """
    )
    return json.loads(out.split("USER", 1)[1])


def _post(client: httpx.Client, path: str, fields: dict[str, list[str]]) -> httpx.Response:
    data = {**fields, "csrfmiddlewaretoken": [client.cookies["csrftoken"]], "_save": ["Save"]}
    return client.post(path, data=data)


def test_an_admin_cannot_make_themselves_superuser(world: World):
    ids = _ids(world)
    path = f"/admin/auth/user/{ids['adam']}/change/"
    with world.session("adam") as client:
        page = client.get(path)
        assert page.status_code == 200
        form = _form(page.text)
        assert "role" in form.names
        for field in ("is_superuser", "is_staff", "groups", "user_permissions"):
            assert field not in form.names, field
        fields = dict(form.fields)
        fields.update(
            is_superuser=["on"],
            is_staff=["on"],
            groups=[str(ids["group:lab"]), str(ids["group:admin"])],
            user_permissions=[str(ids["perm"])],
            role=["admin"],
        )
        saved = _post(client, path, fields)
        assert saved.status_code == 302, saved.text
        # Superuser pages stay shut (the login lockout records, for one).
        assert client.get("/admin/axes/accessattempt/").status_code == 403
    assert _user(world, "adam") == {
        "superuser": False,
        "staff": True,
        "role": "admin",
        "groups": ["admin"],
        "perms": 0,
    }


def test_an_admin_hands_out_roles_but_not_groups_or_permissions(world: World):
    ids = _ids(world)
    path = f"/admin/auth/user/{ids['gary']}/change/"
    with world.session("adam") as client:
        fields = _form(client.get(path).text).fields
        assert fields["role"] == ["viewer"]
        fields.update(role=["operator"], groups=[str(ids["group:admin"])])
        assert _post(client, path, fields).status_code == 302
        assert _user(world, "gary")["role"] == "operator"
        assert _user(world, "gary")["groups"] == ["lab", "operator"]  # lab kept, nothing added
        fields.update(role=["viewer"])
        assert _post(client, path, fields).status_code == 302
        # Group permissions are the superuser's: the form has none to change.
        group_path = f"/admin/auth/group/{ids['group:viewer']}/change/"
        group_form = _form(client.get(group_path).text)
        assert "permissions" not in group_form.names and "name" not in group_form.names
        _post(client, group_path, {"name": ["viewer"], "permissions": [str(ids["perm"])]})
        assert client.get(f"/admin/auth/group/{ids['group:viewer']}/delete/").status_code == 403
    assert _user(world, "gary")["role"] == "viewer"
    count = world.shell(
        "from django.contrib.auth.models import Group\n"
        "print('N', Group.objects.get(name='viewer').permissions.count())"
    )
    assert count.split("N", 1)[1].split() == ["1"]  # livecam.view_camera only


def test_an_admin_cannot_change_or_delete_a_superuser(world: World):
    ids = _ids(world)
    with world.session("adam") as client:
        page = client.get(f"/admin/auth/user/{ids['admin']}/change/")
        assert page.status_code == 200 and "password" not in _form(page.text).names  # view only
        refused = _post(client, f"/admin/auth/user/{ids['admin']}/change/", {"username": ["x"]})
        assert refused.status_code == 403
        password = f"/admin/auth/user/{ids['admin']}/password/"
        assert client.get(password).status_code == 403
        assert client.get(f"/admin/auth/user/{ids['admin']}/delete/").status_code == 403
        bulk = {
            "csrfmiddlewaretoken": client.cookies["csrftoken"],
            "action": "delete_selected",
            "_selected_action": [str(ids["admin"])],
            "post": "yes",
        }
        client.post("/admin/auth/user/", data=bulk)
    assert _user(world, "admin")["superuser"] is True
    with world.session("admin") as client:  # a superuser sees and may set every field
        names = _form(client.get(f"/admin/auth/user/{ids['adam']}/change/").text).names
        assert {"is_superuser", "is_staff", "groups", "user_permissions"} <= names
