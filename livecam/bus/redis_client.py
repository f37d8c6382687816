"""Redis connections for the bus: checked URLs, bounded timeouts, our own retry policy."""

from __future__ import annotations

import asyncio
import logging
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from django.core.exceptions import ImproperlyConfigured

logger = logging.getLogger(__name__)

SCHEMES = ("redis", "rediss", "unix")
CONNECT_TIMEOUT = 2.0
"""Seconds to wait for a connection; a Redis that is gone must not stall a web worker."""


def check_url(url: str) -> str:
    """Return the URL if redis-py can use it, else raise ImproperlyConfigured saying why."""
    if not url:
        raise ImproperlyConfigured(
            "The Redis bus needs a URL: set LIVECAM_REDIS_URL (LIVECAM['REDIS_URL']), "
            "e.g. redis://:password@127.0.0.1:6379/0 or rediss://… for TLS."
        )
    scheme = urlsplit(url).scheme
    if scheme not in SCHEMES:
        raise ImproperlyConfigured(
            f"LIVECAM_REDIS_URL must start with redis://, rediss:// (TLS) or unix://, "
            f"not {scheme or 'nothing'}:// ({redact(url)})"
        )
    return url


def redact(url: str) -> str:
    """Return the URL without its password, for logs and error messages."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    if parts.port is not None:
        host = f"{host}:{parts.port}"
    user = parts.username or ""
    return urlunsplit(parts._replace(netloc=f"{user}:***@{host}"))


def client_options(timeout: float, retry: Any) -> dict[str, Any]:
    """Return redis-py options: bounded waits and no hidden retries (we back off ourselves)."""
    return {
        "socket_connect_timeout": CONNECT_TIMEOUT,
        "socket_timeout": timeout,
        "socket_keepalive": True,
        "retry": retry,
    }


def async_client(url: str, timeout: float = 5.0) -> Any:
    """Return a new asyncio Redis client (bytes in, bytes out) for the running loop."""
    import redis.asyncio
    from redis.asyncio.retry import Retry
    from redis.backoff import NoBackoff

    return redis.asyncio.Redis.from_url(url, **client_options(timeout, Retry(NoBackoff(), 0)))


def sync_client(url: str, timeout: float = 5.0) -> Any:
    """Return a new blocking Redis client (for capture-side threads)."""
    import redis
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    return redis.Redis.from_url(url, **client_options(timeout, Retry(NoBackoff(), 0)))


async def close_quietly(*connections: Any) -> None:
    """Close Redis clients or pub/subs (None skipped), each within 2 s, ignoring failures."""
    for connection in connections:
        if connection is None:
            continue
        try:
            await asyncio.wait_for(connection.aclose(), 2)
        except Exception:  # closing a broken connection may fail too; nothing to do about it
            logger.debug("bus: closing a Redis connection failed", exc_info=True)
