"""Errors reported to the bot's administrators: ids and error kinds only, at most one report
every few minutes however many errors there are (an error storm must not flood them)."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.clock import Clock

REPORT_EVERY = timedelta(minutes=10)


class ErrorAlerts:
    """Counts errors; says when a report is due and how many errors it covers."""

    def __init__(self, clock: Clock, every: timedelta = REPORT_EVERY) -> None:
        self.clock = clock
        self.every = every
        self._last: datetime | None = None
        self._count = 0

    def record(self) -> int | None:
        """Count one error; returns how many to report now (this one included), or None when
        the last report was too recent (the count carries over to the next report)."""
        self._count += 1
        now = self.clock.now()
        if self._last is not None and now - self._last < self.every:
            return None
        count, self._count, self._last = self._count, 0, now
        return count
