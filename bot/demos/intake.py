"""One validation for every way demonstration data enters: commands, feeds and `import`.

The limits are the commands' own (bot/demos/cards.py); this module adds the rules every
entrance shares: which links are safe to store and show, and which dates the bot can render.
"""

from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import urlsplit

#: Schemes a stored link may have: web links, and Telegram's own (tg://resolve?domain=...).
LINK_SCHEMES = ("http", "https", "tg")
MAX_LINK = 400
#: Years a demonstration may be in: the calendar (.ics), reminders and formatting all work
#: here; year 9999 made /calendar fail for every member (a date overflow).
MIN_YEAR = 1970
MAX_YEAR = 2100

_UNSAFE = re.compile(r"[\s\x00-\x1f\x7f\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]")


def link_problem(link: str) -> str | None:
    """Why link may not be stored (a short English reason), or None if it is fine.

    A web link needs a host with a dot; no link may contain spaces, control or invisible
    characters; ``javascript:``, ``data:``, ``file:`` and every other scheme are refused.
    """
    if len(link) > MAX_LINK:
        return f"longer than {MAX_LINK} characters"
    if _UNSAFE.search(link):
        return "contains spaces or invisible characters"
    try:
        parts = urlsplit(link)
        host = parts.hostname
    except ValueError:
        return "not a link"
    scheme = parts.scheme.lower()
    if scheme not in LINK_SCHEMES or not link.lower().startswith(f"{scheme}://"):
        return "must start with http://, https:// or tg://"
    if scheme == "tg":
        return None if host else "a tg:// link needs a target"
    if not host or "." not in host or host.startswith(".") or parts.username or parts.password:
        return "not a web address"
    return None


def safe_link(value: object) -> str | None:
    """The link stripped if it may be stored, else None (feeds drop a bad link quietly)."""
    link = str(value or "").strip()
    return link if link and link_problem(link) is None else None


def year_problem(when: datetime) -> str | None:
    if not MIN_YEAR <= when.year <= MAX_YEAR:
        return f"the year must be between {MIN_YEAR} and {MAX_YEAR}"
    return None
