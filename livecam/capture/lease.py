"""One capture owner per camera: a lease in Redis, renewed while held, taken over when lapsed.

A lease is a key holding the owner's token with an expiry (``SET NX PX``). The owner renews
it every third of the TTL with a compare-and-set script, so it never extends someone else's
lease. When the owner dies its lease lapses and a standby process takes it within one TTL
plus one renewal period. While Redis is unreachable nobody can take a lease, so the owner
keeps its cameras; when Redis comes back the owner re-takes its leases at once and standbys
wait one TTL before taking free ones, so a device is never opened twice.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from livecam.bus.redis_client import redact, sync_client
from livecam.bus.redis_keys import RedisKeys
from livecam.capture.identity import process_id

logger = logging.getLogger(__name__)

# Returns 1 when renewed, 2 when re-taken (the key had lapsed, e.g. Redis restarted), 0 when
# another process holds it. Atomic on the server: no window between the check and the set.
RENEW = """
local holder = redis.call('GET', KEYS[1])
if holder == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
elseif not holder then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 2
end
return 0
"""
RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""


class LeaseKeeper:
    """Hold the leases of as many cameras as this capture process can get, in a thread."""

    def __init__(
        self,
        url: str,
        keys: RedisKeys,
        camera_ids: Callable[[], Iterable[str]],
        *,
        ttl: float = 3.0,
        on_change: Callable[[str], None] | None = None,
    ) -> None:
        self.url, self.keys = url, keys
        self.ttl = ttl
        # The process identity (which also names the recordings this process writes), plus a
        # suffix: several keepers in one process (tests) are still distinct owners.
        self.token = f"{process_id()}#{secrets.token_hex(4)}"
        self.on_change = on_change
        """Called with a camera id when this process gains or loses its lease."""
        self._camera_ids = camera_ids
        self._held: set[str] = set()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._client: Any = None
        self._down_since: float | None = None
        self._grace_until = 0.0
        self._thread = threading.Thread(target=self._loop, name="capture-leases", daemon=True)

    def owns(self, camera_id: str) -> bool:
        """Return True while this process holds the camera's lease (thread-safe)."""
        with self._lock:
            return camera_id in self._held

    def held(self) -> set[str]:
        """Return the cameras whose leases this process holds."""
        with self._lock:
            return set(self._held)

    def start(self) -> None:
        """Take leases now, then keep renewing them in the background."""
        self._thread.start()

    def stop(self) -> None:
        """Stop renewing and release every lease so a standby takes over at once.

        Call it after the cameras were stopped: the devices must be closed first.
        """
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(self.ttl)
        held = self.held()
        with self._lock:
            self._held.clear()
        try:
            client = self._connect()
            for camera_id in held:
                client.eval(RELEASE, 1, self.keys.lease(camera_id), self.token)
        except Exception as exc:  # Redis gone: the leases lapse by themselves after the TTL
            logger.warning("capture: leases not released (%s); they lapse in %.0f s", exc, self.ttl)
        finally:
            self._drop_client()

    def tick(self) -> None:
        """Renew held leases, take free ones, let go of removed cameras (one pass)."""
        from redis.exceptions import RedisError

        try:
            wanted = set(self._camera_ids())
        except Exception:
            logger.exception("capture: cannot list cameras; keeping the current leases")
            return
        try:
            client = self._connect()
            self._renew(client, wanted)
            self._take(client, wanted)
        except (RedisError, OSError) as exc:
            self._drop_client()
            if self._down_since is None:
                self._down_since = time.monotonic()
                logger.warning(
                    "capture: Redis unreachable (%s); keeping %d camera(s) until it is back",
                    exc,
                    len(self.held()),
                )
            return
        if self._down_since is not None:
            logger.warning("capture: Redis reachable again (%s)", redact(self.url))
            self._down_since = None

    def _drop_client(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            try:
                client.close()
            except Exception:  # a broken connection may fail to close too
                logger.debug("capture: closing a Redis client failed", exc_info=True)

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.tick()
            self._stop.wait(self.ttl / 3)

    def _connect(self) -> Any:
        if self._client is None:
            self._client = sync_client(self.url, timeout=max(0.5, self.ttl / 3))
            self._client.ping()
            if self._down_since is not None:
                # Back after an outage: the owners re-take their leases first (see _renew);
                # a free lease is taken only after one TTL so they have had their chance.
                self._grace_until = time.monotonic() + self.ttl
        return self._client

    def _renew(self, client: Any, wanted: set[str]) -> None:
        ttl_ms = int(self.ttl * 1000)
        for camera_id in self.held():
            key = self.keys.lease(camera_id)
            if camera_id not in wanted:
                client.eval(RELEASE, 1, key, self.token)
                self._set(camera_id, False, "camera removed")
            elif int(client.eval(RENEW, 1, key, self.token, ttl_ms)) == 0:
                self._set(camera_id, False, "lease taken by another capture process")

    def _take(self, client: Any, wanted: set[str]) -> None:
        if time.monotonic() < self._grace_until:
            return
        ttl_ms = int(self.ttl * 1000)
        for camera_id in sorted(wanted - self.held()):
            if client.set(self.keys.lease(camera_id), self.token, nx=True, px=ttl_ms):
                self._set(camera_id, True, "lease taken")

    def _set(self, camera_id: str, held: bool, why: str) -> None:
        with self._lock:
            if held:
                self._held.add(camera_id)
            else:
                self._held.discard(camera_id)
        logger.info("capture: camera %s: %s", camera_id, why)
        if self.on_change is not None:
            self.on_change(camera_id)
