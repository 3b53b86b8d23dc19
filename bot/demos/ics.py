"""iCalendar (RFC 5545) export of one demonstration, with its stable UID.

icalendar is imported on first use, not at start-up: it costs about 50 ms of every cold start
and most runs never write a calendar file.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from storage.demos import Demo

if TYPE_CHECKING:
    from icalendar import Calendar, Event

DEFAULT_DURATION = timedelta(hours=2)
PRODID = "-//Solidarity Bot//demonstrations//EN"


def new_calendar() -> Calendar:
    """An empty VCALENDAR with the bot's PRODID, as every calendar file the bot writes opens."""
    from icalendar import Calendar

    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    return cal


def demo_ics(demo: Demo, now: datetime) -> bytes:
    """A VCALENDAR with one VEVENT (public information only, never the private details)."""
    cal = new_calendar()
    cal.add_component(demo_event(demo, now))
    data: bytes = cal.to_ical()
    return data


def demo_event(demo: Demo, now: datetime) -> Event:
    """The VEVENT of one demonstration, as demo_ics and the /calendar file carry it."""
    from icalendar import Event

    event = Event()
    event.add("uid", demo.uid)
    event.add("dtstamp", now)
    event.add("dtstart", demo.starts_at)
    event.add("dtend", demo.starts_at + DEFAULT_DURATION)
    event.add("summary", demo.title)
    event.add("location", demo.place)
    description = "\n\n".join(p for p in (demo.description, demo.link or "") if p)
    if description:
        event.add("description", description)
    if demo.link:
        event.add("url", demo.link)
    event.add("status", "CANCELLED" if demo.cancelled else "CONFIRMED")
    return event


def ics_filename(demo: Demo) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", demo.title.casefold()).strip("-")[:40] or "demo"
    return f"{slug}-{demo.id}.ics"
