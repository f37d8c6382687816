"""One camera's capture loop in its own thread: read, process, encode once, publish."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Mapping

from livecam import metrics
from livecam.bus.base import FrameBus
from livecam.capture import observer, processing
from livecam.capture.config import CameraConfig
from livecam.frames import CameraStatus, Frame
from livecam.sources import make_source, parse_source
from livecam.sources.base import CaptureOptions, FrameSource, Image, SourceError, SourceFrame

logger = logging.getLogger(__name__)

_STATUS_INTERVAL = 1.0  # seconds between "online" statuses that carry the measured fps


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
    ) -> None:
        self.config = config
        self.bus = bus
        self.busy_since: float | None = None
        """monotonic() when the current open/read began; None while not blocked in the source."""
        self.reconnects = 0
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
            source.close()

    def join(self, timeout: float) -> bool:
        """Wait for the thread to end; return True if it did."""
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def abandon(self) -> None:
        """Give up on a worker stuck in its source: silence it and let it die on its own."""
        self._abandoned = True
        self.stop()

    def _run(self) -> None:
        backoff = self._retry_initial
        while not self._stop.is_set():
            self._publish("starting")
            delivered = False
            try:
                delivered = self._capture_session()
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
            if delivered:
                backoff = self._retry_initial
            metrics.CAPTURE_ERRORS.labels(self.camera_id).inc()
            logger.warning("camera %s: %s; retrying in %.0f s", self.camera_id, reason, backoff)
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
        source = make_source(parse_source(cfg.source), options, self._registry)
        self._source = source
        if self._stop.is_set():
            return False
        self.busy_since = time.monotonic()
        source.open()
        self.busy_since = None
        return self._pump(source)

    def _pump(self, source: FrameSource) -> bool:
        cfg = self.config
        interval = 1.0 / cfg.fps if cfg.fps else 0.0
        captured = metrics.FRAMES_CAPTURED.labels(cfg.camera_id)
        encoded = metrics.FRAMES_ENCODED.labels(cfg.camera_id)
        dropped = metrics.FRAMES_DROPPED.labels(cfg.camera_id)
        next_due = window_start = time.monotonic()
        window_frames = 0
        delivered = False
        while not self._stop.is_set():
            self.busy_since = time.monotonic()
            raw = source.read()
            captured_at = time.time()  # X-Timestamp is the capture time, before any encoding
            self.busy_since = None
            now = time.monotonic()
            captured.inc()
            # Rate cap by deadline, not by the gap since the last frame: a paced source that
            # was late once delivers its next frame early, and that frame must not be dropped.
            if interval and now < next_due - interval / 2:
                dropped.inc()
                continue
            next_due = max(next_due + interval, now - interval)
            watchers = observer.observers()
            jpeg, width, height, did_encode, image = self._to_jpeg(raw, watchers, captured_at)
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
    ) -> tuple[bytes, int, int, bool, Image | None]:
        """Return (jpeg, width, height, encoded?, undrawn image) — passing JPEGs through."""
        cfg = self.config
        change = processing.needs_processing(
            raw.width, raw.height, cfg.width, cfg.height, cfg.rotation
        )
        drawers = observer.drawing(watchers, cfg.camera_id)
        if raw.jpeg is not None and not change and not drawers:
            return raw.jpeg, raw.width, raw.height, False, raw.image
        image = raw.image if raw.image is not None else processing.decode(raw.jpeg or b"")
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
