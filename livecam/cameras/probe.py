"""Open a source once, in its own thread with a deadline, and say what it delivers."""

from __future__ import annotations

import dataclasses
import logging
import threading
import time

from livecam import conf
from livecam.capture import processing
from livecam.sources import make_source, redact, validate_source
from livecam.sources.base import CaptureOptions, FrameSource, SourceError, SourceFrame

logger = logging.getLogger(__name__)

TIMEOUT = 8.0
"""Seconds a probe may take in all: a dead network camera answers an error by then."""
MEASURE = 1.0
"""Seconds of frames read to measure the rate (within the timeout)."""
MAX_PROBES = 2
"""Probes running at once; more get "busy" (a wedged source keeps its slot until it returns)."""

_slots = threading.BoundedSemaphore(MAX_PROBES)


@dataclasses.dataclass
class ProbeResult:
    """What a source delivered when opened once (``jpeg``: its first frame, for a preview)."""

    ok: bool
    error: str = ""
    width: int = 0
    height: int = 0
    fps: float = 0.0
    codec: str = ""
    passes_through: bool = False
    jpeg: bytes | None = dataclasses.field(default=None, repr=False)

    def to_json(self) -> dict[str, object]:
        """Return the result as the API answers it (without the picture)."""
        data = dataclasses.asdict(self)
        del data["jpeg"]
        return data


class ProbeBusyError(RuntimeError):
    """Too many probes are running."""


def probe(text: str, timeout: float = TIMEOUT) -> ProbeResult:
    """Probe a source string (blocking, at most ``timeout`` seconds plus a little)."""
    try:
        spec = validate_source(text, file_dirs=conf.get("FILE_DIRS"))
    except SourceError as exc:
        return ProbeResult(False, f"source: {exc}")
    if not _slots.acquire(blocking=False):
        raise ProbeBusyError("other probes are still running; try again in a few seconds")
    result: list[ProbeResult] = []
    holder: list[FrameSource] = []

    def run() -> None:
        try:
            source = make_source(spec, CaptureOptions(width=0, height=0, fps=0))
            holder.append(source)
            result.append(_measure(source, time.monotonic() + timeout * 0.8))
        except SourceError as exc:
            result.append(ProbeResult(False, str(exc) or "the source failed"))
        except Exception as exc:  # a bug in a source is an answer, not a crashed request
            logger.exception("probing %s failed", redact(text))
            result.append(ProbeResult(False, f"internal error: {type(exc).__name__}"))
        finally:
            if holder:
                _close(holder[0])
            _slots.release()

    thread = threading.Thread(target=run, name="source-probe", daemon=True)
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        if holder:
            _close(holder[0])  # makes a blocked open or read return, for sources that can
        return ProbeResult(False, f"no answer from the source within {timeout:g} s")
    return result[0]


def _measure(source: FrameSource, deadline: float) -> ProbeResult:
    source.open()
    first = _read(source)
    started, count = time.monotonic(), 0
    while time.monotonic() - started < MEASURE and time.monotonic() < deadline:
        _read(source)
        count += 1
    elapsed = time.monotonic() - started
    jpeg = first.jpeg
    if jpeg is None and first.image is not None:
        jpeg = processing.encode(first.image, 80)
    return ProbeResult(
        True,
        width=first.width,
        height=first.height,
        fps=round(count / elapsed, 1) if count and elapsed > 0 else 0.0,
        codec=source.codec,
        passes_through=source.passes_jpeg and first.jpeg is not None,
        jpeg=jpeg,
    )


def _read(source: FrameSource) -> SourceFrame:
    frame = source.read()
    if not isinstance(frame, SourceFrame) or (frame.jpeg is None and frame.image is None):
        raise SourceError("the source returned no frame")
    return frame


def _close(source: FrameSource) -> None:
    try:
        source.close()
    except Exception:
        logger.exception("closing a probed source failed")
