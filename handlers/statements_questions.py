"""/addstatement's replies about a file's questions: header: the refusal naming the bad line
and the confirmation's summary (the parsing is bot.content.questions')."""

from __future__ import annotations

from collections import Counter

from bot.content.corpus import Statement, display_text
from bot.content.questions import QuestionsError
from bot.i18n import texts
from bot.i18n.translate import Markup, t, tn
from bot.telegram.render import truncate

#: paragraphs the confirmation names (each with its first words), the rest only counted
LISTED = 10
#: characters of the bad line, and of a paragraph's start, that the replies quote
SOURCE_CHARS = 80
START_CHARS = 40

_PROBLEMS = {
    "bad_line": texts.ADD_Q_BAD_LINE,
    "empty": texts.ADD_Q_EMPTY,
    "no_paragraph": texts.ADD_Q_NO_PARAGRAPH,
    "no_match": texts.ADD_Q_NO_MATCH,
    "ambiguous": texts.ADD_Q_AMBIGUOUS,
    "too_long": texts.ADD_Q_TOO_LONG,
    "too_many_here": texts.ADD_Q_TOO_MANY_HERE,
    "too_many": texts.ADD_Q_TOO_MANY,
}


def refusal(lang: str, error: QuestionsError) -> str:
    """The line's number, the line itself and what is wrong with it."""
    problem = t(lang, _PROBLEMS.get(error.problem, texts.ADD_Q_BAD_LINE), **error.params)
    return t(
        lang,
        texts.ADD_Q_REFUSED,
        line=error.line.number,
        source=truncate(error.line.text.strip(), SOURCE_CHARS),
        problem=Markup(problem),
    )


def summary(lang: str, statement: Statement) -> str:
    """How many questions were attached, and to which paragraphs ("" when none): the
    paragraphs' first words let the administrator see that the numbers meant what they meant."""
    if not statement.hints:
        return ""
    counts = Counter(h.index for h in statement.hints)
    lines = [tn(lang, texts.ADD_Q_DONE, texts.ADD_Q_DONE_PLURAL, len(statement.hints))]
    for index in sorted(counts)[:LISTED]:
        start = _first_words(display_text(statement.paragraphs[index].text))
        lines.append(t(lang, texts.ADD_Q_ITEM, number=index + 1, start=start, count=counts[index]))
    if len(counts) > LISTED:
        more = len(counts) - LISTED
        lines.append(tn(lang, texts.ADD_Q_MORE, texts.ADD_Q_MORE_PLURAL, more))
    return "\n".join(lines)


def _first_words(text: str) -> str:
    """The paragraph's start, cut at a word's end with an ellipsis."""
    if len(text) <= START_CHARS:
        return text
    cut = text[: START_CHARS + 1].rsplit(" ", 1)[0].rstrip(" ,;:")
    return f"{cut}…"
