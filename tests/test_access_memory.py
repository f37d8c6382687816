"""The access memory of a database outage (``livecam.access.fallback``): bounded and short-lived."""

from __future__ import annotations

import time

from django.test import RequestFactory, override_settings

from livecam.access.fallback import AccessMemory, credential_of


def test_it_holds_at_most_its_size_and_drops_the_least_recently_used():
    memory = AccessMemory(max_entries=3)
    for n in range(3):
        memory.remember(("token", str(n)), "cam", n)
    assert memory.recall(("token", "0"), "cam") == 0  # a recall is no new "yes"...
    memory.remember(("token", "3"), "cam", 3)
    assert memory.recall(("token", "0"), "cam") is None  # ...so the oldest went first
    memory.remember(("token", "1"), "cam", 1)  # a new "yes" moves it to the end
    memory.remember(("token", "4"), "cam", 4)
    assert len(memory) == 3
    assert memory.recall(("token", "2"), "cam") is None
    assert [memory.recall(("token", str(n)), "cam") for n in (1, 3, 4)] == [1, 3, 4]


def test_an_answer_lapses_after_the_grace_time_and_a_no_removes_it():
    memory = AccessMemory()
    memory.remember(("session", "a"), "cam", "yes")
    memory.remember(("session", "b"), "cam", "yes")
    memory.forget(("session", "b"), "cam")
    assert memory.recall(("session", "b"), "cam") is None
    assert memory.recall(("session", "a"), "other") is None
    assert memory.recall(None, "cam") is None
    with override_settings(LIVECAM={"ACCESS_GRACE": 0.05}):
        assert memory.recall(("session", "a"), "cam") == "yes"
        time.sleep(0.1)  # the grace time passing is what is tested
        assert memory.recall(("session", "a"), "cam") is None
    assert len(memory) == 0


def test_credentials_are_kept_as_digests_only():
    factory = RequestFactory()
    bearer = factory.get("/cameras/c/snapshot.jpg", HTTP_AUTHORIZATION="Bearer lc_secret")
    cookie = factory.get("/cameras/c/snapshot.jpg", HTTP_COOKIE="sessionid=s3cret")
    page_bearer = factory.get("/cameras/c/", HTTP_AUTHORIZATION="Bearer lc_secret")
    kind, digest = credential_of(bearer) or ("", "")
    assert kind == "token" and "secret" not in digest and len(digest) == 64
    session = credential_of(cookie)
    assert session is not None and session[0] == "session" and "s3cret" not in session[1]
    assert credential_of(page_bearer) is None  # tokens count on machine paths only
    assert credential_of(factory.get("/cameras/c/snapshot.jpg")) is None
