"""Access answers remembered for a database outage: recent "yes"es, bounded and short-lived.

Snapshots need the database only to check who asks; the frame is in memory. While the database
cannot be reached, a client whose credentials (a session cookie, a bearer token) were allowed a
camera within the last ACCESS_GRACE seconds still gets that camera's snapshot. The memory is
read only after the database raised: every answer it holds was given by a real check, no
answer outlives the grace time, and a "no" (a hidden camera, a revoked token) removes it.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.http import HttpRequest

from livecam import conf
from livecam.errors import is_machine_path

MAX_ENTRIES = 1000
"""Credential and camera pairs remembered at most (the least recently used go first)."""

Credential = tuple[str, str]
V = TypeVar("V", bound=Callable[..., Any])


def answers_from_memory(view: V) -> V:
    """Mark a view that checks access itself against remembered answers when the database fails.

    The login middleware lets such a view run while the database cannot be reached; the view
    then authorizes with `REMEMBERED` alone (see `livecam.views.access.camera_for_snapshot`).
    """
    view.answers_from_memory = True  # type: ignore[attr-defined]
    return view


def may_answer_from_memory(view: Callable[..., Any]) -> bool:
    """Return True for a view marked with `answers_from_memory`."""
    return bool(getattr(view, "answers_from_memory", False))


def grace_seconds() -> float:
    """Return how long a "yes" given before the database became unreachable still stands."""
    return float(conf.get("ACCESS_GRACE"))


def credential_of(request: HttpRequest) -> Credential | None:
    """Return what identifies the request's credentials without the database (a digest).

    A bearer token counts on machine paths only, as in ``TokenAuthMiddleware``; anything else
    is the session cookie. None for a request without either.
    """
    header = request.headers.get("Authorization", "")
    if header[:7].lower() == "bearer " and is_machine_path(request.path):
        return ("token", _digest(header[7:].strip()))
    cookie = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
    return ("session", _digest(cookie)) if cookie else None


def _digest(raw: str) -> str:
    # Only digests are kept: the memory never holds a usable secret.
    return hashlib.sha256(raw.encode()).hexdigest()


class AccessMemory:
    """The last "yes" per credential and camera, for at most MAX_ENTRIES pairs."""

    def __init__(self, max_entries: int = MAX_ENTRIES) -> None:
        self._max = max_entries
        self._lock = threading.Lock()
        self._entries: OrderedDict[tuple[Credential, str], tuple[float, Any]] = OrderedDict()

    def remember(self, credential: Credential | None, camera_id: str, answer: Any) -> None:
        """Record that these credentials were just allowed this camera (answer: the camera)."""
        if credential is None:
            return
        with self._lock:
            self._entries[(credential, camera_id)] = (time.monotonic(), answer)
            self._entries.move_to_end((credential, camera_id))
            while len(self._entries) > self._max:
                self._entries.popitem(last=False)

    def forget(self, credential: Credential | None, camera_id: str) -> None:
        """Drop the remembered answer (a real check just said no)."""
        with self._lock:
            self._entries.pop((credential, camera_id), None)  # type: ignore[arg-type]

    def recall(self, credential: Credential | None, camera_id: str) -> Any | None:
        """Return the answer remembered within the grace time, else None."""
        if credential is None:
            return None
        with self._lock:
            entry = self._entries.get((credential, camera_id))
            if entry is None:
                return None
            if time.monotonic() - entry[0] > grace_seconds():
                del self._entries[(credential, camera_id)]
                return None
            return entry[1]

    def __len__(self) -> int:
        return len(self._entries)


REMEMBERED = AccessMemory()
"""This process's remembered access answers."""
