"""What every slot viewers wait on shares: the viewer count, their waiters, a tick, close."""

from __future__ import annotations

import asyncio


class WakingSlot:
    """Count a slot's viewers and wake the waiting ones on a change, each tick and at close.

    The tick runs while someone watches, so viewers re-send and notice dead peers. All methods
    run on the event loop.
    """

    def __init__(self, loop: asyncio.AbstractEventLoop, tick: float) -> None:
        self.viewers = 0
        self.closed = False
        self._loop = loop
        self._tick_every = tick
        self._waiters: list[asyncio.Future[None]] = []
        self._prune_at = 64
        self._ticker: asyncio.TimerHandle | None = None

    def waiter(self) -> asyncio.Future[None]:
        """Return a future of the caller's own that completes at the next change."""
        # One future per waiting viewer, not one shared and shielded: a cancelled viewer only
        # cancels its own, and a wake is one set_result per viewer instead of a Python
        # callback chain per viewer (a tenth of the server's CPU with hundreds of viewers).
        waiter = self._loop.create_future()
        waiters = self._waiters
        waiters.append(waiter)
        if len(waiters) >= self._prune_at:
            # Waiters cancelled while nothing changes (a still camera) would pile up. Pruned
            # only when the list has doubled since the last pruning: a pass per call made every
            # change cost O(viewers²) with hundreds of viewers waiting at once.
            self._waiters = [each for each in waiters if not each.done()]
            self._prune_at = max(64, 2 * len(self._waiters))
        return waiter

    def wake(self) -> None:
        """Wake every waiting viewer."""
        waiters, self._waiters = self._waiters, []
        for each in waiters:
            if not each.done():  # cancelled: its viewer has gone
                each.set_result(None)

    def add_viewer(self) -> None:
        """Count a viewer in; the first one starts the tick."""
        self.viewers += 1
        if self._ticker is None:
            self._ticker = self._loop.call_later(self._tick_every, self._tick)

    def remove_viewer(self) -> None:
        """Count a viewer out; the last one stops the tick."""
        self.viewers = max(0, self.viewers - 1)
        if self.viewers == 0 and self._ticker is not None:
            self._ticker.cancel()
            self._ticker = None

    def close(self) -> None:
        """End every viewer of the slot (server shutdown, camera removed)."""
        self.closed = True
        if self._ticker is not None:
            self._ticker.cancel()
            self._ticker = None
        self.wake()

    def _tick(self) -> None:
        self._ticker = self._loop.call_later(self._tick_every, self._tick) if self.viewers else None
        self.wake()
