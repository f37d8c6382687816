"""This process's identity: names the capture owner in leases and in the recordings it writes."""

from __future__ import annotations

import os
import secrets
import socket

HOST = socket.gethostname()
"""This machine's name (a recording's file lock can only be checked on the same machine)."""


def process_id() -> str:
    """Return ``host:pid:random``, unique to this process (asked again after a fork)."""
    global _pid, _id
    if _pid != os.getpid():
        _pid, _id = os.getpid(), f"{HOST}:{os.getpid()}:{secrets.token_hex(6)}"
    return _id


def host_of(identity: str) -> str:
    """Return the machine name part of a process identity ("" for none)."""
    return identity.rsplit(":", 2)[0] if identity.count(":") >= 2 else ""


_pid = -1
_id = ""
