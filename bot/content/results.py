"""What the content service returns: statement info, search hits and pages, facts matches."""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Literal

from bot.content.corpus import FactRow, MetaLine, Paragraph, display_text
from storage.content import StatementRecord


@dataclass(frozen=True, slots=True)
class StatementInfo:
    slug: str
    title: str
    author: str
    date: str
    sort_date: str | None
    source: str
    paragraph_count: int
    meta: tuple[MetaLine, ...] = ()
    language: str = "en"
    translation_of: str | None = None

    @classmethod
    def from_record(cls, rec: StatementRecord) -> StatementInfo:
        return cls(
            slug=rec.slug,
            title=rec.title,
            author=rec.author,
            date=rec.date_text,
            sort_date=rec.sort_date,
            source=rec.source,
            paragraph_count=rec.paragraph_count,
            meta=rec.meta,
            language=rec.language,
            translation_of=rec.translation_of,
        )


@dataclass(frozen=True, slots=True)
class Hit:
    paragraph: Paragraph
    statement: StatementInfo
    score: float
    highlighted_html: str  # display text, HTML-escaped, matched words in <b>..</b>

    @property
    def display_text(self) -> str:
        return display_text(self.paragraph.text)


@dataclass(frozen=True, slots=True)
class SearchPage:
    hits: list[Hit]
    total: int
    #: the query is in a language no statement is in ("uk", "ar", ...), else None
    foreign: str | None = None


@dataclass(frozen=True, slots=True)
class Excerpt:
    paragraph: Paragraph
    statement: StatementInfo

    @property
    def display_text(self) -> str:
        return display_text(self.paragraph.text)


@dataclass(frozen=True, slots=True)
class StatementPage:
    statement: StatementInfo
    paragraph: Paragraph
    index: int  # 0-based
    total: int
    headings_before: tuple[str, ...]  # sub-headings placed right before this paragraph

    @property
    def has_prev(self) -> bool:
        return self.index > 0

    @property
    def has_next(self) -> bool:
        return self.index + 1 < self.total

    @property
    def display_text(self) -> str:
        return display_text(self.paragraph.text)


@dataclass(frozen=True, slots=True)
class FactMatch:
    kind: Literal["exact", "candidates", "none"]
    row: FactRow | None = None
    candidates: tuple[FactRow, ...] = ()


def highlight_html(marked: str) -> str:
    """Turn FTS5 highlight output (\\x02..\\x03 marks) into safe HTML with <b> tags.

    Escapes first, then inserts tags; unbalanced marks are repaired, never emitted broken.
    """
    escaped = html.escape(display_text(marked), quote=False)
    out: list[str] = []
    open_ = False
    for ch in escaped:
        if ch == "\x02":
            if not open_:
                out.append("<b>")
                open_ = True
        elif ch == "\x03":
            if open_:
                out.append("</b>")
                open_ = False
        else:
            out.append(ch)
    if open_:
        out.append("</b>")
    return "".join(out).replace("<b></b>", "")
