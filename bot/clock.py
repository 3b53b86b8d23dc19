"""The clock the bot reads time from, injectable so tests never wait for real time."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """Tells the current time as an aware UTC datetime."""

    def now(self) -> datetime: ...


class SystemClock:
    """The real wall clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class FakeClock:
    """A clock that only moves when a test moves it; listeners hear about each move."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
        self.moved = asyncio.Event()

    def now(self) -> datetime:
        return self._now

    def set(self, when: datetime) -> None:
        if when.tzinfo is None:
            raise ValueError("FakeClock needs an aware datetime")
        self._now = when.astimezone(UTC)
        self.moved.set()

    def advance(self, delta: timedelta) -> datetime:
        self.set(self._now + delta)
        return self._now


def utcnow(clock: Clock) -> datetime:
    """The clock's time, guaranteed aware and in UTC."""
    return clock.now().astimezone(UTC)
