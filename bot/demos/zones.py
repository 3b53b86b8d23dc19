"""Time zone names matched loosely: 'kyiv' -> Europe/Kyiv, 'new york' -> America/New_York;
'UTC+3' explained (a fixed offset ignores summer time) with places to choose; typos suggested."""

from __future__ import annotations

import re
import zoneinfo
from datetime import UTC, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from bot.demos.timeparse import InputError
from bot.i18n import texts

_AREAS = (
    "Africa",
    "America",
    "Antarctica",
    "Asia",
    "Atlantic",
    "Australia",
    "Europe",
    "Indian",
    "Pacific",
)
#: places offered for a fixed offset such as UTC+3 (the group's usual ones first)
OFFSET_CANDIDATES = (
    "Europe/London",
    "Europe/Kyiv",
    "Asia/Gaza",
    "Europe/Paris",
    "Europe/Berlin",
    "Europe/Istanbul",
    "Asia/Dubai",
    "Asia/Karachi",
    "Asia/Kolkata",
    "Asia/Tokyo",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "America/Sao_Paulo",
    "Africa/Lagos",
    "Africa/Nairobi",
    "Australia/Sydney",
)
SUGGEST_CUTOFF = 75
#: old names still in the database, and the names in use now (Kyiv, not the Russian "Kiev")
RENAMED = {
    "Europe/Kiev": "Europe/Kyiv",
    "Europe/Uzhgorod": "Europe/Kyiv",
    "Europe/Zaporozhye": "Europe/Kyiv",
    "Asia/Calcutta": "Asia/Kolkata",
    "Asia/Saigon": "Asia/Ho_Chi_Minh",
    "Asia/Rangoon": "Asia/Yangon",
    "Asia/Katmandu": "Asia/Kathmandu",
}
_OFFSET = re.compile(r"^(?:utc|gmt)?\s*([+-])\s*(\d{1,2})(?::?(\d{2}))?$", re.IGNORECASE)


def _key(name: str) -> str:
    return " ".join(name.replace("_", " ").replace("-", " ").split()).casefold()


@lru_cache(maxsize=1)
def _index() -> tuple[dict[str, str], dict[str, str]]:
    """(full name folded -> name, place folded -> name) over the system's zones."""
    names = sorted(zoneinfo.available_timezones())
    full = {_key(n): RENAMED.get(n, n) for n in names}
    places: dict[str, str] = {}
    for name in names:
        parts = name.split("/")
        if len(parts) >= 2 and parts[0] in _AREAS:
            places.setdefault(_key(parts[-1]), RENAMED.get(name, name))
    return full, places


def _offsets(name: str, year: int) -> set[int]:
    """The zone's UTC offsets in minutes in mid-January and mid-July of year."""
    tz = ZoneInfo(name)
    out = set()
    for month in (1, 7):
        offset = datetime(year, month, 15, 12, tzinfo=UTC).astimezone(tz).utcoffset()
        if offset is not None:
            out.add(int(offset.total_seconds()) // 60)
    return out


class ZoneSuggestion(InputError):
    """Not a zone as typed, but these are likely (offered as buttons)."""

    def __init__(self, text: str, value: str, choices: list[str]) -> None:
        super().__init__(text, value=value, suggestions=", ".join(choices))
        self.choices = tuple(choices)


def match_zone(value: str, now: datetime | None = None) -> str:
    """The IANA name the person meant; ZoneSuggestion (likely names) or InputError if none."""
    cleaned = " ".join(value.split())[:64]
    full, places = _index()
    key = _key(cleaned)
    if key in full:
        return full[key]
    if key in places:
        return places[key]
    offset = _OFFSET.match(cleaned)
    if offset is not None:
        hours, minutes = int(offset.group(2)), int(offset.group(3) or 0)
        total = (hours * 60 + minutes) * (1 if offset.group(1) == "+" else -1)
        if total == 0:
            return "UTC"
        year = (now or datetime.now(UTC)).year
        near = [n for n in OFFSET_CANDIDATES if total in _offsets(n, year)][:3]
        raise ZoneSuggestion(texts.SETTINGS_TZ_OFFSET, cleaned, near or ["UTC"])
    choices = {**places, **full}
    from rapidfuzz import fuzz, process  # on first use: not needed at start-up

    found = process.extract(
        key, list(choices), scorer=fuzz.WRatio, limit=6, score_cutoff=SUGGEST_CUTOFF
    )
    suggestions: list[str] = []
    for k, _score, _i in found:
        if choices[k] not in suggestions:
            suggestions.append(choices[k])
    if suggestions:
        raise ZoneSuggestion(texts.SETTINGS_TZ_SUGGEST, cleaned, suggestions[:3])
    raise InputError(texts.SETTINGS_TZ_BAD, value=cleaned)
