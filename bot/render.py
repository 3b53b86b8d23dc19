"""Render helpers for Telegram HTML: escaping, splitting long texts, safe callback data."""

from __future__ import annotations

import html
import re

MAX_MESSAGE_CHARS = 4096
MAX_CAPTION_CHARS = 1024
MAX_CALLBACK_BYTES = 64

_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")


def escape(text: str) -> str:
    """Escape text for Telegram's HTML parse mode (quotes stay readable)."""
    return html.escape(text, quote=False)


def visible_length(html_text: str) -> int:
    """Length Telegram counts: the text after tags are removed and entities decoded, in UTF-16
    code units (an emoji outside the BMP counts twice)."""
    return _utf16_units(html.unescape(re.sub(r"<[^>]+>", "", html_text)))


def _utf16_units(text: str) -> int:
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


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
    return chunks


def _split_long_block(block: str, limit: int) -> list[str]:
    sentences = _SENTENCE_END.split(block)
    out: list[str] = []
    current = ""
    for sentence in sentences:
        for part in _hard_wrap(sentence, limit):
            candidate = f"{current} {part}" if current else part
            if visible_length(candidate) <= limit:
                current = candidate
            else:
                if current:
                    out.append(current)
                current = part
    if current:
        out.append(current)
    return out


def _hard_wrap(sentence: str, limit: int) -> list[str]:
    """Break a single over-long sentence at spaces, or anywhere outside tags/entities."""
    if visible_length(sentence) <= limit:
        return [sentence]
    tokens = re.findall(r"<[^>]+>|&[#a-zA-Z0-9]+;|\s+|[^<&\s]", sentence)
    out: list[str] = []
    current: list[str] = []
    count = 0
    for token in tokens:
        size = 0 if token.startswith("<") else 1 if token.startswith("&") else _utf16_units(token)
        if count + size > limit and current:
            out.append("".join(current).strip())
            current, count = [], 0
        current.append(token)
        count += size
    if current:
        out.append("".join(current).strip())
    return [o for o in out if o]


def callback_data(*parts: str | int) -> str:
    """Join parts with ':' and refuse anything over Telegram's 64-byte limit."""
    data = ":".join(str(p) for p in parts)
    if len(data.encode("utf-8")) > MAX_CALLBACK_BYTES:
        raise ValueError(f"callback data over {MAX_CALLBACK_BYTES} bytes: {data[:20]}...")
    return data


def truncate(text: str, limit: int) -> str:
    """Shorten plain text to limit characters with an ellipsis."""
    return text if len(text) <= limit else text[: max(0, limit - 1)].rstrip() + "…"
