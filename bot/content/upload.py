"""Admin uploads: decode a .txt/Markdown file, read its front matter, parse it into a Statement."""

from __future__ import annotations

import re
from datetime import date, datetime

from bot.content.corpus import (
    Statement,
    classify,
    is_metadata_line,
    slugify,
)
from bot.content.questions import QuestionLine, QuestionsError, attach_questions
from storage.records import Paragraph, ParagraphHint

#: Largest accepted upload (UTF-8 bytes).
MAX_UPLOAD_BYTES = 200 * 1024
#: Largest accepted title (characters).
MAX_TITLE_CHARS = 200


class UploadError(ValueError):
    """An uploaded statement cannot be used; ``str(exc)`` is a friendly English reason and
    ``code`` one of: not_text, empty, too_big, no_paragraphs, no_title, title_too_long,
    questions (then ``questions`` says which line of the block is wrong, and how)."""

    def __init__(self, code: str, message: str, questions: QuestionsError | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.questions = questions


#: front matter fields: an unindented one ends a ``questions:`` block
_FIELDS = frozenset({"title", "author", "by", "date", "language", "lang", "translation_of"})
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


def _front_matter(text: str) -> tuple[dict[str, str], list[QuestionLine], str]:
    """The header's fields, the lines of its ``questions:`` block (numbered as in the file)
    and the body. The block runs to the next field, so questions need no indenting."""
    m = _FRONT_MATTER.match(text)
    if not m:
        return {}, [], text
    fields: dict[str, str] = {}
    questions: list[QuestionLine] = []
    in_block = False
    for number, line in enumerate(m.group(1).split("\n"), 2):  # line 1 is the "---"
        key, colon, value = line.partition(":")
        name = key.strip().lower()
        if name == "questions" and colon and not line[:1].isspace():
            in_block = True
            if value.strip():
                questions.append(QuestionLine(number, value))
            continue
        if in_block and not (colon and name in _FIELDS and not line[:1].isspace()):
            questions.append(QuestionLine(number, line))
            continue
        in_block = False
        if not colon:
            continue
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        fields[name] = value
    return fields, questions, text[m.end() :]


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
    fields, question_lines, body = _front_matter(text)
    title = (title or fields.get("title") or "").strip() or None
    author = (author or fields.get("author") or fields.get("by") or "").strip()
    date_text = (date or fields.get("date") or "").strip()
    blocks = _blocks(body)
    if title is None and blocks and is_metadata_line(blocks[0][0]):
        title = blocks[0][0]
    title = " ".join(title.split()) if title else ""
    # the title only names the meta lines' kinds; without one they are not used
    paragraphs, meta = classify(blocks, title)
    # Before the title is asked for: a bad question line refuses the file at once.
    hints = _hints(question_lines, paragraphs)
    if not title:
        raise UploadError(
            "no_title", "The statement has no title (add a '# Title' line or a title: header)."
        )
    if len(title) > MAX_TITLE_CHARS:
        raise UploadError("title_too_long", f"The title is longer than {MAX_TITLE_CHARS} chars.")
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
        language=language_of(fields.get("language") or fields.get("lang") or ""),
        translation_of=slugify(fields.get("translation_of") or "") or None,
        hints=hints,
    )


def _hints(lines: list[QuestionLine], paragraphs: list[Paragraph]) -> tuple[ParagraphHint, ...]:
    if not lines or not paragraphs:
        return ()  # no questions, or no paragraphs (refused below)
    try:
        return attach_questions(lines, paragraphs)
    except QuestionsError as exc:
        raise UploadError("questions", f"Bad questions: {exc}", exc) from None


def language_of(value: str) -> str:
    """A front matter ``language:`` value as a bare code ("uk-UA" -> "uk"); "en" if unusable."""
    code = value.strip().lower().replace("_", "-").split("-")[0]
    return code if re.fullmatch(r"[a-z]{2,3}", code) else "en"


__all__ = [
    "MAX_TITLE_CHARS",
    "MAX_UPLOAD_BYTES",
    "UploadError",
    "decode_upload",
    "language_of",
    "parse_uploaded",
    "sort_date_of",
]
