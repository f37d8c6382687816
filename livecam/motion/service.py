"""The media service: motion detection and recording for every camera of a capture owner.

It is a frame observer (capture hands it each frame) with three threads of its own: analysis
(detector, events, motion recordings), settings (re-reads the database when told through the
bus, and applies retention) and webhooks. It runs where capture runs, so it works the same
with the in-memory bus and when capture is its own process on a Redis bus.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from typing import Any

from django.db import DatabaseError, close_old_connections

from livecam import conf
from livecam.bus.base import ControlMessage, FrameBus
from livecam.bus.event import CameraEvent
from livecam.capture import observer, recording, taps
from livecam.frames import Frame
from livecam.motion import retention
from livecam.motion.camera import CameraMedia
from livecam.motion.config import MediaConfig
from livecam.motion.overlay import draw_overlay
from livecam.motion.store import EventStore
from livecam.motion.webhook import WebhookSender
from livecam.recording import budget
from livecam.recording.recorder import Recorder
from livecam.sources.base import Image
from livecam.video.packet import VideoPacket

logger = logging.getLogger(__name__)

_RETENTION_INTERVAL = 60.0  # seconds between retention passes
_Job = tuple[CameraMedia, Frame | None, Image | None]


class MediaService:
    """Watch frames for motion, keep events and recordings; one per capture process."""

    def __init__(self, bus: FrameBus, reconcile_interval: float = 2.0) -> None:
        self.bus = bus
        self.cameras: dict[str, CameraMedia] = {}
        self.skipped = 0
        """Analyses skipped because the analysis thread was behind (it never delays capture)."""
        self.webhooks = WebhookSender()
        self.store = EventStore(bus, self.webhooks)
        self._interval = reconcile_interval
        self._jobs: queue.Queue[_Job | None] = queue.Queue(64)
        self._wake: queue.SimpleQueue[str] = queue.SimpleQueue()
        self._stopping = threading.Event()
        self._recorders: list[Recorder] = []
        self._recorders_lock = threading.Lock()
        self._analysis = threading.Thread(target=self._analyse_loop, name="motion", daemon=True)
        self._settings = threading.Thread(target=self._settings_loop, name="media", daemon=True)
        bus.on_control(self._on_control)

    def start(self) -> None:
        """Start the threads (the settings thread reads the database first thing)."""
        self._analysis.start()
        self._settings.start()

    # --- FrameObserver (capture threads) -----------------------------------------------------

    def draws(self, camera_id: str) -> bool:
        """Draw the overlay when motion detection and the overlay are both on."""
        media = self.cameras.get(camera_id)
        return media is not None and media.config.motion and media.config.overlay

    def draw(self, camera_id: str, image: Image, captured_at: float) -> Image:
        """Return a copy of the image with the motion box and the time."""
        media = self.cameras.get(camera_id)
        return draw_overlay(image, media.box if media is not None else None, captured_at)

    def on_frame(self, frame: Frame, image: Image | None) -> None:
        """Buffer/record the frame; queue it for analysis when one is due."""
        media = self.cameras.get(frame.camera_id)
        if media is None or not media.wants_frames:
            return
        if media.on_frame(frame, image):
            try:
                self._jobs.put_nowait((media, frame, image))
            except queue.Full:
                self.skipped += 1

    # --- PacketTap (capture threads) --------------------------------------------------------

    def wants_h264(self, camera_id: str) -> bool:
        """Ask for the full-size H.264 while a camera records or may start to (pre-roll)."""
        media = self.cameras.get(camera_id)
        return media is not None and media.wants_h264

    def on_packet(self, packet: VideoPacket) -> None:
        """Feed a full-size fragment to the camera's pre-roll ring and recordings."""
        media = self.cameras.get(packet.camera_id)
        if media is not None:
            media.on_packet(packet)

    def on_session_end(self, camera_id: str) -> None:
        """Finish recordings and open events of a camera whose source closed."""
        media = self.cameras.get(camera_id)
        if media is None:
            return
        media.stop_manual()
        self._post_finish(media)

    def close(self, timeout: float) -> None:
        """Finish every event and recording, then stop the threads (within ``timeout``)."""
        deadline = time.monotonic() + timeout
        self._stopping.set()
        self._wake.put("")
        for media in list(self.cameras.values()):
            media.stop_manual()
            self._post_finish(media)
        self._put_blocking(None, deadline)
        self._analysis.join(max(0.1, deadline - time.monotonic()))
        self._settings.join(max(0.1, deadline - time.monotonic()))
        with self._recorders_lock:
            recorders = list(self._recorders)
        for recorder in recorders:
            recorder.stop()
            if not recorder.join(max(0.1, deadline - time.monotonic())):
                logger.warning("camera %s: recording not finished in time", recorder.camera_id)
        recording.close_all(max(0.1, deadline - time.monotonic()))
        self.webhooks.close(max(0.1, deadline - time.monotonic()))

    # --- threads -------------------------------------------------------------------------

    def _on_control(self, message: ControlMessage) -> None:
        self._wake.put(message.camera_id)

    def _post_finish(self, media: CameraMedia) -> None:
        self._put_blocking((media, None, None), time.monotonic() + 2.0)

    def _put_blocking(self, job: _Job | None, deadline: float) -> None:
        try:
            self._jobs.put(job, timeout=max(0.05, deadline - time.monotonic()))
        except queue.Full:
            logger.warning("analysis queue full; a finish request was lost")

    def _analyse_loop(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                break
            media, frame, image = job
            try:
                if frame is None:
                    media.finish()
                else:
                    media.analyse(frame, image)
            except Exception:
                logger.exception("camera %s: motion analysis failed", media.config.camera_id)
            finally:
                close_old_connections()

    def _settings_loop(self) -> None:
        self._recover_interrupted()
        self._reconcile_segments()
        self._reload()
        next_retention = 0.0
        while not self._stopping.is_set():
            try:
                self._wake.get(timeout=self._interval)
                while True:  # coalesce a burst of notifications into one pass
                    self._wake.get_nowait()
            except queue.Empty:
                pass
            if self._stopping.is_set():
                break
            self._reload()
            if time.monotonic() >= next_retention:
                next_retention = time.monotonic() + _RETENTION_INTERVAL
                self._apply_retention()
                self._recover_interrupted()  # e.g. the owner this standby took over from

    def _reload(self) -> None:
        from livecam.motion.models import MotionSettings

        try:
            configs = {s.camera_id: MediaConfig.from_model(s) for s in MotionSettings.objects.all()}
        except DatabaseError as exc:  # the database is down or restarting: no traceback
            logger.warning("cannot read motion settings (%s); keeping the current ones", exc)
            return
        finally:
            close_old_connections()
        for camera_id in list(self.cameras):
            if camera_id not in configs:
                configs[camera_id] = MediaConfig(camera_id)  # removed: everything off
        for camera_id, config in configs.items():
            recording.configure(camera_id, config, self._announce_continuous)
            media = self.cameras.get(camera_id)
            if media is None:
                self.cameras[camera_id] = CameraMedia(config, self.store, self._new_recorder)
            elif media.configure(config):
                self._post_finish(media)
        with self._recorders_lock:  # forget finished recordings
            self._recorders = [r for r in self._recorders if not r.join(0)]

    def _announce_continuous(self, camera_id: str, state: str, reason: str) -> None:
        data = {"camera": camera_id, "state": state, "reason": reason}
        self.bus.publish_event(CameraEvent(camera_id, "continuous", data))

    def _apply_retention(self) -> None:
        for media in list(self.cameras.values()):
            try:
                retention.clean(media.config)
                budget.clean_by_age(media.config.camera_id, media.config.max_age_days)
                budget.enforce(media.config.camera_id, media.config.max_gb)
            except DatabaseError:
                logger.exception("camera %s: retention failed", media.config.camera_id)
            finally:
                close_old_connections()

    def _new_recorder(self, camera_id: str, trigger: str, backlog: list[VideoPacket]) -> Recorder:
        def announce(phase: str, data: dict[str, Any]) -> None:
            event = CameraEvent(camera_id, "recording", {**data, "phase": phase})
            self.bus.publish_event(event)

        recorder = Recorder(camera_id, trigger, announce, backlog)
        with self._recorders_lock:
            self._recorders.append(recorder)
        return recorder

    def _recover_interrupted(self) -> None:
        """Keep what recordings cut off by a dead writer hold (never one being written)."""
        from livecam.recording.recovery import recover_interrupted

        _housekeeping(recover_interrupted, "recover interrupted recordings")

    def _reconcile_segments(self) -> None:
        """Make the segment index and the files agree (after a crash, kill -9, lost files)."""
        from livecam.recording.reconcile import reconcile

        _housekeeping(reconcile, "reconcile segments")


def _housekeeping(step: Callable[[], object], what: str) -> None:
    """Run one start-up/periodic step; a database or disk fault is logged, never raised."""
    try:
        step()
    except DatabaseError as exc:
        logger.warning("cannot %s (%s)", what, exc)
    except OSError:
        logger.exception("cannot %s", what)
    finally:
        close_old_connections()


_installed: MediaService | None = None
_lock = threading.Lock()


def install(bus: FrameBus) -> MediaService:
    """Start this process's media service and register it as a frame observer (once)."""
    global _installed
    with _lock:
        if _installed is None or _installed._stopping.is_set():
            if _installed is not None:
                taps.remove(_installed)
            _installed = MediaService(bus, float(conf.get("RECONCILE_INTERVAL")))
            _installed.start()
            observer.add(_installed)
            taps.add(_installed)
        return _installed
