"""Walk unknown and malformed paths under every prefix, as every kind of caller, over raw sockets.

No answer may show internals (URL configuration, tracebacks, module or file names, the data
dir, the secret key); machine paths answer errors as ``{"detail": "..."}`` JSON, pages as the
site's own themed page; nothing answers 500.
"""

from __future__ import annotations

import asyncio
import collections
import json
import logging
import urllib.parse
from dataclasses import dataclass

import pytest

from tests.security.conftest import World
from tests.support.raw_http import RawAnswer, request_bytes, send_raw
from tests.support.server import ROOT

pytestmark = pytest.mark.timeout(240)
logger = logging.getLogger(__name__)

PREFIXES = [
    "/api/",
    "/api/cameras/",
    "/api/cameras/demo/",
    "/cameras/",
    "/cameras/demo/",
    "/share/",
    "/account/",
    "/account/tokens/",
    "/admin/",
    "/admin/livecam/camera/",
    "/static/",
    "/static/livecam/",
    "/metrics/",
    "/",
]
# Appended to each prefix byte for byte: unknown names, machine suffixes, NUL (escaped and
# raw), dot segments (plain and escaped), escaped slashes, non-UTF-8 escapes, raw non-ASCII
# bytes, a very long segment, markup, and query strings that are not UTF-8.
TAILS = [
    b"nothing",
    b"nothing/",
    b"demo/of",
    b"x.py",
    b"x.json",
    b"x.mjpg",
    b"x.jpg",
    b"x.mp4",
    b"%00",
    b"demo%00/",
    b"demo\x00/",
    b"..",
    b"../../etc/passwd",
    b"..%2F..%2F..%2Fetc%2Fpasswd",
    b"%2e%2e/%2e%2e/settings.py",
    b"a%2Fb%2F",
    b"%ff%fe",
    b"%c3%28/",
    b"\xff\xfe/",
    b"A" * 4000,
    b"x;y=1/",
    b"%25%",
    b"%3Cscript%3E/",
    b"demo?width=%ff&fps=%fe%00",
    b"?%ff=%c3%28",
]
METHODS = [b"GET", b"HEAD", b"POST", b"PUT", b"PATCH", b"DELETE", b"OPTIONS", b"TRACE", b"BREW"]
# Routes that exist, asked with methods they do not take (none changes anything).
KNOWN = [
    "/api/cameras",
    "/api/cameras/demo",
    "/api/cameras/demo/motion",
    "/api/openapi.json",
    "/cameras/demo/power",
    "/cameras/demo/snapshot.jpg",
    "/account/tokens/",
    "/metrics",
    "/healthz",
]
ODD_METHODS = [b"PUT", b"TRACE", b"PROPFIND", b"BREW"]
BODIES = [
    (b"application/json", b'{"overlai": true, "detail": "\\u0000"}'),
    (b"application/json", b"\xff\xfe\x00{"),
    (b"application/x-www-form-urlencoded", b"state=on&x=%ff%00"),
]
ROLES = ["anonymous", "viewer", "operator", "admin", "admin-token"]
_USERS = {"viewer": "vera", "operator": "otto", "admin": "adam"}
_MACHINE_SUFFIXES = (".mjpg", ".jpg", ".json", ".mp4")
_THEMED = b"livecam/livecam.css"


@dataclass(frozen=True)
class Probe:
    """One request of the walk."""

    role: str
    prefix: str
    method: bytes
    target: bytes
    body: tuple[bytes, bytes] | None


def _probes() -> list[Probe]:
    probes = []
    for role in ROLES:
        for prefix in PREFIXES:
            for n, tail in enumerate(TAILS):
                target = prefix.encode() + tail
                # Every path with GET, and with one other method, rotating so that every
                # method meets every prefix, and every tail meets five methods.
                methods = [b"GET", METHODS[1 + (ROLES.index(role) * 3 + n) % 8]]
                for m, method in enumerate(methods):
                    body = BODIES[(n + m) % 3] if method in (b"POST", b"PUT", b"PATCH") else None
                    probes.append(Probe(role, prefix, method, target, body))
        for path in KNOWN:
            for method in ODD_METHODS:
                probes.append(Probe(role, "(known routes)", method, path.encode(), None))
    return probes


def _credentials(world: World) -> dict[str, list[tuple[bytes, bytes]]]:
    """Return the headers each role sends: session cookie + CSRF token, or a bearer token."""
    headers: dict[str, list[tuple[bytes, bytes]]] = {"anonymous": []}
    for role, username in _USERS.items():
        with world.session(username) as client:
            session = client.cookies["sessionid"]
            csrf = client.cookies["csrftoken"]
        cookie = f"sessionid={session}; csrftoken={csrf}".encode()
        headers[role] = [(b"Cookie", cookie), (b"X-CSRFToken", csrf.encode())]
    headers["admin-token"] = [(b"Authorization", f"Bearer {world.tokens['admin']}".encode())]
    return headers


def _decoded_path(target: bytes) -> str | None:
    """Return the path as the server sees it (percent-decoded), None when not ASCII."""
    try:
        raw = target.split(b"?", 1)[0].decode("ascii")
    except UnicodeDecodeError:
        return None
    return urllib.parse.unquote(raw)


def _is_machine(path: str) -> bool:
    return path.startswith(("/api/", "/metrics")) or path.endswith(_MACHINE_SUFFIXES)


def _leaks(world: World) -> list[str]:
    key_file = world.server.data_dir / "secret_key"
    secret = world.server.env.get("LIVECAM_SECRET_KEY") or key_file.read_text().strip()
    return [
        "URLResolver",
        "URLPattern",
        "Traceback",
        'File "',
        ".py",
        "tried",
        "<module",
        str(ROOT),
        str(world.server.data_dir),
        secret,
        "site-packages",
        "SELECT ",
    ]


def _problems(probe: Probe, answer: RawAnswer, leaks: list[str]) -> list[str]:
    """Return what is wrong with one answer (empty when it is fine)."""
    found = []
    if answer.status == 0:
        return ["no answer"]
    if answer.status >= 500 and answer.status != 503:
        found.append(f"status {answer.status}")
    text = answer.body.decode("utf-8", "replace")
    shown = "\n".join(
        f"{k}: {v}" for k, v in answer.headers.items() if k not in ("location", "set-cookie")
    )
    found += [f"shows {leak!r}" for leak in leaks if leak in text or leak in shown]
    through_django = "content-security-policy" in answer.headers
    path = _decoded_path(probe.target)
    if not through_django or path is None or answer.status < 400 or probe.method == b"HEAD":
        return found
    if _is_machine(path):
        try:
            data = json.loads(answer.body)
        except ValueError:
            data = None
        if not answer.content_type.startswith("application/json") or not (
            isinstance(data, dict) and list(data) == ["detail"] and data["detail"]
        ):
            found.append(f"machine error not {{'detail'}} JSON ({answer.content_type})")
    elif answer.status in (400, 403, 404, 500) and _THEMED not in answer.body:
        found.append(f"page error {answer.status} not themed")
    return found


async def _walk(world: World) -> tuple[collections.Counter, dict[str, list[str]]]:
    credentials = _credentials(world)
    leaks = _leaks(world)
    port = world.server.port
    gate = asyncio.Semaphore(6)
    tried: collections.Counter = collections.Counter()
    findings: dict[str, list[str]] = collections.defaultdict(list)

    async def one(probe: Probe) -> None:
        headers = list(credentials[probe.role])
        body = b""
        if probe.body is not None:
            headers.append((b"Content-Type", probe.body[0]))
            body = probe.body[1]
        raw = request_bytes(probe.method, probe.target, headers, body)
        async with gate:
            answer = await send_raw(port, probe.method, raw, limit=16384)
        tried[(probe.prefix, probe.role, probe.method.decode())] += 1
        problems = _problems(probe, answer, leaks)
        if problems:
            findings["(answers with a problem, per prefix)"].append(probe.prefix)
        for problem in problems:
            findings[problem].append(
                f"{probe.role} {probe.method.decode()} {probe.target[:80]!r} -> {answer.status}"
            )

    await asyncio.gather(*(one(probe) for probe in _probes()))
    return tried, findings


def _summary(tried: collections.Counter, findings: dict[str, list[str]]) -> str:
    per_prefix = collections.Counter()
    per_role = collections.Counter()
    per_method = collections.Counter()
    for (prefix, role, method), count in tried.items():
        per_prefix[prefix] += count
        per_role[role] += count
        per_method[method] += count
    lines = [
        f"tried {sum(tried.values())} requests",
        f"per prefix: {dict(per_prefix)}",
        f"per role: {dict(per_role)}",
        f"per method: {dict(per_method)}",
    ]
    for problem, where in sorted(findings.items(), key=lambda item: -len(item[1])):
        if problem.startswith("(answers"):
            lines.append(f"{problem}: {dict(collections.Counter(where))}")
            continue
        lines.append(f"{problem}: {len(where)} answers, e.g. {where[:3]}")
    return "\n".join(lines)


def test_no_answer_shows_internals(pristine_world: World):
    # Sanity: the credentials are what they claim (else the walk would be anonymous only).
    with pristine_world.session("vera") as client:
        assert client.get("/api/cameras").status_code == 200
    tried, findings = asyncio.run(_walk(pristine_world))
    summary = _summary(tried, findings)
    logger.warning("error walk: %s", summary)  # the figures, shown with -rA or on failure
    assert sum(tried.values()) == len(_probes())
    assert not findings, summary
    with pristine_world.server.api() as client:  # and the server is still well
        assert client.get("/api/cameras/demo").status_code == 200
