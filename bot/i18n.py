"""Translate and render the bot's own texts (gettext catalogs), escaping every argument for HTML."""

from __future__ import annotations

import gettext
import html
from functools import lru_cache
from importlib import resources
from typing import Any

SUPPORTED_LANGUAGES: tuple[str, ...] = ("en", "uk", "fr", "de", "es", "ar")
DEFAULT_LANGUAGE = "en"
DOMAIN = "messages"


class Markup(str):
    """A string that is already safe Telegram HTML and must not be escaped again."""

    __slots__ = ()


def N_(message: str) -> str:
    """Mark a string for extraction into the catalogs without translating it here."""
    return message


def normalize_language(code: str | None) -> str | None:
    """Map a Telegram language_code ("pt-br", "uk", "en-GB") to a supported language or None."""
    if not code:
        return None
    base = code.replace("_", "-").split("-", 1)[0].lower()
    return base if base in SUPPORTED_LANGUAGES else None


@lru_cache(maxsize=len(SUPPORTED_LANGUAGES) + 1)
def translations(lang: str) -> gettext.NullTranslations:
    """The compiled catalog for lang, or the identity translation for English and unknowns."""
    if lang not in SUPPORTED_LANGUAGES or lang == DEFAULT_LANGUAGE:
        return gettext.NullTranslations()
    locales = resources.files("bot") / "locales"
    mo = locales / lang / "LC_MESSAGES" / f"{DOMAIN}.mo"
    if not mo.is_file():
        return gettext.NullTranslations()
    with mo.open("rb") as fh:
        return gettext.GNUTranslations(fh)


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
