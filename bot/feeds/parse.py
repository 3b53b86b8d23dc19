"""Reading an iCalendar feed into demonstrations, lazily: repeats are expanded in order of
start and expansion stops at the per-feed event cap or the horizon, whichever comes first.

Pure and synchronous: bot.feeds.worker runs it in a separate process under a CPU-time and
memory budget, so a hostile feed costs the bot nothing but that budget.
"""

from __future__ import annotations

import hashlib
import heapq
import itertools
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import recurring_ical_events
from icalendar import Calendar, Component

from bot.demos import cards
from bot.demos.intake import safe_link
from bot.feeds.errors import FeedError
from bot.feeds.limits import HORIZON, MAX_EVENTS, ParsedFeed
from storage.feeds import FeedDemo

# The commands' limits (one set for every way a demonstration enters).
MAX_TITLE, MAX_PLACE, MAX_DESCRIPTION = cards.MAX_TITLE, cards.MAX_PLACE, cards.MAX_DESCRIPTION
# The first window a repeating event is expanded over; it doubles while the cap is not met.
FIRST_WINDOW = timedelta(hours=1)
_SECOND = timedelta(seconds=1)
# Properties a VEVENT has at most once (RFC 5545 3.6.1); a repeated one counts by its first.
SINGLE = (
    "UID",
    "DTSTAMP",
    "DTSTART",
    "DTEND",
    "DURATION",
    "SUMMARY",
    "LOCATION",
    "DESCRIPTION",
    "URL",
    "STATUS",
    "RECURRENCE-ID",
    "SEQUENCE",
    "CLASS",
    "TRANSP",
)

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _text(value: Any, limit: int, *, multiline: bool = False) -> str:
    raw = _CONTROL.sub("", str(value or ""))
    if multiline:
        cleaned = "\n".join(" ".join(line.split()) for line in raw.strip().splitlines()).strip()
    else:
        cleaned = " ".join(raw.split())
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 1].rstrip() + "…"


def _link(value: Any) -> str | None:
    """The event's URL if it passes the rule every entrance shares (http/https/tg, no spaces);
    else the event is kept without it."""
    return safe_link(value)


def _zone_or_none(name: str) -> tzinfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None


def _utc(value: date | datetime, zone: tzinfo) -> datetime:
    if isinstance(value, datetime):
        local = value if value.tzinfo is not None else value.replace(tzinfo=zone)
        return local.astimezone(UTC)
    return datetime.combine(value, time(0, 0), tzinfo=zone).astimezone(UTC)


def _zone_name(value: date | datetime | None, zone: tzinfo) -> str | None:
    """The event's venue zone: its DTSTART's named zone, else the calendar's (UTC says
    nothing about the venue, so a named calendar zone wins over it)."""
    own = value.tzinfo if isinstance(value, datetime) else None
    for candidate in (own, zone):
        key = getattr(candidate, "key", None)
        if isinstance(key, str) and key and key != "UTC":
            return key
    return None


def _stamp(value: date | datetime, zone: tzinfo) -> str:
    if isinstance(value, datetime):
        return _utc(value, zone).strftime("%Y%m%dT%H%M%SZ")
    return value.strftime("%Y%m%d")


def _first_values(calendar: Calendar) -> None:
    """A property given twice where once is allowed keeps its first value (not a list)."""
    for component in calendar.walk("VEVENT"):
        for name in SINGLE:
            value = component.get(name)
            if isinstance(value, list):
                component[name] = value[0]


def _calendar_zone(calendar: Calendar, default_timezone: str) -> tuple[tzinfo, str | None]:
    """The calendar's zone and, when its X-WR-TIMEZONE is unknown, that name.

    An unknown X-WR-TIMEZONE is replaced by the bot's zone, so the reading of floating and UTC
    times (which recurring_ical_events does by X-WR-TIMEZONE) goes on in the bot's zone.
    """
    default = _zone_or_none(default_timezone) or UTC
    raw = calendar.get("X-WR-TIMEZONE")
    if isinstance(raw, list):
        raw = raw[0] if raw else None
    if raw is None:
        return default, None
    name = str(raw).strip()
    zone = _zone_or_none(name) if name else None
    if zone is not None:
        calendar["X-WR-TIMEZONE"] = name
        return zone, None
    fallback = default_timezone if _zone_or_none(default_timezone) else "UTC"
    calendar["X-WR-TIMEZONE"] = fallback
    return default, _text(name, 64) or "?"


def _series_occurrences(
    series: Any, start: datetime, end: datetime, zone: tzinfo, repeats: bool
) -> Iterator[tuple[datetime, Any]]:
    """One series' occurrences starting in (start, end], in order, a window at a time.

    Each window asks recurring_ical_events only for its own span; the window doubles while
    it keeps being cheap, so a rule repeating every second costs a few thousand occurrences,
    not the 7.8 million of the whole horizon. A single event is one window.
    """
    seen: set[Any] = set()
    low, width = start, (FIRST_WINDOW if repeats else end - start)
    while low < end:
        high = min(low + width, end)
        found = []
        # The span asked for ends a second late: its end is exclusive, and an event without
        # duration starting exactly at ``high`` belongs to this window, (low, high].
        span = (low.astimezone(zone), (high + _SECOND).astimezone(zone))
        for occurrence in series.between(*span):
            begins = _utc(occurrence.start, zone)
            if low < begins <= high and occurrence.id not in seen:
                seen.add(occurrence.id)
                found.append((begins, occurrence))
        found.sort(key=lambda pair: pair[0])
        yield from found
        low, width = high, width * 2


def _occurrences(
    calendar: Calendar, start: datetime, end: datetime, zone: tzinfo, recurring: set[str]
) -> Iterator[tuple[datetime, Any]]:
    """Every occurrence of every event starting in (start, end], merged in order of start."""
    query = recurring_ical_events.of(calendar)
    counter = itertools.count()  # ties: keep the merge from comparing occurrences
    streams = [
        ((begins, next(counter), occ) for begins, occ in stream)
        for stream in (
            _series_occurrences(s, start, end, zone, _text(s.uid, 400) in recurring)
            for s in query.series
        )
    ]
    for begins, _n, occurrence in heapq.merge(*streams):
        yield begins, occurrence


def _event(
    occurrence: Any, starts_at: datetime, zone: tzinfo, region: str | None, recurring: set[str]
) -> FeedDemo | None:
    component: Component = occurrence.as_component(False)
    title = _text(component.get("SUMMARY"), MAX_TITLE)
    if not title:
        return None
    raw_uid = _text(component.get("UID"), 400)
    if not raw_uid:
        # No UID: derive a stable one from what identifies the event.
        digest = hashlib.sha256(f"{title}|{starts_at.isoformat()}".encode()).hexdigest()
        raw_uid = f"{digest[:32]}@feed"
    uid = raw_uid
    if raw_uid in recurring:
        rid = component.get("RECURRENCE-ID")
        slot = rid.dt if rid is not None else component.get("DTSTART").dt
        uid = f"{raw_uid}#{_stamp(slot, zone)}"
    return FeedDemo(
        uid=uid[:400],
        starts_at=starts_at,
        title=title,
        place=_text(component.get("LOCATION"), MAX_PLACE),
        description=_text(component.get("DESCRIPTION"), MAX_DESCRIPTION, multiline=True),
        link=_link(component.get("URL")),
        region=region.casefold() if region else None,
        cancelled=str(component.get("STATUS") or "").upper() == "CANCELLED",
        timezone=_zone_name(getattr(component.get("DTSTART"), "dt", None), zone),
    )


def parse_feed(
    data: bytes,
    *,
    now: datetime,
    default_timezone: str,
    region: str | None = None,
    horizon: timedelta = HORIZON,
    max_events: int = MAX_EVENTS,
) -> ParsedFeed:
    """The first ``max_events`` events of an iCalendar file that start in (now, now + horizon].

    Raises FeedError('invalid') for anything that is not a readable VCALENDAR.
    """
    if b"BEGIN:VCALENDAR" not in data[:4096].upper():
        raise FeedError("invalid")
    try:
        calendar = Calendar.from_ical(data)
    except MemoryError:
        raise  # over the worker's memory budget, not a bad file
    except Exception as exc:  # icalendar raises ValueError and friends on bad input
        raise FeedError("invalid") from exc
    if not isinstance(calendar, Calendar) or calendar.name != "VCALENDAR":
        raise FeedError("invalid")
    _first_values(calendar)
    zone, unknown = _calendar_zone(calendar, default_timezone)
    recurring = {
        _text(c.get("UID"), 400)
        for c in calendar.walk("VEVENT")
        if c.get("RRULE") or c.get("RDATE") or c.get("RECURRENCE-ID")
    }
    events: dict[str, FeedDemo] = {}
    capped = False
    try:
        for starts_at, occurrence in _occurrences(calendar, now, now + horizon, zone, recurring):
            if len(events) >= max_events:
                capped = True  # one more event within the horizon: the cap did apply
                break
            event = _event(occurrence, starts_at, zone, region, recurring)
            if event is not None:
                events[event.uid] = event
    except (FeedError, MemoryError):
        raise
    except Exception as exc:
        raise FeedError("invalid") from exc
    return ParsedFeed(list(events.values()), capped, unknown)
