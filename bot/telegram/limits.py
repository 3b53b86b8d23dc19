"""Telegram's length limits, in UTF-16 code units as Telegram counts them, in one place.

Every outgoing text is measured here: a message (4,096), a caption (1,024), the message an
inline result shares (4,096), a callback answer's alert (200). Telegram counts the text after
HTML tags are removed and entities decoded, and an emoji outside the BMP counts twice.
"""

from __future__ import annotations

import html
import re

MESSAGE = 4096
CAPTION = 1024
INLINE_MESSAGE = 4096
CALLBACK_ANSWER = 200
#: Callback data is counted in UTF-8 bytes, not UTF-16 units.
CALLBACK_DATA_BYTES = 64

_TAGS = re.compile(r"<[^>]+>")


def utf16_units(text: str) -> int:
    """Length of plain text in UTF-16 code units."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def visible_units(html_text: str) -> int:
    """Length Telegram counts for an HTML text: tags removed, entities decoded, UTF-16 units."""
    return utf16_units(html.unescape(_TAGS.sub("", html_text)))


def clip(text: str, limit: int, ellipsis: str = "…") -> str:
    """Plain text cut to at most limit UTF-16 units (ellipsis included), never inside a
    surrogate pair; unchanged when it fits."""
    if utf16_units(text) <= limit:
        return text
    budget = max(0, limit - utf16_units(ellipsis))
    out: list[str] = []
    used = 0
    for ch in text:
        size = 2 if ord(ch) > 0xFFFF else 1
        if used + size > budget:
            break
        out.append(ch)
        used += size
    return "".join(out).rstrip() + ellipsis


def fits(html_text: str, limit: int) -> bool:
    return visible_units(html_text) <= limit
