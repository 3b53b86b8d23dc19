"""Translate and render the bot's own texts (gettext catalogs), escaping every argument for HTML.

Catalogs are the gettext ``.po`` files in ``bot/locales/<lang>/LC_MESSAGES/messages.po``. They are
read at runtime with Babel and compiled in memory (once per language, cached), so a fresh install
needs no separate compile step and there are no ``.mo`` files to keep in sync. Untranslated and
fuzzy entries fall back to English. ``scripts/i18n.py`` extracts and updates the catalogs.

Dates and times for people: :func:`format_when`, :func:`format_date`, :func:`format_time`
(Babel, in the chat's time zone and the chat's language).
"""

from __future__ import annotations

import gettext
import html
import io
import logging
from datetime import UTC, date, datetime, tzinfo
from functools import lru_cache
from importlib import resources
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale

log = logging.getLogger(__name__)

SUPPORTED_LANGUAGES: tuple[str, ...] = ("en", "uk", "fr", "de", "es", "ar")
DEFAULT_LANGUAGE = "en"
DOMAIN = "messages"
RTL_LANGUAGES: frozenset[str] = frozenset({"ar"})

# Each language's name in itself, for the /language buttons.
LANGUAGE_NAMES: dict[str, str] = {
    "en": "English",
    "uk": "Українська",
    "fr": "Français",
    "de": "Deutsch",
    "es": "Español",
    "ar": "العربية",
}
LANGUAGE_FLAGS: dict[str, str] = {
    "en": "🇬🇧",
    "uk": "🇺🇦",
    "fr": "🇫🇷",
    "de": "🇩🇪",
    "es": "🇪🇸",
    "ar": "🇵🇸",
}


class Markup(str):
    """A string that is already safe Telegram HTML and must not be escaped again."""

    __slots__ = ()


def N_(message: str) -> str:
    """Mark a string for extraction into the catalogs without translating it here."""
    return message


def NP_(singular: str, plural: str) -> tuple[str, str]:
    """Mark a plural pair for extraction as one entry: ``ONE, MANY = NP_("{n} day", "{n} days")``.

    Render with ``tn(lang, ONE, MANY, n)``; each language then gets all its plural forms.
    """
    return singular, plural


def normalize_language(code: str | None) -> str | None:
    """Map a Telegram language_code ("pt-br", "uk", "en-GB") to a supported language or None."""
    if not code:
        return None
    base = code.replace("_", "-").split("-", 1)[0].lower()
    return base if base in SUPPORTED_LANGUAGES else None


def is_rtl(lang: str | None) -> bool:
    """True for languages written right to left (Arabic)."""
    return (lang or DEFAULT_LANGUAGE) in RTL_LANGUAGES


def catalog_path(lang: str) -> Any:
    """The packaged .po file of lang (an importlib.resources Traversable)."""
    return resources.files("bot") / "locales" / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


@lru_cache(maxsize=len(SUPPORTED_LANGUAGES) + 1)
def translations(lang: str) -> gettext.NullTranslations:
    """The catalog for lang compiled in memory, or the identity translation for English/unknowns.

    A missing or unreadable catalog is logged and treated as English rather than breaking replies.
    """
    if lang not in SUPPORTED_LANGUAGES or lang == DEFAULT_LANGUAGE:
        return gettext.NullTranslations()
    po = catalog_path(lang)
    if not po.is_file():
        log.warning("no catalog for language %s; falling back to English", lang)
        return gettext.NullTranslations()
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    try:
        with po.open("rb") as fh:
            catalog = read_po(fh, locale=lang, domain=DOMAIN)
        buf = io.BytesIO()
        write_mo(buf, catalog, use_fuzzy=False)  # fuzzy and empty entries stay English
        buf.seek(0)
        return gettext.GNUTranslations(buf)
    except Exception as exc:  # a broken catalog must never take the bot down
        log.error("catalog for %s is unreadable (%s); falling back to English", lang, exc)
        return gettext.NullTranslations()


def load_catalogs() -> None:
    """Compile every catalog now (blocking: call it in a thread), so no reply waits for one."""
    for lang in SUPPORTED_LANGUAGES:
        translations(lang)


def reload_catalogs() -> None:
    """Forget cached catalogs (after scripts/i18n.py changed them, or in tests)."""
    translations.cache_clear()


def _escape_args(kwargs: dict[str, Any]) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in kwargs.items():
        if isinstance(value, Markup):
            out[key] = str(value)
        else:
            out[key] = html.escape(str(value), quote=False)
    return out


def t(lang: str | None, message: str, **kwargs: Any) -> str:
    """Translate message into lang and fill its {placeholders} with HTML-escaped values."""
    translated = translations(lang or DEFAULT_LANGUAGE).gettext(message)
    return translated.format(**_escape_args(kwargs)) if kwargs else translated


def tn(lang: str | None, singular: str, plural: str, n: int, **kwargs: Any) -> str:
    """Like t, choosing the plural form for n by the language's own rules; {n} is available."""
    translated = translations(lang or DEFAULT_LANGUAGE).ngettext(singular, plural, n)
    return translated.format(**_escape_args({"n": n, **kwargs}))


# --- dates and times ----------------------------------------------------------------------------
# babel.dates is imported on first use (about 25 ms that start-up does not need).


def _locale(lang: str | None) -> Locale:
    return Locale.parse(lang if lang in SUPPORTED_LANGUAGES else DEFAULT_LANGUAGE)


def _zone(tz_name: str | None) -> tzinfo:
    if not tz_name:
        return UTC
    try:
        return ZoneInfo(tz_name)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def _local(dt_utc: datetime, tz_name: str | None) -> datetime:
    if dt_utc.tzinfo is None:
        raise ValueError("format_when needs an aware datetime (UTC inside the bot)")
    return dt_utc.astimezone(_zone(tz_name))


def format_when(dt_utc: datetime, tz_name: str | None, lang: str | None) -> str:
    """Weekday, date and time of day in the chat's zone and language.

    "Saturday, November 21, 2026, 8:30 PM" (en), "субота, 21 листопада 2026 р., 20:30" (uk),
    "السبت، 21 نوفمبر 2026، 8:30 م" (ar). Plain text: escape it (t() does) before HTML use.
    """
    from babel import dates as babel_dates

    loc = _locale(lang)
    local = _local(dt_utc, tz_name)
    day = babel_dates.format_date(local.date(), format="full", locale=loc)
    time = babel_dates.format_time(local, format="short", locale=loc)
    pattern = str(babel_dates.get_datetime_format("long", locale=loc))
    return pattern.replace("{1}", day).replace("{0}", time)


def format_date(value: datetime | date, tz_name: str | None, lang: str | None) -> str:
    """Weekday and date ("Saturday, November 21, 2026"); a datetime is first moved to tz_name."""
    from babel import dates as babel_dates

    loc = _locale(lang)
    day = _local(value, tz_name).date() if isinstance(value, datetime) else value
    return babel_dates.format_date(day, format="full", locale=loc)


def format_time(dt_utc: datetime, tz_name: str | None, lang: str | None) -> str:
    """Time of day in the chat's zone ("8:30 PM", "20:30")."""
    from babel import dates as babel_dates

    return babel_dates.format_time(_local(dt_utc, tz_name), format="short", locale=_locale(lang))


def format_number(n: int | float, lang: str | None) -> str:
    """A number with the locale's grouping ("1,234", "1 234", "1.234")."""
    from babel.numbers import format_decimal

    return format_decimal(n, locale=_locale(lang))
