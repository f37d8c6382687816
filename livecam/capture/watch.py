"""Watch capture workers: abandon stuck ones, let stopping ones finish, restart dead ones."""

from __future__ import annotations

import dataclasses
import logging
import time

from livecam import metrics
from livecam.capture.config import CameraConfig
from livecam.capture.worker import CaptureWorker

logger = logging.getLogger(__name__)

MAX_STUCK = 3
"""Abandoned reader threads of one camera still blocked, beyond which no new one is started.

Python cannot kill a thread: a read that ignores ``close`` keeps its thread forever. A few are
tolerated (the source may come back and release them); a camera that keeps wedging readers
waits instead of leaking one thread per read timeout.
"""


@dataclasses.dataclass(frozen=True, slots=True)
class Timeouts:
    """How long a source call may block before the watchdog abandons its worker."""

    read: float = 10.0
    open: float = 20.0
    stop: float = 2.0

    def read_limit(self, config: CameraConfig) -> float:
        """Return the read timeout for a camera: a paced source may wait a frame interval."""
        return max(self.read, 3.0 / config.fps) if config.fps > 0 else self.read


class WorkerWatch:
    """Workers that left the supervisor's table but whose threads may still run.

    *Stopping* workers were asked to stop: a new worker for the same camera waits until they
    end (a device must not be opened twice), for at most ``Timeouts.stop`` seconds, after
    which they count as *stuck*. Stuck workers are abandoned: silenced and forgotten once
    their thread finally ends. All methods run on the supervisor thread.
    """

    def __init__(self, timeouts: Timeouts) -> None:
        self.timeouts = timeouts
        self._stopping: dict[str, list[tuple[CaptureWorker, float]]] = {}
        self._stuck: dict[str, list[CaptureWorker]] = {}
        self._stalls: dict[str, int] = {}

    def stop(self, worker: CaptureWorker) -> None:
        """Ask a worker to stop without waiting for it."""
        worker.stop()
        deadline = time.monotonic() + self.timeouts.stop
        self._stopping.setdefault(worker.camera_id, []).append((worker, deadline))

    def busy(self, camera_id: str) -> bool:
        """Return True while an earlier worker of the camera is still stopping."""
        self._reap(camera_id)
        return bool(self._stopping.get(camera_id))

    def stuck(self, camera_id: str) -> int:
        """Return how many abandoned workers of the camera are still blocked."""
        self._reap(camera_id)
        return len(self._stuck.get(camera_id, ()))

    def stalled(self, worker: CaptureWorker, now: float) -> bool:
        """Return True when the worker has been blocked in its source for too long."""
        since = worker.busy_since
        if since is None:
            return False
        limit = self.timeouts.open if worker.opening else self.timeouts.read_limit(worker.config)
        return now - since > limit

    def abandon(self, worker: CaptureWorker) -> int:
        """Abandon a stalled worker; return how many stalls in a row its camera has had."""
        camera_id = worker.camera_id
        metrics.CAPTURE_STALLS.labels(camera_id).inc()
        worker.abandon()
        self._stuck.setdefault(camera_id, []).append(worker)
        stalls = 1 if worker.delivered else self._stalls.get(camera_id, 0) + 1
        self._stalls[camera_id] = stalls
        return stalls

    def forget_stalls(self, camera_id: str) -> None:
        """Reset the stall count (the camera delivered frames again)."""
        self._stalls.pop(camera_id, None)

    def crashed(self, worker: CaptureWorker) -> bool:
        """Return True when a worker's thread ended without being asked to (a bug)."""
        if worker.alive or worker.stopped:
            return False
        metrics.CAPTURE_CRASHES.labels(worker.camera_id).inc()
        logger.error("camera %s: capture thread died; restarting it", worker.camera_id)
        return True

    def release(self, timeout: float) -> None:
        """Wait up to `timeout` seconds for every stopping worker; abandon the rest."""
        deadline = time.monotonic() + timeout
        for workers in self._stopping.values():
            for worker, _ in workers:
                if not worker.join(max(0.0, deadline - time.monotonic())):
                    logger.warning("camera %s: capture did not stop in time", worker.camera_id)
                    worker.abandon()
        self._stopping.clear()

    def _reap(self, camera_id: str) -> None:
        now = time.monotonic()
        stopping = []
        for worker, deadline in self._stopping.get(camera_id, ()):
            if not worker.alive:
                continue
            if now < deadline:
                stopping.append((worker, deadline))
                continue
            logger.warning(
                "camera %s: source did not close in %g s; abandoned",
                camera_id,
                self.timeouts.stop,
            )
            worker.abandon()
            self._stuck.setdefault(camera_id, []).append(worker)
        self._stopping[camera_id] = stopping
        self._stuck[camera_id] = [w for w in self._stuck.get(camera_id, ()) if w.alive]
