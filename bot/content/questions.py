"""The ``questions:`` block of an upload's front matter: member questions for its paragraphs.

An administrator writes, in the header of the file, the questions members would ask that a
paragraph answers; search uses them like the built-in hints (``bot.content.hints``), and
they are never shown. One line a paragraph, named by its number as /statements shows it
("Paragraph 3 of 9": headings are not counted) or by its first words, then a colon and the
questions, separated by ``|``::

    questions:
      3: how do boats get to gaza | ships breaking the siege
      Freedom Flotillas: who sails to gaza
      "2022 was": a paragraph that begins with a number is named in quotes

Any bad line refuses the whole upload with the line's number and what is wrong with it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.content.text import words
from storage.records import Paragraph, ParagraphHint

#: characters a question may have
MAX_QUESTION_CHARS = 200
#: questions one paragraph may have
MAX_PER_PARAGRAPH = 20
#: questions one statement may have
MAX_PER_STATEMENT = 200
#: separates several questions on one line
SEPARATOR = "|"

_QUOTES = {'"': '"', "“": "”", "„": "“", "«": "»", "'": "'", "‘": "’"}
_BULLET = re.compile(r"^[-*•]\s+")
_NUMBER = re.compile(r"^(?:¶\s*|paragraph\s+)?(\d{1,4})$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class QuestionLine:
    """A line of the block, with its line number in the uploaded file."""

    number: int
    text: str


class QuestionsError(ValueError):
    """A bad line. ``problem`` is one of: bad_line, empty, no_paragraph, no_match,
    ambiguous, too_long, too_many_here, too_many; ``params`` fill its message."""

    def __init__(self, problem: str, line: QuestionLine, **params: int | str) -> None:
        super().__init__(f"line {line.number}: {problem} {params}")
        self.problem = problem
        self.line = line
        self.params = params


def attach_questions(
    lines: Sequence[QuestionLine], paragraphs: Sequence[Paragraph]
) -> tuple[ParagraphHint, ...]:
    """The questions of the block's lines, by paragraph; raise QuestionsError on a bad line.

    Blank lines and ``#`` comments are skipped, a leading ``-`` is allowed (as in YAML), and a
    question repeated for the same paragraph counts once."""
    found: dict[int, list[str]] = {}
    total = 0
    starts: list[list[str]] = []  # each paragraph's words, made on the first first-words key
    for line in lines:
        body = _BULLET.sub("", line.text.strip())
        if not body or body.startswith("#"):
            continue
        key, quoted, rest = _split(body, line)
        number = None if quoted else _NUMBER.match(key)
        if number:
            index = int(number.group(1)) - 1
            if not 0 <= index < len(paragraphs):
                raise QuestionsError("no_paragraph", line, number=index + 1, total=len(paragraphs))
        else:
            if not starts:
                starts = [words(p.text) for p in paragraphs]
            index = _by_first_words(key, starts, line)
        questions = [" ".join(q.split()) for q in rest.split(SEPARATOR)]
        questions = [q for q in questions if q]
        if not questions or not any(words(q) for q in questions):
            raise QuestionsError("empty", line)
        have = found.setdefault(index, [])
        for question in questions:
            if len(question) > MAX_QUESTION_CHARS:
                raise QuestionsError("too_long", line, limit=MAX_QUESTION_CHARS)
            if question.casefold() in (q.casefold() for q in have):
                continue
            if len(have) >= MAX_PER_PARAGRAPH:
                raise QuestionsError(
                    "too_many_here", line, number=index + 1, limit=MAX_PER_PARAGRAPH
                )
            if total >= MAX_PER_STATEMENT:
                raise QuestionsError("too_many", line, limit=MAX_PER_STATEMENT)
            have.append(question)
            total += 1
    return tuple(ParagraphHint(i, q) for i in sorted(found) for q in found[i])


def _split(body: str, line: QuestionLine) -> tuple[str, bool, str]:
    """(paragraph key, whether it was quoted, the questions) of a line; a quoted key may
    hold a colon, an unquoted one ends at the first."""
    closing = _QUOTES.get(body[0])
    if closing is not None:
        end = body.find(closing, 1)
        after = body[end + 1 :].lstrip() if end > 0 else ""
        if not after.startswith(":"):
            raise QuestionsError("bad_line", line)
        return body[1:end].strip(), True, after[1:]
    key, colon, rest = body.partition(":")
    if not colon or not key.strip():
        raise QuestionsError("bad_line", line)
    return key.strip(), False, rest


def _by_first_words(key: str, starts: list[list[str]], line: QuestionLine) -> int:
    """The one paragraph whose text begins with the words of ``key`` (case, accents and
    punctuation aside)."""
    wanted = words(key)
    if not wanted:
        raise QuestionsError("bad_line", line)
    matches = [i for i, start in enumerate(starts) if start[: len(wanted)] == wanted]
    if not matches:
        raise QuestionsError("no_match", line, words=key)
    if len(matches) > 1:
        numbers = ", ".join(str(i + 1) for i in matches[:10])
        raise QuestionsError("ambiguous", line, words=key, numbers=numbers)
    return matches[0]


__all__ = [
    "MAX_PER_PARAGRAPH",
    "MAX_PER_STATEMENT",
    "MAX_QUESTION_CHARS",
    "QuestionLine",
    "QuestionsError",
    "attach_questions",
]
