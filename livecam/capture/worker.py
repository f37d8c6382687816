"""One camera's capture loop in its own thread: read, process, encode once, publish."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Mapping

from livecam import conf, metrics
from livecam.bus.base import FrameBus
from livecam.capture import convert, observer, recording, reports
from livecam.capture.config import CameraConfig
from livecam.capture.corrupt import CorruptCounter
from livecam.capture.ratecap import RateCap
from livecam.capture.variants import VariantMaker
from livecam.capture.video_out import VideoOut
from livecam.frames import CameraStatus, Frame
from livecam.sources import make_source, validate_source
from livecam.sources.base import CaptureOptions, FrameSource, SourceError, SourceFrame
from livecam.video.producer import VideoProducer

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
        self._applied_controls: tuple[tuple[str, int], ...] | None = None
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
                recording.session_ended(self.camera_id)
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
        # Stored values are applied on every open, so they come back after a reconnect.
        self._applied_controls = None
        reports.controls_offered(cfg.camera_id, cfg.source, source.controls())
        return self._pump(source)

    def _sync_controls(self, source: FrameSource) -> None:
        """Apply the camera's control values when they changed (saved from the API)."""
        wanted = self.config.controls
        if wanted != self._applied_controls:
            self._applied_controls = wanted
            source.set_controls(dict(wanted))

    def _pump(self, source: FrameSource) -> bool:
        cfg = self.config
        corrupt = CorruptCounter(cfg.camera_id, source)
        out = VideoOut(self.bus)
        video = VideoProducer(
            cfg.camera_id,
            out.widths,
            out.publish,
            fps=cfg.fps,
            bitrate=cfg.bitrate,
            keyframe_interval=cfg.keyframe_interval,
            codec=str(conf.get("H264_ENCODER")),
        )
        variants = VariantMaker(cfg.camera_id, self.bus.variant_widths, self.bus.publish_variant)
        try:
            return self._pump_frames(source, corrupt, video, variants)
        finally:
            video.close()
            # The source drops corrupt parts inside read(): when it sends nothing else, no read
            # ever returns and the session ends in an error, so count them here too.
            corrupt.sync()

    def _pump_frames(
        self,
        source: FrameSource,
        corrupt: CorruptCounter,
        video: VideoProducer,
        variants: VariantMaker,
    ) -> bool:
        cfg = self.config
        cap = RateCap(cfg.fps, time.monotonic())
        captured = metrics.FRAMES_CAPTURED.labels(cfg.camera_id)
        encoded = metrics.FRAMES_ENCODED.labels(cfg.camera_id)
        dropped = metrics.FRAMES_DROPPED.labels(cfg.camera_id)
        window_start = time.monotonic()
        window_frames = 0
        delivered = False
        told = ("", "")
        while not self._stop.is_set():
            self._sync_controls(source)
            self.busy_since = time.monotonic()
            raw = source.read()
            captured_at = time.time()  # X-Timestamp is the capture time, before any encoding
            self.busy_since = None
            if not isinstance(raw, SourceFrame):  # a source bug must not reach the viewers
                raise SourceError("the source returned no frame")
            now = time.monotonic()
            captured.inc()
            corrupt.sync()
            if not cap.admit(now):
                dropped.inc()
                continue
            watchers = observer.observers()
            eager = self.bus.jpeg_wanted(cfg.camera_id)  # else: JPEG only if asked for
            # self.config, not cfg: settings (masks, quality, size) change during a session.
            converted = convert.to_jpeg(raw, self.config, watchers, captured_at, eager)
            if converted is None:  # corrupt: dropped and counted, never forwarded
                corrupt.add()
                continue
            corrupt.in_a_row = 0
            jpeg, width, height, did_encode, image, drawn = converted
            if did_encode:
                encoded.inc()
            self._seq += 1
            if jpeg is None and drawn is not None:
                later = convert.deferred_encode(drawn, self.config.quality, encoded)
                frame = Frame.deferred(cfg.camera_id, self._seq, later, width, height, captured_at)
            else:
                frame = Frame.create(
                    cfg.camera_id, self._seq, jpeg or b"", width, height, captured_at
                )
            if self._abandoned or self._stop.is_set():
                break
            self.bus.publish_frame(frame)
            if watchers:
                observer.notify(watchers, frame, image)
            # The variants and H.264 share one decode when the JPEG was passed through.
            drawn = variants.on_frame(frame, drawn)
            video.on_frame(frame, drawn, *convert.own_video(raw, self.config, drawn))
            window_frames += 1
            continuous = recording.state(cfg.camera_id)
            if not delivered or now - window_start >= _STATUS_INTERVAL or continuous != told:
                told = continuous
                fps = window_frames / (now - window_start) if delivered else 0.0
                self._publish(
                    "online",
                    width=width,
                    height=height,
                    fps=round(fps, 2),
                    last_frame_at=frame.captured_at,
                    video=video.mode,
                    video_reason=video.reason,
                    video_error=video.error,
                    continuous=continuous[0],
                    continuous_reason=continuous[1],
                )
                window_start, window_frames = now, 0
            delivered = True
        return delivered

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
