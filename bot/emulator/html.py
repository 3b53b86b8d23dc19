"""Telegram's HTML parse mode, strictly: returns the plain text and MessageEntity dicts.

Mirrors the rules of TDLib's ``parse_html``. It is deliberately a bit stricter than Telegram
on one point: unknown named entities (``&nbsp;``) are an error here, because Telegram would
show them literally, which is never what the bot means.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

_SIMPLE_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
}
_ALL_TAGS = {*_SIMPLE_TAGS, "a", "span", "tg-emoji"}
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_TAG_NAME = re.compile(r"[A-Za-z0-9-]*")
_ATTR = re.compile(r"\s*([A-Za-z0-9_-]+)\s*(?:=\s*(\"[^\"]*\"|'[^']*'|[^\s\"'>]+))?")
_ENTITY = re.compile(r"&(#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6}|[A-Za-z][A-Za-z0-9]{0,31});")


class HtmlParseError(ValueError):
    """The text is not valid Telegram HTML; ``str(exc)`` is Telegram's description tail."""


@dataclass
class _Open:
    name: str
    offset: int  # in UTF-16 units of the parsed text
    attrs: dict[str, str] = field(default_factory=dict)


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit Telegram counts offsets and lengths in."""
    return len(text.encode("utf-16-le")) // 2


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


def _decode_entities(raw: str, base: int, source: str) -> str:
    def repl(m: re.Match[str]) -> str:
        name = m.group(1)
        if name.startswith(("#x", "#X")):
            return chr(int(name[2:], 16))
        if name.startswith("#"):
            return chr(int(name[1:]))
        if name in _NAMED_ENTITIES:
            return _NAMED_ENTITIES[name]
        off = _byte_offset(source, base + m.start())
        raise HtmlParseError(f'Unsupported HTML entity "&{name};" at byte offset {off}')

    return _ENTITY.sub(repl, raw)


def parse_html(text: str) -> tuple[str, list[dict[str, Any]]]:
    """Parse Telegram HTML into (plain text, entities). Raises :class:`HtmlParseError`."""
    out: list[str] = []
    out_len = 0  # UTF-16 length of the text produced so far
    stack: list[_Open] = []
    entities: list[dict[str, Any]] = []
    i = 0
    n = len(text)
    while i < n:
        lt = text.find("<", i)
        chunk_end = n if lt == -1 else lt
        if chunk_end > i:
            plain = _decode_entities(text[i:chunk_end], i, text)
            out.append(plain)
            out_len += utf16_len(plain)
        if lt == -1:
            break
        i = _parse_tag(text, lt, stack, entities, out_len)
    if stack:
        raise HtmlParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1].name}"')
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities


def _parse_tag(
    text: str, lt: int, stack: list[_Open], entities: list[dict[str, Any]], out_len: int
) -> int:
    """Handle the tag starting at ``text[lt] == '<'``; return the index after it."""
    off = _byte_offset(text, lt)
    gt = text.find(">", lt)
    if gt == -1:
        raise HtmlParseError(f"Unclosed start tag at byte offset {off}")
    if text.startswith("</", lt):
        name = text[lt + 2 : gt].strip().lower()
        if not stack:
            raise HtmlParseError(f"Unexpected end tag at byte offset {off}")
        top = stack[-1]
        if name and name != top.name:
            raise HtmlParseError(
                f'Unmatched end tag at byte offset {off}, expected "</{top.name}>", '
                f'found "</{name}>"'
            )
        stack.pop()
        _close(top, stack, entities, out_len)
        return gt + 1
    m = _TAG_NAME.match(text, lt + 1)
    assert m is not None  # the pattern accepts the empty string
    name = m.group(0).lower()
    if not name:
        raise HtmlParseError(f"Empty tag name at byte offset {off}")
    if name not in _ALL_TAGS:
        raise HtmlParseError(f'Unsupported start tag "{name}" at byte offset {off}')
    attrs: dict[str, str] = {}
    rest = text[m.end() : gt].rstrip()
    if rest.endswith("/"):
        raise HtmlParseError(f'Unsupported self-closing tag "{name}" at byte offset {off}')
    pos = 0
    while pos < len(rest):
        am = _ATTR.match(rest, pos)
        if am is None or am.end() == pos:
            raise HtmlParseError(
                f"Expected equal sign in declaration of an attribute of the tag at byte offset "
                f"{off}"
            )
        value = am.group(2) or ""
        if value[:1] in ("'", '"'):
            value = value[1:-1]
        attrs[am.group(1).lower()] = _decode_entities(value, lt, text)
        pos = am.end()
    if name == "span" and attrs.get("class") != "tg-spoiler":
        raise HtmlParseError(f'Tag "span" must have class "tg-spoiler" at byte offset {off}')
    if name == "tg-emoji" and not attrs.get("emoji-id", "").isdigit():
        raise HtmlParseError(f'Tag "tg-emoji" must have attribute "emoji-id" at byte offset {off}')
    stack.append(_Open(name, out_len, attrs))
    return gt + 1


def _close(top: _Open, stack: list[_Open], entities: list[dict[str, Any]], out_len: int) -> None:
    length = out_len - top.offset
    if length <= 0:
        return
    entity: dict[str, Any] = {"offset": top.offset, "length": length}
    if top.name == "a":
        href = top.attrs.get("href", "")
        entity["type"] = "text_link"
        entity["url"] = href
        if href.startswith("tg://user?id="):
            entity = {**entity, "type": "text_mention"}
            entity["user"] = {"id": int(href.split("=", 1)[1]), "is_bot": False, "first_name": ""}
            del entity["url"]
    elif top.name == "span":
        entity["type"] = "spoiler"
    elif top.name == "tg-emoji":
        entity["type"] = "custom_emoji"
        entity["custom_emoji_id"] = top.attrs["emoji-id"]
    elif top.name == "blockquote" and "expandable" in top.attrs:
        entity["type"] = "expandable_blockquote"
    elif top.name == "code" and stack and stack[-1].name == "pre":
        lang = top.attrs.get("class", "")
        if lang.startswith("language-"):
            stack[-1].attrs["language"] = lang[len("language-") :]
        return  # the enclosing <pre> carries the entity
    else:
        entity["type"] = _SIMPLE_TAGS[top.name]
        if top.name == "pre" and top.attrs.get("language"):
            entity["language"] = top.attrs["language"]
    entities.append(entity)
