"""One camera's capture loop in its own thread: read, process, encode once, publish."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Mapping

from livecam import conf, metrics
from livecam.bus.base import FrameBus
from livecam.capture import observer, processing
from livecam.capture.config import CameraConfig
from livecam.frames import CameraStatus, Frame
from livecam.sources import make_source, validate_source
from livecam.sources.base import CaptureOptions, FrameSource, Image, SourceError, SourceFrame
from livecam.sources.jpeg import checked_jpeg

logger = logging.getLogger(__name__)

_STATUS_INTERVAL = 1.0  # seconds between "online" statuses that carry the measured fps
MAX_CORRUPT_IN_A_ROW = 50
"""Corrupt frames in a row after which the source counts as failed (and is reopened)."""


class CaptureWorker:
    """Run one camera's source until stopped; every failure becomes a state and a retry.

    The loop never dies on a source error: it publishes ``error`` with the reason, waits with
    exponential backoff and reopens. A watchdog (the supervisor) may ``abandon`` a worker whose
    read blocks forever; an abandoned worker never publishes again.
    """

    def __init__(
        self,
        config: CameraConfig,
        bus: FrameBus,
        *,
        retry_initial: float = 1.0,
        retry_max: float = 30.0,
        registry: Mapping[str, str] | None = None,
        delay: float = 0.0,
        reconnects: int = 0,
    ) -> None:
        self.config = config
        self.bus = bus
        self.busy_since: float | None = None
        """monotonic() when the current open/read began; None while not blocked in the source."""
        self.opening = False
        """True while ``busy_since`` times an open (which may take longer than a read)."""
        self.reconnects = reconnects
        self._delay = delay
        self._retry_initial = retry_initial
        self._retry_max = retry_max
        self._registry = registry
        self._stop = threading.Event()
        self._abandoned = False
        self._source: FrameSource | None = None
        self._seq = 0
        self._thread = threading.Thread(
            target=self._run, name=f"capture-{config.camera_id}", daemon=True
        )

    @property
    def camera_id(self) -> str:
        """Return the id of the camera this worker captures."""
        return self.config.camera_id

    def start(self) -> None:
        """Start the capture thread."""
        self._thread.start()

    def stop(self) -> None:
        """Ask the loop to end and close the source so a blocked read returns."""
        self._stop.set()
        source = self._source
        if source is not None:
            try:
                source.close()
            except Exception:  # called from the supervisor: a bad source must not take it down
                logger.exception("camera %s: closing the source failed", self.camera_id)

    def join(self, timeout: float) -> bool:
        """Wait for the thread to end; return True if it did."""
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def abandon(self) -> None:
        """Give up on a worker stuck in its source: silence it and let it die on its own."""
        self._abandoned = True
        self.stop()

    @property
    def alive(self) -> bool:
        """True while the capture thread runs (an abandoned one may still be stuck)."""
        return self._thread.is_alive()

    @property
    def delivered(self) -> bool:
        """True once this worker has published a frame."""
        return self._seq > 0

    @property
    def stopped(self) -> bool:
        """True once the worker was asked to stop or abandoned."""
        return self._stop.is_set()

    def _run(self) -> None:
        backoff = self._retry_initial
        # "starting" only on a first start: during retries the camera stays in "error" with
        # its reason, so viewers keep "NO SIGNAL — reason" instead of a flicker each retry.
        retrying = self._delay > 0
        if retrying:  # a replacement after a stall: wait like after any error
            backoff = self._delay
            if self._stop.wait(self._delay):
                return
        while not self._stop.is_set():
            if not retrying:
                self._publish("starting")
            retrying = True
            seq_before = self._seq
            try:
                self._capture_session()
            except SourceError as exc:
                reason = str(exc) or "source failed"
            except Exception as exc:  # a bug in a source must not kill the camera for good
                logger.exception("camera %s: capture failed", self.camera_id)
                reason = f"internal error: {type(exc).__name__}"
            else:
                reason = "source ended"
            finally:
                self._close_source()
                observer.session_ended(self.camera_id)
            if self._stop.is_set():
                break
            if self._seq > seq_before:  # frames flowed: this is a new fault, not the same one
                backoff = self._retry_initial
            metrics.CAPTURE_ERRORS.labels(self.camera_id).inc()
            logger.warning("camera %s: %s; retrying in %.1f s", self.camera_id, reason, backoff)
            self._publish("error", error=reason, retry_at=time.time() + backoff)
            if self._stop.wait(backoff):
                break
            self.reconnects += 1
            metrics.RECONNECTS.labels(self.camera_id).inc()
            backoff = min(backoff * 2, self._retry_max)

    def _capture_session(self) -> bool:
        """Open the source and pump frames until stopped; return whether any frame arrived."""
        cfg = self.config
        options = CaptureOptions(width=cfg.width, height=cfg.height, fps=cfg.fps)
        # Validated again here, not only when saved: a row written before LIVECAM_FILE_DIRS
        # changed (or by hand) must not open a file outside the allowed directories.
        spec = validate_source(cfg.source, file_dirs=conf.get("FILE_DIRS"))
        source = make_source(spec, options, self._registry)
        self._source = source
        if self._stop.is_set():
            return False
        self.opening, self.busy_since = True, time.monotonic()
        source.open()
        self.opening, self.busy_since = False, None
        return self._pump(source)

    def _pump(self, source: FrameSource) -> bool:
        cfg = self.config
        interval = 1.0 / cfg.fps if cfg.fps else 0.0
        captured = metrics.FRAMES_CAPTURED.labels(cfg.camera_id)
        encoded = metrics.FRAMES_ENCODED.labels(cfg.camera_id)
        dropped = metrics.FRAMES_DROPPED.labels(cfg.camera_id)
        corrupt = _CorruptCounter(cfg.camera_id, source)
        next_due = window_start = time.monotonic()
        window_frames = 0
        delivered = False
        while not self._stop.is_set():
            self.busy_since = time.monotonic()
            raw = source.read()
            captured_at = time.time()  # X-Timestamp is the capture time, before any encoding
            self.busy_since = None
            if not isinstance(raw, SourceFrame):  # a source bug must not reach the viewers
                raise SourceError("the source returned no frame")
            now = time.monotonic()
            captured.inc()
            corrupt.sync()
            # Rate cap by deadline, not by the gap since the last frame: a paced source that
            # was late once delivers its next frame early, and that frame must not be dropped.
            if interval and now < next_due - interval / 2:
                dropped.inc()
                continue
            next_due = max(next_due + interval, now - interval)
            watchers = observer.observers()
            converted = self._to_jpeg(raw, watchers, captured_at)
            if converted is None:  # corrupt: dropped and counted, never forwarded
                corrupt.add()
                continue
            corrupt.in_a_row = 0
            jpeg, width, height, did_encode, image = converted
            if did_encode:
                encoded.inc()
            self._seq += 1
            frame = Frame.create(cfg.camera_id, self._seq, jpeg, width, height, captured_at)
            if self._abandoned or self._stop.is_set():
                break
            self.bus.publish_frame(frame)
            if watchers:
                observer.notify(watchers, frame, image)
            window_frames += 1
            if not delivered or now - window_start >= _STATUS_INTERVAL:
                fps = window_frames / (now - window_start) if delivered else 0.0
                self._publish(
                    "online",
                    width=width,
                    height=height,
                    fps=round(fps, 2),
                    last_frame_at=frame.captured_at,
                )
                window_start, window_frames = now, 0
            delivered = True
        return delivered

    def _to_jpeg(
        self, raw: SourceFrame, watchers: tuple[observer.FrameObserver, ...], at: float
    ) -> tuple[bytes, int, int, bool, Image | None] | None:
        """Return (jpeg, width, height, encoded?, undrawn image), passing JPEGs through.

        Return None for a corrupt or truncated JPEG, which must never reach a viewer.
        """
        cfg = self.config
        change = processing.needs_processing(
            raw.width, raw.height, cfg.width, cfg.height, cfg.rotation
        )
        drawers = observer.drawing(watchers, cfg.camera_id)
        if raw.jpeg is not None and not change and not drawers:
            # Cheap marker walk, no decode: catches torn and truncated images from any source.
            checked = checked_jpeg(raw.jpeg)
            return None if checked is None else (*checked, False, raw.image)
        if raw.image is not None:
            image = raw.image
        else:
            try:
                image = processing.decode(raw.jpeg or b"")
            except ValueError:  # simplejpeg's error for data it cannot decode
                return None
        if change:
            image = processing.process(image, cfg.width, cfg.height, cfg.rotation)
        height, width = image.shape[:2]
        drawn = observer.draw(drawers, cfg.camera_id, image, at) if drawers else image
        return processing.encode(drawn, cfg.quality), width, height, True, image

    def _close_source(self) -> None:
        source, self._source = self._source, None
        self.busy_since = None
        if source is not None:
            try:
                source.close()
            except Exception:
                logger.exception("camera %s: closing the source failed", self.camera_id)

    def _publish(self, state: str, **fields: object) -> None:
        if self._abandoned:
            return
        cfg = self.config
        status = CameraStatus(
            cfg.camera_id,
            state=state,
            enabled=cfg.enabled,
            label=cfg.label,
            width=int(fields.pop("width", cfg.width) or 0),  # type: ignore[call-overload]
            height=int(fields.pop("height", cfg.height) or 0),  # type: ignore[call-overload]
            reconnects=self.reconnects,
            **fields,  # type: ignore[arg-type]
        )
        self.bus.publish_status(status)


class _CorruptCounter:
    """Count corrupt frames of one session: the worker's own checks and the source's drops."""

    def __init__(self, camera_id: str, source: FrameSource) -> None:
        self._metric = metrics.FRAMES_CORRUPT.labels(camera_id)
        self._source = source
        self._seen = int(getattr(source, "dropped", 0))
        self.in_a_row = 0

    def sync(self) -> None:
        """Add the parts the source itself dropped since the last call (relay, device)."""
        dropped = int(getattr(self._source, "dropped", 0))
        if dropped > self._seen:
            self._metric.inc(dropped - self._seen)
        self._seen = dropped

    def add(self) -> None:
        """Count one corrupt frame; too many in a row make the source an error."""
        self._metric.inc()
        self.in_a_row += 1
        if self.in_a_row >= MAX_CORRUPT_IN_A_ROW:
            raise SourceError(f"the source sent {self.in_a_row} corrupt frames in a row")
