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
from datetime import date, datetime
from importlib import resources
from typing import Any

# The records are storage's (storage/content.py stores them); re-exported for bot/ callers.
from storage.records import MetaKind, MetaLine, Paragraph, Source, Statement

#: A line up to this many characters without a final full stop is metadata (heading etc.).
SHORT_LINE_MAX = 100
#: Largest accepted upload (UTF-8 bytes).
MAX_UPLOAD_BYTES = 200 * 1024
#: Largest accepted title (characters).
MAX_TITLE_CHARS = 200

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


class UploadError(ValueError):
    """An uploaded statement cannot be used; ``str(exc)`` is a friendly English reason and
    ``code`` one of: not_text, empty, too_big, no_paragraphs, no_title, title_too_long."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


# ---------------------------------------------------------------------------- statements


def has_final_full_stop(line: str) -> bool:
    """True when the line ends with '.', ignoring closing quotes/brackets after it."""
    return line.rstrip(_CLOSERS).endswith(".")


def is_metadata_line(line: str) -> bool:
    """Short and without a final full stop: heading, title, caption, slogan, signature, date."""
    line = line.strip()
    return len(line) <= SHORT_LINE_MAX and not has_final_full_stop(line)


def _classify(blocks: list[tuple[str, bool]], title: str) -> tuple[list[Paragraph], list[MetaLine]]:
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
    paragraphs, meta = _classify(blocks, title)
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


# ---------------------------------------------------------------------------- uploads

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)\n---[ \t]*(?:\n|\Z)", re.DOTALL)
_MD_HEADING = re.compile(r"^#{1,6}\s+(.*?)\s*#*\s*$")
_MD_RULE = re.compile(r"^(?:-{3,}|\*{3,}|_{3,})$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_MONTHS = {
    m: i + 1
    for i, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ]
    )
    for m in names
}


def decode_upload(data: bytes) -> str:
    """Decode an uploaded file (UTF-8, optional BOM); raise UploadError when unusable."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise UploadError("too_big", f"The file is too big (over {MAX_UPLOAD_BYTES // 1024} KB).")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UploadError("not_text", "The file is not UTF-8 text (.txt or Markdown).") from None


def sort_date_of(date_text: str) -> str | None:
    """Best-effort ISO date for ordering: 2025-07-13, 13 July 2025, July 2025, 2025."""
    text = date_text.strip()
    if not text:
        return None
    m = re.search(r"\b(\d{4})-(\d{2})-(\d{2})\b", text)
    if m:
        try:
            return date(int(m[1]), int(m[2]), int(m[3])).isoformat()
        except ValueError:
            return None
    for fmt in ("%d %B %Y", "%d %b %Y", "%B %d, %Y", "%b %d, %Y", "%d/%m/%Y", "%d.%m.%Y"):
        try:
            return datetime.strptime(text, fmt).date().isoformat()
        except ValueError:
            pass
    m = re.search(r"\b([A-Za-z]{3,9})\.?\s+(\d{4})\b", text)
    if m and m[1].lower() in _MONTHS:
        return date(int(m[2]), _MONTHS[m[1].lower()], 1).isoformat()
    m = re.search(r"\b(1[89]\d\d|2\d\d\d)\b", text)
    if m:
        return f"{m[1]}-01-01"
    return None


def _front_matter(text: str) -> tuple[dict[str, str], str]:
    m = _FRONT_MATTER.match(text)
    if not m:
        return {}, text
    fields: dict[str, str] = {}
    for line in m.group(1).split("\n"):
        if ":" not in line:
            continue
        key, _, value = line.partition(":")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        fields[key.strip().lower()] = value
    return fields, text[m.end() :]


def _blocks(body: str) -> list[tuple[str, bool]]:
    """Markdown-ish blocks: blank-line separated, soft-wrapped lines joined; '#' headings forced.

    A file without any blank line is read one paragraph a line (like the built-in texts).
    """
    lines = body.split("\n")
    has_blank = any(not ln.strip() for ln in lines)
    blocks: list[tuple[str, bool]] = []
    buf: list[str] = []

    def flush() -> None:
        if buf:
            joined = " ".join(buf).strip()
            if joined:
                blocks.append((joined, False))
            buf.clear()

    in_fence = False
    for raw in lines:
        line = raw.strip()
        if line.startswith("```"):
            in_fence = not in_fence
            flush()
            continue
        if in_fence:
            continue
        if not line or _MD_RULE.match(line):
            flush()
            continue
        hm = _MD_HEADING.match(line)
        if hm:
            flush()
            if hm.group(1):
                blocks.append((hm.group(1), True))
            continue
        if line.startswith(">"):
            line = line.lstrip("> ").strip()
        buf.append(line)
        if not has_blank:
            flush()
    flush()
    return blocks


def parse_uploaded(
    text: str,
    title: str | None = None,
    author: str | None = None,
    date: str | None = None,
    *,
    slug: str | None = None,
) -> Statement:
    """Parse an admin-uploaded statement (.txt or Markdown, optional front matter).

    Explicit arguments win over front matter; the title may also come from a leading
    '# Title' line or a first short line. Raises :class:`UploadError` when unusable.
    """
    if len(text.encode("utf-8")) > MAX_UPLOAD_BYTES:
        raise UploadError("too_big", f"The text is too big (over {MAX_UPLOAD_BYTES // 1024} KB).")
    text = _CONTROL.sub("", text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n"))
    if not text.strip():
        raise UploadError("empty", "The text is empty.")
    fields, body = _front_matter(text)
    title = (title or fields.get("title") or "").strip() or None
    author = (author or fields.get("author") or fields.get("by") or "").strip()
    date_text = (date or fields.get("date") or "").strip()
    blocks = _blocks(body)
    if title is None and blocks and is_metadata_line(blocks[0][0]):
        title = blocks[0][0]
    if not title:
        raise UploadError(
            "no_title", "The statement has no title (add a '# Title' line or a title: header)."
        )
    title = " ".join(title.split())
    if len(title) > MAX_TITLE_CHARS:
        raise UploadError("title_too_long", f"The title is longer than {MAX_TITLE_CHARS} chars.")
    paragraphs, meta = _classify(blocks, title)
    if not paragraphs:
        raise UploadError(
            "no_paragraphs",
            "No paragraphs found: a paragraph must be a longer text or end with a full stop.",
        )
    return Statement(
        slug=slug or slugify(title) or "statement",
        title=title,
        author=author,
        date=date_text,
        paragraphs=tuple(paragraphs),
        meta=tuple(meta),
        sort_date=sort_date_of(date_text) if date_text else None,
        source="uploaded",
    )


__all__ = [
    "MAX_UPLOAD_BYTES",
    "FactRow",
    "Manifest",
    "MetaKind",
    "MetaLine",
    "Paragraph",
    "Source",
    "Statement",
    "UploadError",
    "decode_upload",
    "display_text",
    "fact_key",
    "has_final_full_stop",
    "is_metadata_line",
    "load_builtin_statements",
    "load_facts",
    "load_manifest",
    "parse_statement",
    "parse_table",
    "parse_uploaded",
    "slugify",
    "sort_date_of",
]
