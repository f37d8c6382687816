"""Network source URLs: strict parsing into a canonical form, and redaction for messages."""

from __future__ import annotations

import dataclasses
import ipaddress
import re

from django.utils.translation import gettext as _

from livecam.sources.base import SourceError

SCHEMES = ("rtsp", "rtsps", "http", "https")
DEFAULT_PORTS = {"rtsp": 554, "rtsps": 322, "http": 80, "https": 443}

# Generic URL shape; the pieces are checked one by one below. An "@" in a password must be
# percent-encoded, so the user info never contains "@" (the last "@" is not guessed at).
_URL = re.compile(
    r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*)://"
    r"(?:(?P<userinfo>[^@/?#]*)@)?"
    r"(?P<host>\[[^\]/?#@]*\]|[^:/?#@\[\]]*)"
    r"(?::(?P<port>[^/?#]*))?"
    r"(?P<path>/[^?#]*)?"
    r"(?:\?(?P<query>[^#]*))?"
    r"(?:#.*)?",
    re.DOTALL,
)
_LABEL = r"[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?"
_HOSTNAME = re.compile(rf"{_LABEL}(?:\.{_LABEL})*\.?")
_USERINFO = re.compile(r"(?:[A-Za-z0-9._~!&()*+,=:-]|%[0-9A-Fa-f]{2})+")
_PORT = re.compile(r"[0-9]{1,5}")
# Cameras that take credentials in the query string (user=...&pwd=...) get them hidden too.
_SECRET_PARAM = re.compile(
    r"(?i)([?&](?:pass|passwd|password|pwd|token|key|auth|secret|sig|signature)=)[^&#]*"
)


@dataclasses.dataclass(frozen=True, slots=True)
class Url:
    """A checked network URL, split into the parts a client needs."""

    scheme: str
    userinfo: str
    host: str
    port: int | None
    path: str
    query: str

    def __str__(self) -> str:
        """Return the canonical form (lower-case scheme and host, no fragment)."""
        auth = f"{self.userinfo}@" if self.userinfo else ""
        port = f":{self.port}" if self.port is not None else ""
        query = f"?{self.query}" if self.query else ""
        return f"{self.scheme}://{auth}{self.host}{port}{self.path}{query}"

    @property
    def hostname(self) -> str:
        """Return the host for a socket: an IPv6 address without its brackets."""
        return self.host[1:-1] if self.host.startswith("[") else self.host

    @property
    def effective_port(self) -> int:
        """Return the port, or the scheme's default one."""
        return self.port if self.port is not None else DEFAULT_PORTS[self.scheme]

    @property
    def request_target(self) -> str:
        """Return the path and query to send in an HTTP request line."""
        return (self.path or "/") + (f"?{self.query}" if self.query else "")


def parse_url(text: str) -> Url:
    """Split and check a network URL, or raise SourceError (never showing credentials)."""
    match = _URL.fullmatch(text)
    if match is None:
        raise SourceError(_("bad URL (an '@' in a password must be written %%40)"))
    scheme = match["scheme"].lower()
    if scheme not in SCHEMES:
        raise SourceError(_("unsupported URL scheme %(scheme)r") % {"scheme": scheme[:20]})
    userinfo = match["userinfo"]
    if userinfo is not None and not _USERINFO.fullmatch(userinfo):
        raise SourceError(_("the URL has malformed credentials"))
    host = _checked_host(match["host"])
    port: int | None = None
    if match["port"]:
        if not _PORT.fullmatch(match["port"]) or not 0 < int(match["port"]) < 65536:
            raise SourceError(_("the URL has a bad port"))
        port = int(match["port"])
    return Url(scheme, userinfo or "", host, port, match["path"] or "", match["query"] or "")


def _checked_host(host: str) -> str:
    if not host:
        raise SourceError(_("the URL has no host"))
    if host.startswith("["):
        try:
            ipaddress.IPv6Address(host[1:-1])
        except ValueError:
            raise SourceError(_("the URL has a bad IPv6 address")) from None
        return host.lower()
    if len(host) > 253 or not _HOSTNAME.fullmatch(host):
        raise SourceError(_("the URL has a bad host name (use punycode for non-ASCII names)"))
    return host.lower()


def redact(url: str) -> str:
    """Return the URL with its user name, password and secret query values replaced by ***.

    Works on any string and never raises: it is used on error paths.
    """
    scheme, sep, rest = url.partition("://")
    if sep:
        end = min((i for i in map(rest.find, "/?#") if i >= 0), default=len(rest))
        authority = rest[:end]
        if "@" in authority:
            rest = "***@" + authority.rpartition("@")[2] + rest[end:]
        url = f"{scheme}://{rest}"
    return _SECRET_PARAM.sub(r"\1***", url)
