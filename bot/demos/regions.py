"""Regions: the known list (demos, chats, feeds), loose matching with "did you mean", and the
``region=NAME`` prefix of /announce (quoted multi-word names, hyphens for spaces)."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from dataclasses import dataclass

from bot.demos.cards import clean_region
from bot.demos.timeparse import InputError
from bot.i18n import texts
from bot.i18n.translate import t

#: how alike (0-100, rapidfuzz WRatio on the folded name) a known region must be to be
#: suggested: a typo ("londn") or a part of the name ("north" for "north west")
SUGGEST_CUTOFF = 85
MAX_SUGGESTIONS = 3

# `region=` then a quoted value ("…", '…', “…”, «…»; in HTML the straight quotes arrive as
# entities) or one bare word (letters, digits, '-', '_').
_QUOTES = (
    ("&quot;", "&quot;"),
    ("&#x27;", "&#x27;"),
    ('"', '"'),
    ("'", "'"),
    ("“", "”"),
    ("«", "»"),
)
_PREFIX = re.compile(r"^\s*region\s*=", re.IGNORECASE)
_BARE = re.compile(r"[\w-]{1,80}(?=\s|$)", re.UNICODE)


def region_key(name: str) -> str:
    """The form spellings of one region share: 'North-West', 'north_west ' -> 'north west'."""
    return " ".join(name.replace("-", " ").replace("_", " ").split()).casefold()


@dataclass(frozen=True)
class RegionMatch:
    """A typed region resolved against the known ones."""

    region: str | None  # the known spelling when it matched, else the cleaned input (None: off)
    known: bool  # True when it matched a known region (or is "off")
    suggestions: tuple[str, ...] = ()  # close known regions when it did not match


def match_region(value: str, known: Iterable[str]) -> RegionMatch:
    """Resolve a typed region: exact or same-key match, else the closest known names.

    InputError when the value is not a region at all (see cards.clean_region).
    """
    cleaned = clean_region(value)
    if cleaned is None:
        return RegionMatch(None, True)
    by_key = {region_key(k): k for k in known}
    key = region_key(cleaned)
    if key in by_key:
        return RegionMatch(by_key[key], True)
    from rapidfuzz import fuzz, process  # on first use: not needed at start-up

    found = process.extract(
        key, list(by_key), scorer=fuzz.WRatio, limit=MAX_SUGGESTIONS, score_cutoff=SUGGEST_CUTOFF
    )
    return RegionMatch(cleaned, False, tuple(by_key[k] for k, _score, _i in found))


def split_region_prefix(text_html: str) -> tuple[str | None, str]:
    """``region=NAME rest`` -> (NAME, rest); text without the prefix -> (None, text).

    NAME is one word (``north-west``) or quoted (``"north west"``). A ``region=`` that is
    empty, unclosed or not a region name raises InputError, so a typo is never taken as the
    message and sent to everyone.
    """
    m = _PREFIX.match(text_html)
    if m is None:
        return None, text_html
    rest = text_html[m.end() :]
    for opening, closing in _QUOTES:
        if rest.startswith(opening):
            end = rest.find(closing, len(opening))
            if end < 0:
                raise InputError(texts.ERR_REGION_SYNTAX)
            raw, after = rest[len(opening) : end], rest[end + len(closing) :]
            if after and not after[0].isspace():
                raise InputError(texts.ERR_REGION_SYNTAX)
            break
    else:
        bare = _BARE.match(rest)
        if bare is None:
            raise InputError(texts.ERR_REGION_SYNTAX)
        raw, after = bare.group(0), rest[bare.end() :]
    region = clean_region(html.unescape(raw))
    if region is None:
        raise InputError(texts.ERR_REGION_SYNTAX)
    return region, after


def unknown_region_text(lang: str, match: RegionMatch) -> str:
    """ "I don't know the region “londn”. Did you mean london?" (or that nothing uses it)."""
    if match.suggestions:
        names = ", ".join(f"“{name}”" for name in match.suggestions)
        return t(lang, texts.REGION_SUGGEST, region=match.region or "", suggestions=names)
    return t(lang, texts.REGION_UNKNOWN, region=match.region or "")
