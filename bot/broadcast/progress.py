"""Progress reports of a broadcast: one status message edited in place, the latest state wins.

At most one edit is in flight per broadcast, and at most one waits behind it: newer progress
replaces the waiting one (no queue of stale edits). Offers closer together than ``interval`` to
the last accepted one are dropped, since a later offer carries newer counts anyway. The final
report waits for the edit in flight and is always sent.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Progress:
    """A snapshot of one broadcast for progress reports."""

    broadcast_id: int
    kind: str
    total: int
    sent: int
    failed: int
    gone: int
    skipped: int
    eta_seconds: float | None
    status_chat_id: int
    status_message_id: int
    created_by: int | None
    final: bool
    stopped: bool


Reporter = Callable[[Progress], Awaitable[None]]


class StatusEdits:
    """Latest-wins edits of one broadcast's status message (see the module docstring)."""

    def __init__(self, reporter: Reporter, interval: float, now: Callable[[], float]) -> None:
        self.reporter = reporter
        self.interval = interval
        self.now = now
        self.edits = 0  # edits actually sent (tests)
        self._latest: Progress | None = None
        self._last: float | None = None
        self._task: asyncio.Task[None] | None = None
        self._open = asyncio.Event()  # cleared while the caller still edits the message
        self._open.set()

    def hold(self) -> None:
        """Send nothing until release() (offers are still kept, the latest wins)."""
        self._open.clear()

    def release(self) -> None:
        self._open.set()

    def due(self) -> bool:
        """Whether a progress offer now would not be dropped by the interval."""
        return self._last is None or self.now() - self._last >= self.interval

    def offer(self, progress: Progress) -> None:
        """Report progress soon: it replaces any report still waiting to be sent."""
        if not progress.final and not self.due():
            return
        self._latest = progress
        self._last = self.now()
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(
                self._run(), name=f"broadcast-status-{progress.broadcast_id}"
            )

    async def finish(self, final: Progress) -> None:
        """Send the final report after any edit in flight; returns once it is done."""
        self.offer(final)
        task = self._task
        if task is not None:
            await asyncio.shield(task)

    def cancel(self) -> None:
        if self._task is not None:
            self._task.cancel()

    async def _run(self) -> None:
        await self._open.wait()
        while self._latest is not None:
            progress, self._latest = self._latest, None
            try:
                await self.reporter(progress)
                self.edits += 1
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # a report failing must never disturb sending
                log.warning(
                    "broadcast %s: progress report failed: %s",
                    progress.broadcast_id,
                    type(exc).__name__,
                )
