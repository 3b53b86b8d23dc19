"""Render helpers for Telegram HTML: escaping, splitting long texts, safe callback data."""

from __future__ import annotations

import html
import re
from collections.abc import Callable

from bot.telegram import limits
from bot.telegram.limits import utf16_units as _utf16_units
from bot.telegram.limits import visible_units

#: Telegram's limits (UTF-16 units; see bot/telegram/limits.py), under their older names.
MAX_MESSAGE_CHARS = limits.MESSAGE
MAX_CAPTION_CHARS = limits.CAPTION
MAX_CALLBACK_BYTES = limits.CALLBACK_DATA_BYTES

_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")


def escape(text: str) -> str:
    """Escape text for Telegram's HTML parse mode (quotes stay readable)."""
    return html.escape(text, quote=False)


def visible_length(html_text: str) -> int:
    """Length Telegram counts: the text after tags are removed and entities decoded, in UTF-16
    code units (an emoji outside the BMP counts twice)."""
    return visible_units(html_text)


def split_message(html_text: str, limit: int = MAX_MESSAGE_CHARS) -> list[str]:
    """Split HTML into chunks within limit, at paragraph, then sentence, then word boundaries.

    Tags are never split: a chunk boundary only falls between blocks that are balanced
    on their own (each paragraph of our rendered texts is), so every chunk still parses.
    """
    if visible_length(html_text) <= limit:
        return [html_text]
    pieces: list[str] = []
    for para in html_text.split("\n\n"):
        if visible_length(para) <= limit:
            pieces.append(para)
            continue
        pieces.extend(_split_long_block(para, limit))
    chunks: list[str] = []
    current = ""
    for piece in pieces:
        candidate = f"{current}\n\n{piece}" if current else piece
        if visible_length(candidate) <= limit:
            current = candidate
        else:
            if current:
                chunks.append(current)
            current = piece
    if current:
        chunks.append(current)
    return _rebalance(chunks)


_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)[^>]*>")


def _rebalance(chunks: list[str]) -> list[str]:
    """Close tags still open at the end of a chunk and reopen them at the start of the next.

    A formatted span longer than the limit (or a sentence split inside <b>...</b>) would
    otherwise leave chunks Telegram refuses; tags do not count towards the limit.
    """
    out: list[str] = []
    open_tags: list[tuple[str, str]] = []  # (name, the full opening tag)
    for chunk in chunks:
        prefix = "".join(tag for _, tag in open_tags)
        for m in _TAG.finditer(chunk):
            name = m.group(2).lower()
            if m.group(1):
                for i in range(len(open_tags) - 1, -1, -1):
                    if open_tags[i][0] == name:
                        del open_tags[i]
                        break
            elif not m.group(0).endswith("/>"):
                open_tags.append((name, m.group(0)))
        suffix = "".join(f"</{name}>" for name, _ in reversed(open_tags))
        out.append(prefix + chunk + suffix)
    return out


def _split_long_block(block: str, limit: int) -> list[str]:
    """Pack the block's sentences (keeping the whitespace between them) into chunks."""
    return _pack(re.split(r"(?<=[.!?…])(\s+)", block), limit, _hard_wrap)


def _hard_wrap(sentence: str, limit: int) -> list[str]:
    """Break a single over-long sentence at spaces; a word longer than limit is cut anywhere
    outside tags/entities."""
    if visible_length(sentence) <= limit:
        return [sentence]
    # Words are runs of tags and non-space characters (a tag may contain spaces).
    return _pack(re.split(r"((?:\s(?![^<]*>))+)", sentence), limit, _cut_word)


def _pack(tokens: list[str], limit: int, too_long: Callable[[str, int], list[str]]) -> list[str]:
    """tokens alternate text, separator, text, ...; join texts (with their separators) into
    chunks within limit, handing any text that alone exceeds limit to too_long."""
    out: list[str] = []
    current = ""
    sep = ""
    for i, token in enumerate(tokens):
        if i % 2 == 1:
            sep = token
            continue
        if not token:
            continue
        parts = too_long(token, limit) if visible_length(token) > limit else [token]
        for part in parts:
            candidate = f"{current}{sep}{part}" if current else part
            if visible_length(candidate) <= limit:
                current = candidate
            else:
                if current:
                    out.append(current)
                current = part
            sep = " "
    if current:
        out.append(current)
    return [o.strip() for o in out if o.strip()]


def _cut_word(word: str, limit: int) -> list[str]:
    """Cut an over-long word into pieces within limit, never inside a tag or an entity."""
    tokens = re.findall(r"<[^>]+>|&[#a-zA-Z0-9]+;|[^<&]|[<&]", word)
    out: list[str] = []
    current: list[str] = []
    count = 0
    for token in tokens:
        size = 0 if token.startswith("<") and token.endswith(">") and len(token) > 1 else 1
        if size and not token.startswith("&"):
            size = _utf16_units(token)
        if count + size > limit and current:
            out.append("".join(current))
            current, count = [], 0
        current.append(token)
        count += size
    if current:
        out.append("".join(current))
    return out


def callback_data(*parts: str | int) -> str:
    """Join parts with ':' and refuse anything over Telegram's 64-byte limit."""
    data = ":".join(str(p) for p in parts)
    if len(data.encode("utf-8")) > MAX_CALLBACK_BYTES:
        raise ValueError(f"callback data over {MAX_CALLBACK_BYTES} bytes: {data[:20]}...")
    return data


def truncate(text: str, limit: int) -> str:
    """Shorten plain text to limit UTF-16 units (what Telegram counts) with an ellipsis."""
    return limits.clip(text, limit)
