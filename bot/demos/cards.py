"""Demonstrations: parsing and validating admin input, rendering cards and their buttons (pure)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.demos import intake
from bot.demos.intake import link_problem
from bot.demos.timeparse import InputError, parse_when
from bot.demos.zones import match_zone
from bot.i18n import texts
from bot.i18n.translate import t
from bot.telegram.render import callback_data, escape
from storage.demos import Demo, NewDemo

MAX_TITLE = 120
MAX_PLACE = 200
MAX_DESCRIPTION = 1500
MAX_DETAILS = 1000
MAX_LINK = intake.MAX_LINK
MAX_REGION = 40

_REGION_RE = re.compile(r"^[\w][\w \-']*$", re.UNICODE)
CLEAR = "-"  # /editdemo value that clears an optional field

# field name users type -> (column, required?)
EDIT_FIELDS: dict[str, str] = {
    "when": "starts_at",
    "date": "starts_at",
    "time": "starts_at",
    "place": "place",
    "title": "title",
    "description": "description",
    "link": "link",
    "region": "region",
    "details": "details",
    "zone": "timezone",
    "timezone": "timezone",
}
# What an empty /editdemo value may not clear, and the name the refusal uses.
REQUIRED = {"starts_at": "when", "place": "place", "title": "title", "timezone": "zone"}


def clean_text(value: str, *, field: str, limit: int, missing: str | None = None) -> str:
    """Collapse whitespace; InputError if empty (when required) or longer than limit."""
    cleaned = " ".join(value.split())
    if not cleaned and missing is not None:
        raise InputError(missing)
    if len(cleaned) > limit:
        raise InputError(texts.ERR_TOO_LONG, field=field, limit=limit)
    return cleaned


def clean_multiline(value: str, *, field: str, limit: int) -> str:
    """Keep line breaks (descriptions, details) but trim each line."""
    cleaned = "\n".join(" ".join(line.split()) for line in value.strip().splitlines()).strip()
    if len(cleaned) > limit:
        raise InputError(texts.ERR_TOO_LONG, field=field, limit=limit)
    return cleaned


def clean_link(value: str) -> str | None:
    """The same rule as feeds and `import` (bot/demos/intake.py): http, https or tg only."""
    cleaned = value.strip()
    if not cleaned or cleaned == CLEAR:
        return None
    if len(cleaned) > MAX_LINK:
        raise InputError(texts.ERR_TOO_LONG, field="link", limit=MAX_LINK)
    if link_problem(cleaned) is not None:
        raise InputError(texts.ERR_BAD_LINK, value=cleaned[:60])
    return cleaned


def clean_region(value: str) -> str | None:
    """A region's one stored form: lower case, '-' and '_' read as spaces ('North-West' and
    'north west' are the same region everywhere); None for off; InputError if malformed."""
    cleaned = " ".join(value.replace("-", " ").replace("_", " ").split()).casefold()
    if not cleaned or cleaned in (CLEAR, "off", "none", "all"):
        return None
    if len(cleaned) > MAX_REGION or not _REGION_RE.match(cleaned):
        raise InputError(texts.ERR_REGION_BAD, limit=MAX_REGION)
    return cleaned


def parse_adddemo(text: str, tz: ZoneInfo, now: datetime) -> NewDemo:
    """`when | place | title | link [| region]` -> NewDemo, or InputError naming the problem."""
    parts = [p.strip() for p in text.split("|")]
    if len(parts) > 5:
        raise InputError(texts.ERR_TOO_MANY_PARTS)
    parts += [""] * (5 - len(parts))
    when_text, place, title, link, region = parts
    starts_at = parse_when(when_text, tz, now)
    return NewDemo(
        starts_at=starts_at,
        place=clean_text(place, field="place", limit=MAX_PLACE, missing=texts.ERR_PLACE_MISSING),
        title=clean_text(title, field="title", limit=MAX_TITLE, missing=texts.ERR_TITLE_MISSING),
        link=clean_link(link),
        region=clean_region(region),
    )


@dataclass(frozen=True)
class Edit:
    """A validated /editdemo change: one column and its new value (and columns that follow it,
    e.g. a new venue zone keeps the local time, so the start moves too)."""

    column: str
    value: Any
    extra: tuple[tuple[str, Any], ...] = ()

    def fields(self) -> dict[str, Any]:
        return {self.column: self.value, **dict(self.extra)}


def parse_edit(field: str, value: str, tz: ZoneInfo, now: datetime) -> Edit:
    """Validate `/editdemo <id> <field> <value>` (times read in tz, the venue's zone);
    InputError (or KeyError for unknown fields). Required fields cannot be cleared."""
    column = EDIT_FIELDS[field.casefold()]
    if column in REQUIRED and value.strip() in (CLEAR, ""):
        raise InputError(texts.ERR_REQUIRED, field=REQUIRED[column])
    if column == "timezone":
        return Edit(column, match_zone(value, now))
    if column == "starts_at":
        return Edit(column, parse_when(value, tz, now))
    if column == "place":
        return Edit(
            column,
            clean_text(value, field="place", limit=MAX_PLACE, missing=texts.ERR_PLACE_MISSING),
        )
    if column == "title":
        return Edit(
            column,
            clean_text(value, field="title", limit=MAX_TITLE, missing=texts.ERR_TITLE_MISSING),
        )
    if column == "description":
        v = "" if value.strip() == CLEAR else value
        return Edit(column, clean_multiline(v, field="description", limit=MAX_DESCRIPTION))
    if column == "details":
        v = "" if value.strip() == CLEAR else value
        return Edit(column, clean_multiline(v, field="details", limit=MAX_DETAILS) or None)
    if column == "link":
        return Edit(column, clean_link(value))
    return Edit(column, clean_region(value))


# --- rendering ------------------------------------------------------------------------------
def _fmt(when: datetime, tz: ZoneInfo, lang: str, pattern: str, fallback: str) -> str:
    from babel.dates import format_datetime

    local = when.astimezone(tz)
    try:
        return str(format_datetime(local, pattern, locale=lang))
    except Exception:  # an unknown locale must not break a reminder
        return local.strftime(fallback)


def format_when(when: datetime, tz: ZoneInfo, lang: str, venue: ZoneInfo | None = None) -> str:
    """In the venue's zone, with the chat's own time in brackets when it differs:
    'Sat 5 Dec 2026, 14:00 Europe/London (16:00 Europe/Kyiv)'; with no venue zone, or the
    same one, 'Sat 5 Dec 2026, 14:00 (Europe/London)'."""
    if venue is None or venue.key == tz.key:
        return f"{_fmt(when, tz, lang, 'EEE d MMM y, HH:mm', '%a %d %b %Y, %H:%M')} ({tz.key})"
    there = _fmt(when, venue, lang, "EEE d MMM y, HH:mm", "%a %d %b %Y, %H:%M")
    same_day = when.astimezone(venue).date() == when.astimezone(tz).date()
    here = (
        _fmt(when, tz, lang, "HH:mm", "%H:%M")
        if same_day
        else _fmt(when, tz, lang, "EEE d MMM, HH:mm", "%a %d %b, %H:%M")
    )
    return f"{there} {venue.key} ({here} {tz.key})"


def venue_zone(demo: Demo) -> ZoneInfo | None:
    """The demo's venue zone, if it has a valid one."""
    if not demo.timezone:
        return None
    try:
        return ZoneInfo(demo.timezone)
    except (ValueError, KeyError, OSError):
        return None


def when_text(demo: Demo, tz: ZoneInfo, lang: str) -> str:
    """When the demo starts, for a chat in tz: venue time first (see format_when)."""
    return format_when(demo.starts_at, tz, lang, venue_zone(demo))


def cancelled_notice(demo: Demo, tz: ZoneInfo, lang: str) -> str:
    """The notice that demo was cancelled, with its reason, for a chat in tz."""
    when = when_text(demo, tz, lang)
    reason = demo.cancel_reason or ""
    return t(lang, texts.NOTICE_CANCELLED, title=demo.title, when=when, reason=reason).rstrip()


def short_when(when: datetime, tz: ZoneInfo, lang: str, *, time_only: bool = False) -> str:
    """'Sun 6 Dec 15:00' (or '16:00') in tz: the two sides of a time change."""
    if time_only:
        return _fmt(when, tz, lang, "HH:mm", "%H:%M")
    return _fmt(when, tz, lang, "EEE d MMM HH:mm", "%a %d %b %H:%M")


def lead_phrase(lang: str, minutes: int) -> str:
    """1560 -> '1 day 2 hours' in lang."""
    from bot.i18n.translate import tn

    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = []
    if days:
        parts.append(tn(lang, texts.LEAD_DAYS, texts.LEAD_DAYS_PLURAL, days))
    if hours:
        parts.append(tn(lang, texts.LEAD_HOURS, texts.LEAD_HOURS_PLURAL, hours))
    if mins:
        parts.append(tn(lang, texts.LEAD_MINUTES, texts.LEAD_MINUTES_PLURAL, mins))
    return " ".join(parts)


def render_card(
    demo: Demo, lang: str, tz: ZoneInfo, *, details: bool = False, number: bool = True
) -> str:
    """One demonstration as HTML; practical details only when details=True (private RSVPs)."""
    lines = [f"<b>{escape(demo.title)}</b>"]
    lines.append(t(lang, texts.DEMO_WHEN, when=when_text(demo, tz, lang)))
    lines.append(t(lang, texts.DEMO_PLACE, place=demo.place))
    if demo.cancelled:
        lines.append(t(lang, texts.DEMO_CANCELLED, reason=demo.cancel_reason or ""))
    if demo.description:
        lines.append(escape(demo.description))
    if demo.link:
        href = escape(demo.link).replace('"', "&quot;")
        lines.append(f'🔗 <a href="{href}">{escape(demo.link)}</a>')
    if details and demo.details:
        lines.append(t(lang, texts.DEMO_DETAILS, details=demo.details))
    if number:
        lines.append(t(lang, texts.DEMO_NUMBER, id=demo.id))
    return "\n".join(lines)


def going_label(lang: str, count: int, demo_id: int | None = None) -> str:
    label = t(lang, texts.BUTTON_GOING, n=count)
    return f"#{demo_id} {label}" if demo_id is not None else label


def demo_buttons(
    demo: Demo, lang: str, count: int, *, in_list: bool = False
) -> list[InlineKeyboardButton]:
    """Going, Can't go and calendar for one demo (labelled with its number inside a list)."""
    if in_list:
        return [
            InlineKeyboardButton(
                going_label(lang, count, demo.id),
                callback_data=callback_data("demo", "rsvp", demo.id, "l"),
            ),
            InlineKeyboardButton(
                f"#{demo.id} " + t(lang, texts.BUTTON_CANT_GO),
                callback_data=callback_data("demo", "cant", demo.id, "l"),
            ),
            InlineKeyboardButton(
                f"📅 #{demo.id}", callback_data=callback_data("demo", "ics", demo.id)
            ),
        ]
    return [
        InlineKeyboardButton(
            going_label(lang, count), callback_data=callback_data("demo", "rsvp", demo.id)
        ),
        InlineKeyboardButton(
            t(lang, texts.BUTTON_CANT_GO), callback_data=callback_data("demo", "cant", demo.id)
        ),
        InlineKeyboardButton(
            t(lang, texts.BUTTON_CALENDAR), callback_data=callback_data("demo", "ics", demo.id)
        ),
    ]


def demo_keyboard(demo: Demo, lang: str, count: int) -> InlineKeyboardMarkup | None:
    """Going and Can't go on one row, Add to calendar below; none for a cancelled demo."""
    if demo.cancelled:
        return None
    buttons = demo_buttons(demo, lang, count)
    return InlineKeyboardMarkup([buttons[:2], buttons[2:]])


def list_page(
    demos: list[Demo],
    counts: dict[int, int],
    lang: str,
    tz: ZoneInfo,
    page: int,
    pages: int,
) -> tuple[str, InlineKeyboardMarkup | None]:
    """A /demos page: header, cards, one button row per demo, then ◀ ▶."""
    header = t(lang, texts.DEMOS_HEADER, page=page + 1, pages=pages)
    body = "\n\n".join(render_card(d, lang, tz) for d in demos)
    rows = [demo_buttons(d, lang, counts.get(d.id, 0), in_list=True) for d in demos]
    nav = []
    if page > 0:
        nav.append(
            InlineKeyboardButton(
                t(lang, texts.BUTTON_PREV), callback_data=callback_data("demo", "page", page - 1)
            )
        )
    if page + 1 < pages:
        nav.append(
            InlineKeyboardButton(
                t(lang, texts.BUTTON_NEXT), callback_data=callback_data("demo", "page", page + 1)
            )
        )
    if nav:
        rows.append(nav)
    return f"{header}\n\n{body}", InlineKeyboardMarkup(rows) if rows else None


def relabel_going(
    markup: InlineKeyboardMarkup | None, demo_id: int, lang: str, count: int
) -> InlineKeyboardMarkup | None:
    """The same keyboard with the Going button(s) of demo_id showing the new count."""
    if markup is None:
        return None
    single = callback_data("demo", "rsvp", demo_id)
    listed = callback_data("demo", "rsvp", demo_id, "l")
    rows = []
    for row in markup.inline_keyboard:
        new_row = []
        for button in row:
            if button.callback_data == single:
                button = InlineKeyboardButton(going_label(lang, count), callback_data=single)
            elif button.callback_data == listed:
                button = InlineKeyboardButton(
                    going_label(lang, count, demo_id), callback_data=listed
                )
            new_row.append(button)
        rows.append(new_row)
    return InlineKeyboardMarkup(rows)


def error_text(lang: str, error: InputError) -> str:
    """Render an InputError for the user."""
    return t(lang, error.text, **error.values)


__all__ = [
    "Edit",
    "InputError",
    "clean_link",
    "clean_region",
    "demo_keyboard",
    "error_text",
    "list_page",
    "parse_adddemo",
    "parse_edit",
    "render_card",
]
