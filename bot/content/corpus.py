"""The group's texts: parse statements into paragraphs and the comparison table into rows.

Rule (corpus README): a line that is short and has no final full stop is a heading, title,
caption, slogan, signature or date line -- metadata, never an excerpt. Everything else is a
paragraph. The texts are kept byte-exact; only :func:`display_text` transforms for showing.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from importlib import resources
from typing import Any

# The records are storage's (storage/content.py stores them); re-exported for bot/ callers.
from storage.records import MetaKind, MetaLine, Paragraph, Source, Statement

#: A line up to this many characters without a final full stop is metadata (heading etc.).
SHORT_LINE_MAX = 100

_CLOSERS = "\"'”’»)]*_ \t"


@dataclass(frozen=True, slots=True)
class FactRow:
    key: str
    question: str
    israel: str
    russia: str


@dataclass(frozen=True, slots=True)
class Manifest:
    statements: tuple[Statement, ...]
    facts: tuple[FactRow, ...]
    table_source_title: str
    table_source_slug: str


# ---------------------------------------------------------------------------- statements


def has_final_full_stop(line: str) -> bool:
    """True when the line ends with '.', ignoring closing quotes/brackets after it."""
    return line.rstrip(_CLOSERS).endswith(".")


def is_metadata_line(line: str) -> bool:
    """Short and without a final full stop: heading, title, caption, slogan, signature, date."""
    line = line.strip()
    return len(line) <= SHORT_LINE_MAX and not has_final_full_stop(line)


def classify(blocks: list[tuple[str, bool]], title: str) -> tuple[list[Paragraph], list[MetaLine]]:
    """blocks: (text, forced_heading). Build paragraphs and metadata lines."""
    paragraphs: list[Paragraph] = []
    meta: list[MetaLine] = []
    heading: str | None = None
    kinds: list[tuple[int, str]] = []  # meta entries (position, text) before kind is final
    for text, forced in blocks:
        if forced or is_metadata_line(text):
            kinds.append((len(paragraphs), text))
            if paragraphs:
                heading = text
            continue
        paragraphs.append(Paragraph(index=len(paragraphs), text=text, heading=heading))
    total = len(paragraphs)
    norm_title = _norm(title)
    for position, text in kinds:
        kind: MetaKind
        if position == 0:
            kind = "title" if _norm(text) == norm_title else "caption"
        elif position == total:
            kind = "trailer"
        else:
            kind = "heading"
        meta.append(MetaLine(position=position, text=text, kind=kind))
    return paragraphs, meta


def _norm(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def parse_statement(
    text: str,
    *,
    slug: str,
    title: str,
    author: str,
    date: str,
    sort_date: str | None = None,
    source: Source = "builtin",
) -> Statement:
    """Parse a built-in statement: one paragraph a line, blank lines between."""
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    blocks = [(line.strip(), False) for line in text.split("\n") if line.strip()]
    paragraphs, meta = classify(blocks, title)
    return Statement(
        slug=slug,
        title=title,
        author=author,
        date=date,
        paragraphs=tuple(paragraphs),
        meta=tuple(meta),
        sort_date=sort_date,
        source=source,
    )


# ---------------------------------------------------------------------------- display

# [label](mailto:...) with Markdown backslash escapes in the label, e.g.
# [2022ukrainesolidarity\[at\]gmail.com](mailto:2022ukrainesolidarity[at]gmail.com)
_MD_LINK = re.compile(r"\[((?:\\.|[^\]\\\n])*)\]\(([^()\s]*)\)")
_MD_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!<>])")
_HIGHLIGHT_MARKS = re.compile("[\x02\x03]")


def display_text(paragraph_text: str) -> str:
    """The paragraph as people should see it: Markdown links become plain text
    (``[a\\[at\\]b.com](mailto:...)`` -> ``a[at]b.com``; other links -> ``label (url)``).

    Highlight marks (\\x02/\\x03) inside the text are tolerated and kept in the label.
    """

    def repl(m: re.Match[str]) -> str:
        label = _MD_ESCAPE.sub(r"\1", m.group(1))
        url = _HIGHLIGHT_MARKS.sub("", m.group(2))
        plain_label = _HIGHLIGHT_MARKS.sub("", label)
        if url.lower().startswith("mailto:") or not url:
            return label
        bare = re.sub(r"^[a-z]+://", "", url, flags=re.IGNORECASE).rstrip("/")
        if plain_label in (url, bare):
            return label
        return f"{label} ({url})"

    return _MD_LINK.sub(repl, paragraph_text)


# ---------------------------------------------------------------------------- facts

_FACT_KEYS = {
    "invasion and occupation?": "invasion",
    "settler colonial?": "settler-colonial",
    "authoritarian rule?": "authoritarian",
    "bombs civilians as collective punishment?": "bombs-civilians",
    "genocide?": "genocide",
    "relies on outside support?": "outside-support",
}


def slugify(text: str, max_len: int = 60) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:max_len].rstrip("-")


def fact_key(question: str) -> str:
    """A stable short key (<= 24 ASCII chars, fits in callback data) for a table question."""
    known = _FACT_KEYS.get(_norm(question))
    if known:
        return known
    return slugify(question, 24) or "row"


def parse_table(tsv: str) -> tuple[FactRow, ...]:
    """Parse the comparison table: header row, then question / Israel / Russia columns."""
    lines = [ln for ln in tsv.lstrip("\ufeff").replace("\r\n", "\n").split("\n") if ln.strip()]
    if not lines:
        return ()
    rows: list[FactRow] = []
    seen: set[str] = set()
    for line in lines[1:]:
        cells = [c.strip() for c in line.split("\t")]
        if len(cells) < 3:
            raise ValueError(f"table row has {len(cells)} columns, expected 3")
        key = fact_key(cells[0])
        base, n = key, 2
        while key in seen:
            key = f"{base}-{n}"
            n += 1
        seen.add(key)
        rows.append(FactRow(key=key, question=cells[0], israel=cells[1], russia=cells[2]))
    return tuple(rows)


# ---------------------------------------------------------------------------- manifest


def _data_text(name: str) -> str:
    return resources.files("bot").joinpath("data").joinpath(name).read_text(encoding="utf-8")


def load_manifest() -> Manifest:
    """The packaged statements (parsed) and the comparison table."""
    raw: dict[str, Any] = json.loads(_data_text("statements.json"))
    statements = []
    for entry in raw["statements"]:
        statements.append(
            parse_statement(
                _data_text(entry["file"]),
                slug=entry["slug"],
                title=entry["title"],
                author=entry["author"],
                date=entry["date"],
                sort_date=entry.get("sort_date"),
                source="builtin",
            )
        )
    table = raw["table"]
    return Manifest(
        statements=tuple(statements),
        facts=parse_table(_data_text(table["file"])),
        table_source_title=table["source_title"],
        table_source_slug=table["source_slug"],
    )


def load_builtin_statements() -> tuple[Statement, ...]:
    return load_manifest().statements


def load_facts() -> tuple[FactRow, ...]:
    return load_manifest().facts


__all__ = [
    "FactRow",
    "Manifest",
    "MetaKind",
    "MetaLine",
    "Paragraph",
    "Source",
    "Statement",
    "display_text",
    "fact_key",
    "has_final_full_stop",
    "is_metadata_line",
    "load_builtin_statements",
    "load_facts",
    "load_manifest",
    "parse_statement",
    "parse_table",
    "slugify",
]
