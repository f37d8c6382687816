"""All cameras of one capture owner: start, stop and watch one worker per camera."""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Mapping

from django.db import DatabaseError, close_old_connections

from livecam.bus.base import ControlMessage, FrameBus
from livecam.capture import observer
from livecam.capture.config import CameraConfig
from livecam.capture.watch import MAX_STUCK, Timeouts, WorkerWatch
from livecam.capture.worker import CaptureWorker
from livecam.frames import CameraStatus

logger = logging.getLogger(__name__)

_TICK = 0.5  # seconds between watchdog and linger checks


class CaptureSupervisor:
    """Keep exactly the workers the database asks for; the database is the truth.

    Control messages and viewer demand only say "look again"; every pass re-reads the camera
    table, so a lost message costs at most one reconcile interval, never a wrong state.
    """

    def __init__(
        self,
        bus: FrameBus,
        *,
        reconcile_interval: float = 5.0,
        read_timeout: float = 10.0,
        open_timeout: float = 20.0,
        retry_initial: float = 1.0,
        retry_max: float = 30.0,
        registry: Mapping[str, str] | None = None,
        gate: Callable[[str], bool] | None = None,
    ) -> None:
        self.bus = bus
        self.gate = gate
        """When set, capture only the cameras it returns True for (the Redis lease holder)."""
        self.workers: dict[str, CaptureWorker] = {}
        self._reconcile_interval = reconcile_interval
        self._retry = (retry_initial, retry_max)
        self._watch = WorkerWatch(Timeouts(read=read_timeout, open=open_timeout))
        self._worker_options = {
            "retry_initial": retry_initial,
            "retry_max": retry_max,
            "registry": registry,
        }
        self._queue: queue.SimpleQueue[str] = queue.SimpleQueue()
        self._stopping = threading.Event()
        self._demand: dict[str, int] = {}
        self._last_watched: dict[str, float] = {}
        self._configs: dict[str, CameraConfig] = {}
        self._published: dict[str, tuple[str, bool, str, str]] = {}
        self._thread = threading.Thread(target=self._loop, name="capture-supervisor", daemon=True)
        bus.on_control(self._on_control)
        bus.on_demand(self._on_demand)

    def start(self) -> None:
        """Start supervising in a background thread."""
        self._thread.start()

    def notify(self, camera_id: str = "") -> None:
        """Ask for a reconcile soon (thread-safe)."""
        self._queue.put(camera_id)

    def stop(self, timeout: float = 2.0) -> None:
        """Stop every worker and release every source within `timeout` seconds."""
        deadline = time.monotonic() + timeout
        self._stopping.set()
        self._queue.put("")
        self._thread.join(max(0.0, deadline - time.monotonic()))
        workers = list(self.workers.values())
        self.workers.clear()
        for worker in workers:
            self._watch.stop(worker)
        self._watch.release(max(0.0, deadline - time.monotonic()))
        # Observers finish files (recordings) after the last frame: give them a few seconds.
        observer.close_all(max(3.0, deadline - time.monotonic()))

    def _on_control(self, message: ControlMessage) -> None:
        self.notify(message.camera_id)

    def _on_demand(self, camera_id: str, viewers: int) -> None:
        self._demand[camera_id] = viewers
        self._last_watched[camera_id] = time.monotonic()
        self.notify(camera_id)

    def _loop(self) -> None:
        next_full = 0.0
        while not self._stopping.is_set():
            now = time.monotonic()
            try:
                if now >= next_full:
                    self._reconcile()
                    next_full = now + self._reconcile_interval
                else:
                    self._apply_all()
                self._watchdog()
            except Exception:  # one bad pass must not end supervision of every camera
                logger.exception("capture supervision failed; trying again")
            try:
                self._queue.get(timeout=_TICK)
            except queue.Empty:
                continue
            while True:  # coalesce a burst of notifications into one pass
                try:
                    self._queue.get_nowait()
                except queue.Empty:
                    break
            next_full = 0.0

    def _reconcile(self) -> None:
        from livecam.models import Camera

        try:
            configs = {c.id: CameraConfig.from_model(c) for c in Camera.objects.all()}
        except DatabaseError as exc:  # the database is down or restarting: no traceback
            logger.warning("cannot read cameras (%s); keeping the current workers", exc)
            return
        finally:
            close_old_connections()
        for camera_id in [cid for cid in self.workers if cid not in configs]:
            self._watch.stop(self.workers.pop(camera_id))
        for camera_id in [cid for cid in self._published if cid not in configs]:
            del self._published[camera_id]
        for camera_id in self._configs.keys() - configs.keys():
            # Deleted where no control message reached us (another process, memory bus):
            # end its streams in this process now rather than at their access re-check.
            self.bus.forget_soon(camera_id)
        self._configs = configs
        self._apply_all()

    def _apply_all(self) -> None:
        for config in self._configs.values():
            if self._stopping.is_set():
                return
            self._apply(config)

    def _apply(self, config: CameraConfig, delay: float = 0.0, reconnects: int = 0) -> None:
        camera_id = config.camera_id
        if self.gate is not None and not self.gate(camera_id):
            self._release(camera_id)
            return
        want = config.enabled and (not config.on_demand or self._watched(config))
        worker = self.workers.get(camera_id)
        if worker is not None and (
            not want or worker.config.capture_fields() != config.capture_fields()
        ):
            logger.info("camera %s: stopping capture", camera_id)
            self._watch.stop(self.workers.pop(camera_id))
            worker = None
        if worker is not None:
            worker.config = config  # label or flags changed: no need to reopen the source
        elif self._watch.busy(camera_id):
            pass  # the previous worker is still releasing the source: never open it twice
        elif want:
            self._start_worker(config, delay, reconnects)
        else:
            self._publish_resting(config, "off" if not config.enabled else "idle")

    def _start_worker(self, config: CameraConfig, delay: float, reconnects: int) -> None:
        camera_id = config.camera_id
        stuck = self._watch.stuck(camera_id)
        if stuck >= MAX_STUCK:
            self._publish_resting(
                config,
                "error",
                error=f"source not responding: {stuck} reads still blocked; "
                "waiting for one to return",
            )
            return
        worker = CaptureWorker(
            config,
            self.bus,
            delay=delay,
            reconnects=reconnects,
            **self._worker_options,  # type: ignore[arg-type]
        )
        self.workers[camera_id] = worker
        self._published.pop(camera_id, None)
        logger.info("camera %s: starting capture from %s", camera_id, _kind(config.source))
        worker.start()

    def _release(self, camera_id: str) -> None:
        """Stop a camera another capture process owns; say nothing about it."""
        worker = self.workers.pop(camera_id, None)
        if worker is not None:
            self._watch.stop(worker)
        self._published.pop(camera_id, None)  # if it comes back, announce its state again

    def _watched(self, config: CameraConfig) -> bool:
        if self._demand.get(config.camera_id, 0) > 0:
            return True
        last = self._last_watched.get(config.camera_id)
        return last is not None and time.monotonic() - last < config.linger

    def _watchdog(self) -> None:
        """Replace workers stuck in a source call past their timeout, or whose thread died."""
        now = time.monotonic()
        for camera_id, worker in list(self.workers.items()):
            if worker.delivered:
                self._watch.forget_stalls(camera_id)
            if self._watch.crashed(worker):
                self._replace(worker, "capture crashed", self._retry[0])
                continue
            if not self._watch.stalled(worker, now):
                continue
            what = "opening" if worker.opening else "reading"
            logger.error("camera %s: source stopped responding (%s); abandoned", camera_id, what)
            stalls = self._watch.abandon(worker)
            initial, cap = self._retry
            delay = min(initial * 2 ** (stalls - 1), cap)
            self._replace(worker, f"source stopped responding ({what} blocked)", delay)

    def _replace(self, worker: CaptureWorker, reason: str, delay: float) -> None:
        """Say why a worker is gone, and start its successor after `delay` seconds."""
        config = worker.config
        del self.workers[config.camera_id]
        self.bus.publish_status(
            CameraStatus(
                config.camera_id,
                state="error",
                enabled=True,
                label=config.label,
                width=config.width,
                height=config.height,
                error=reason,
                retry_at=time.time() + delay,
                reconnects=worker.reconnects + 1,
            )
        )
        self._apply(config, delay, worker.reconnects + 1)

    def _publish_resting(self, config: CameraConfig, state: str, error: str = "") -> None:
        key = (state, config.enabled, config.label, config.source + error)
        if self._published.get(config.camera_id) == key:
            return
        self._published[config.camera_id] = key
        self.bus.publish_status(
            CameraStatus(
                config.camera_id,
                state=state,
                enabled=config.enabled,
                label=config.label,
                width=config.width,
                height=config.height,
                error=error,
            )
        )


def _kind(source: str) -> str:
    """Return the source's kind for logs (never the full URL, which may hold credentials)."""
    return source.split(":", 1)[0]
