"""The calendar files the bot hands out (/calendar and each demo's .ics), rendered once and
kept until what they show changes.

The cache key is the demonstrations themselves (frozen values read from the database), so any
change to any of them, a new one, a removed one, or one that has begun and left the list,
makes a new key: nothing needs to remember to invalidate it.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Hashable, Sequence
from datetime import datetime

from bot.demos.ics import demo_event, demo_ics, new_calendar
from storage.demos import Demo

_END = b"END:VCALENDAR\r\n"


class _Lru:
    """A small least-recently-used map."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[Hashable, bytes] = OrderedDict()

    def get(self, key: Hashable) -> bytes | None:
        value = self._items.get(key)
        if value is not None:
            self._items.move_to_end(key)
        return value

    def put(self, key: Hashable, value: bytes) -> None:
        self._items[key] = value
        self._items.move_to_end(key)
        while len(self._items) > self.size:
            self._items.popitem(last=False)


class CalendarExport:
    """Renders calendar files; ``renders`` counts full /calendar renders (cache misses)."""

    def __init__(self, *, calendars: int = 32, events: int = 4096) -> None:
        self._calendars = _Lru(calendars)  # one per (language's calendar name, region) seen
        self._events = _Lru(events)
        self._files = _Lru(events)
        self.renders = 0

    def demo_file(self, demo: Demo, now: datetime) -> bytes:
        """One demonstration's .ics (DTSTAMP is when it was first rendered)."""
        data = self._files.get(demo)
        if data is None:
            data = demo_ics(demo, now)
            self._files.put(demo, data)
        return data

    async def calendar(self, demos: Sequence[Demo], now: datetime, name: str) -> bytes:
        """One VCALENDAR with every demo; rendered (off the event loop) only when new."""
        key = (name, tuple(demos))
        data = self._calendars.get(key)
        if data is None:
            missing = [d for d in demos if self._events.get(d) is None]
            rendered = await asyncio.to_thread(_events, missing, now)
            for demo, event in zip(missing, rendered, strict=True):
                self._events.put(demo, event)
            body = b"".join(self._events.get(d) or _events([d], now)[0] for d in demos)
            data = _header(name)[: -len(_END)] + body + _END
            self._calendars.put(key, data)
            self.renders += 1
        return data


def _events(demos: Sequence[Demo], now: datetime) -> list[bytes]:
    return [demo_event(demo, now).to_ical() for demo in demos]


def _header(name: str) -> bytes:
    cal = new_calendar()
    cal.add("x-wr-calname", name)
    data: bytes = cal.to_ical()
    return data
