"""Reading dates, times and reminder lead times; computing reminder due moments (pure).

Due-time rule (DST): a lead that is a whole number of days is counted on the chat's wall
clock — "1 day before a 14:00 demonstration" is 14:00 local the day before, even across a
DST change (so it may be 23 or 25 real hours). Any other lead (2h, 30m, 1d 3h) is exact
elapsed time. A wall-clock moment that does not exist (spring-forward gap) is read with
``fold=0``, i.e. with the offset in force before the change; a repeated one (autumn) is
the first occurrence.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.i18n import texts

MIN_LEAD_MINUTES = 5
MAX_LEAD_MINUTES = 14 * 24 * 60
MAX_LEADS = 5
DAY_MINUTES = 24 * 60
MAX_YEARS_AHEAD = 2
# The largest difference between a day-multiple due time and "start - lead" (DST shifts are
# at most 2 hours anywhere today); the scheduler's search windows use it as a margin.
MAX_DST_SHIFT = timedelta(hours=3)

_LEAD_PART = re.compile(
    r"\s*(\d{1,4})\s*(days|day|d|hours|hour|hrs|hr|h|minutes|minute|mins|min|m)\s*", re.I
)
_ISO = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})[ T](\d{1,2}):(\d{2})\s*$")
_HAS_TIME = re.compile(r"\d{1,2}(:\d{2}|\s*(am|pm)\b)|\bnoon\b|\bmidnight\b", re.I)
# Every clock time written in the text, valid or not: "25:00", "14.61", "13pm", "at 9".
_CLOCK = re.compile(r"(?<![\d:.])(\d{1,3})[:.](\d{1,3})(?![\d:.])")
_AMPM = re.compile(r"(?<![\d:.])(\d{1,3})(?:[:.](\d{1,3}))?\s*(am|pm)\b", re.I)


class InputError(ValueError):
    """Bad user input; ``text`` is a texts constant and ``values`` fill its placeholders."""

    def __init__(self, text: str, **values: Any) -> None:
        super().__init__(text)
        self.text = text
        self.values = values


def zone(name: str) -> ZoneInfo:
    """A ZoneInfo for an IANA name, or InputError."""
    cleaned = name.strip()
    if not cleaned or len(cleaned) > 64 or ".." in cleaned or cleaned.startswith("/"):
        raise InputError(texts.SETTINGS_TZ_BAD, value=cleaned[:64])
    try:
        return ZoneInfo(cleaned)
    except (ZoneInfoNotFoundError, ValueError):
        raise InputError(texts.SETTINGS_TZ_BAD, value=cleaned[:64]) from None


def canonical_zone_name(name: str) -> str:
    """Accept case-insensitive names like 'europe/kyiv'; return the canonical spelling."""
    import zoneinfo

    cleaned = name.strip()
    try:
        zone(cleaned)
        return cleaned
    except InputError:
        pass
    lowered = cleaned.casefold()
    for candidate in zoneinfo.available_timezones():
        if candidate.casefold() == lowered:
            return candidate
    raise InputError(texts.SETTINGS_TZ_BAD, value=cleaned[:64])


def local_to_utc(local: datetime, tz: ZoneInfo) -> datetime:
    """A naive wall-clock time in tz to aware UTC (fold=0 for gaps and repeats)."""
    return local.replace(tzinfo=tz, fold=0).astimezone(UTC)


def parse_when(text: str, tz: ZoneInfo, now: datetime) -> datetime:
    """Read a date and time written by an admin in their zone; return it in UTC.

    Accepts ``2026-12-05 14:00`` exactly, otherwise natural forms via dateparser
    ("tomorrow 14:00", "sat 2pm", "5 Dec 14:00"), relative to ``now`` and preferring the
    future. Raises InputError if unreadable, without a time of day, past, or absurdly far.
    """
    raw = " ".join(text.split())
    if not raw or len(raw) > 60:
        raise InputError(texts.ERR_DATE_UNPARSEABLE, value=raw[:60])
    local_now = now.astimezone(tz).replace(tzinfo=None)
    clock = read_clock(raw)
    m = _ISO.match(raw)
    if m:
        try:
            y, mo, d, h, mi = (int(g) for g in m.groups())
            local = datetime(y, mo, d, h, mi)
        except ValueError:
            raise InputError(texts.ERR_DATE_UNPARSEABLE, value=raw) from None
    else:
        if not _HAS_TIME.search(raw):
            if _parse_natural(raw, local_now) is None:
                raise InputError(texts.ERR_DATE_UNPARSEABLE, value=raw)
            raise InputError(texts.ERR_DATE_NO_TIME)
        parsed = _parse_natural(raw, local_now)
        if parsed is None:
            raise InputError(texts.ERR_DATE_UNPARSEABLE, value=raw)
        local = parsed
        if clock is not None and (local.hour, local.minute) != clock:
            # The natural-language reader read a different time than the one written.
            raise InputError(texts.ERR_DATE_UNPARSEABLE, value=raw)
    local = local.replace(second=0, microsecond=0)
    when = local_to_utc(local, tz)
    if when <= now:
        raise InputError(texts.ERR_DATE_PAST, when=local.strftime("%Y-%m-%d %H:%M"))
    if when - now > timedelta(days=366 * MAX_YEARS_AHEAD):
        raise InputError(texts.ERR_DATE_FAR)
    return when


def read_clock(text: str) -> tuple[int, int] | None:
    """The (hour, minute) written in text, if any; InputError naming an impossible one.

    Every path that reads an admin's date and time goes through here first, so "25:00" is
    refused with the same reason whatever the wording around it ("tomorrow at 25:00",
    "2026-12-05 25:00"), instead of being dropped by the natural-language reader.
    """
    found: tuple[int, int] | None = None
    for m in _AMPM.finditer(text):
        hour, minute = int(m.group(1)), int(m.group(2) or 0)
        if not 1 <= hour <= 12 or minute > 59:
            raise InputError(texts.ERR_TIME_BAD, value=m.group(0).strip())
        found = (hour % 12 + (12 if m.group(3).lower() == "pm" else 0), minute)
    if found is not None:
        return found
    for m in _CLOCK.finditer(text):
        hour, minute = int(m.group(1)), int(m.group(2))
        if hour > 23 or minute > 59 or len(m.group(2)) != 2:
            raise InputError(texts.ERR_TIME_BAD, value=m.group(0))
        found = (hour, minute)
    return found


def _parse_natural(raw: str, local_now: datetime) -> datetime | None:
    import dateparser

    result = dateparser.parse(
        raw,
        languages=["en"],
        settings={
            "RELATIVE_BASE": local_now,
            "PREFER_DATES_FROM": "future",
            "DATE_ORDER": "DMY",
            "RETURN_AS_TIMEZONE_AWARE": False,
        },
    )
    if not isinstance(result, datetime):
        return None
    return result.replace(tzinfo=None)


def parse_lead(token: str) -> int:
    """'1d', '3h', '30m', '1d3h', '90min' -> minutes; InputError if malformed or out of range."""
    cleaned = token.strip().lower()
    pos = 0
    total = 0
    found = False
    while pos < len(cleaned):
        m = _LEAD_PART.match(cleaned, pos)
        if not m:
            raise InputError(texts.ERR_LEAD_BAD, value=token[:20])
        n, unit = int(m.group(1)), m.group(2)[0]
        total += n * (DAY_MINUTES if unit == "d" else 60 if unit == "h" else 1)
        pos = m.end()
        found = True
    if not found:
        raise InputError(texts.ERR_LEAD_BAD, value=token[:20])
    if not MIN_LEAD_MINUTES <= total <= MAX_LEAD_MINUTES:
        raise InputError(texts.ERR_LEAD_RANGE, value=token[:20])
    return total


def parse_leads(args: list[str]) -> tuple[int, ...]:
    """Several lead tokens -> distinct minutes, largest first (at most MAX_LEADS)."""
    if not args:
        raise InputError(texts.ERR_LEAD_NONE)
    leads = {parse_lead(a) for a in args}
    if len(leads) > MAX_LEADS:
        raise InputError(texts.ERR_LEAD_TOO_MANY, limit=MAX_LEADS)
    return tuple(sorted(leads, reverse=True))


def format_lead(minutes: int) -> str:
    """1500 -> '1d 1h'; the compact form used in settings and callback data."""
    days, rest = divmod(minutes, DAY_MINUTES)
    hours, mins = divmod(rest, 60)
    parts = [f"{days}d" if days else "", f"{hours}h" if hours else "", f"{mins}m" if mins else ""]
    return " ".join(p for p in parts if p) or "0m"


def due_at(starts_at: datetime, lead_minutes: int, tz: ZoneInfo) -> datetime:
    """When a reminder lead_minutes before starts_at is due for a chat in tz (see module doc)."""
    if lead_minutes % DAY_MINUTES == 0:
        local = starts_at.astimezone(tz).replace(tzinfo=None)
        return local_to_utc(local - timedelta(minutes=lead_minutes), tz)
    return (starts_at - timedelta(minutes=lead_minutes)).astimezone(UTC)


def to_iso(when: datetime) -> str:
    """The storage form: UTC, seconds precision, '+00:00'."""
    return when.astimezone(UTC).replace(microsecond=0).isoformat()


def from_iso(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)
