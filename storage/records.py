"""The statement records the content tables store (storage/content.py); bot/content parses
and searches them."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Literal

MetaKind = Literal["title", "caption", "heading", "trailer"]
Source = Literal["builtin", "uploaded"]


@dataclass(frozen=True, slots=True)
class Paragraph:
    """One excerpt paragraph; ``index`` counts excerpt paragraphs only (0-based, no gaps);
    ``heading`` is the sub-heading the paragraph sits under (None before the first)."""

    index: int
    text: str
    heading: str | None = None


@dataclass(frozen=True, slots=True)
class MetaLine:
    """A non-paragraph line; ``position`` is the number of paragraphs that precede it."""

    position: int
    text: str
    kind: MetaKind


@dataclass(frozen=True, slots=True)
class ParagraphHint:
    """A member question an administrator attached to paragraph ``index`` (0-based) of an
    uploaded statement: search evidence, never shown."""

    index: int
    text: str


@dataclass(frozen=True, slots=True)
class Statement:
    slug: str
    title: str
    author: str
    date: str
    paragraphs: tuple[Paragraph, ...]
    meta: tuple[MetaLine, ...] = ()
    sort_date: str | None = None  # ISO date "YYYY-MM-DD" or None when unknown
    source: Source = "builtin"
    language: str = "en"  # the language the text is in (an uploaded translation's, say "uk")
    translation_of: str | None = None  # the slug of the statement this one translates
    hints: tuple[ParagraphHint, ...] = ()  # uploads only: the front matter's questions

    @property
    def headings(self) -> tuple[MetaLine, ...]:
        return tuple(m for m in self.meta if m.kind == "heading")

    @property
    def content_hash(self) -> str:
        """A stable hash of everything that is stored for this statement."""
        extra: dict[str, str] = {}
        if self.language != "en" or self.translation_of:
            # only then, so English statements keep the hashes they were stored with
            extra = {"language": self.language, "translation_of": self.translation_of or ""}
        hints: dict[str, list[list[int | str]]] = {}
        if self.hints:  # likewise: only statements with questions hash them
            hints = {"hints": [[h.index, h.text] for h in self.hints]}
        payload = json.dumps(
            {
                **extra,
                **hints,
                "slug": self.slug,
                "title": self.title,
                "author": self.author,
                "date": self.date,
                "sort_date": self.sort_date,
                "source": self.source,
                "paragraphs": [[p.index, p.heading, p.text] for p in self.paragraphs],
            },
            ensure_ascii=False,
            sort_keys=True,
        )
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()
