"""Decide, picture by picture, whether a source's own H.264 still passes through."""

from __future__ import annotations

from livecam.sources.base import H264Sample
from livecam.video.fitness import MAX_GOP, unfit


class PassThrough:
    """Pass-through state of one capture session: fit so far, or re-encoded and why.

    Once unfit, a session stays re-encoded (switching back and forth would restart the
    stream at every switch); a new session (source reopened) judges again.
    """

    def __init__(self) -> None:
        self.active = False
        self.reason = ""
        self._last_index = 0
        self._last_key = 0.0

    def check(self, sample: H264Sample | None, captured_at: float, withheld: str = "") -> bool:
        """Return True when this picture may pass through (`withheld`: why it was not given)."""
        if sample is None:
            if withheld and not self.reason:  # the source's H.264 is changed (mask, resize)
                self._refuse(withheld)
            elif self.active:  # the source stopped giving H.264
                self._refuse("the source no longer gives H.264, so it is re-encoded")
            return False
        if self.reason:
            return False
        reason = unfit(sample)
        skipped = self._last_index and sample.index != self._last_index + 1
        if not reason and skipped and not sample.keyframe:
            reason = "pictures are dropped (a frame rate cap below the source's rate)"
        if not reason and sample.keyframe:
            self._last_key = captured_at
        elif not reason and self._last_key and captured_at - self._last_key > MAX_GOP:
            reason = f"keyframes are more than {MAX_GOP:g} s apart"
        self._last_index = sample.index
        if reason:
            self._refuse(reason)
            return False
        self.active = True
        return True

    def _refuse(self, reason: str) -> None:
        self.active, self.reason = False, reason
