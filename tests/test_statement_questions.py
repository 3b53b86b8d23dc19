"""/addstatement's questions: header: members' questions find the uploaded paragraph, bad
lines refuse the file with the line named, and the questions go with their statement."""

from __future__ import annotations

import pytest

from bot.content.questions import MAX_PER_STATEMENT, QuestionLine, QuestionsError
from bot.content.upload import UploadError, parse_uploaded
from storage.records import ParagraphHint
from tests.harness import ADMIN_ID, USER_ID, BotHarness
from tests.test_content_commands import no_failed_calls

HEADER = """---
title: Letters across two sieges
author: Test Collective
date: 2026
"""
BODY = """---

Schoolchildren in Kharkiv and Rafah have exchanged more than four hundred handwritten letters
through our volunteers since the spring.

## At the embassy

Our choir sings at every vigil outside the embassy, and its members bring candles and the
names of the dead.
"""
QUESTIONS = """questions:
  1: pen pals for kids | can children write to each other
  Our choir: is there music at the vigils
"""
WITH_QUESTIONS = HEADER + QUESTIONS + BODY
WITHOUT = HEADER + BODY
SLUG = "letters-across-two-sieges"
#: a member's plain question sharing no word with the paragraph (only with its questions)
QUERY = "where can kids find pen pals"
LETTERS = "Schoolchildren in Kharkiv and Rafah have exchanged"


async def _add(harness: BotHarness, text: str) -> str:
    await harness.send(ADMIN_ID, ADMIN_ID, "/addstatement", document=("letters.md", text.encode()))
    return harness.last(ADMIN_ID).text or ""


async def _excerpt(harness: BotHarness, words: str) -> str:
    await harness.send(USER_ID, USER_ID, f"/excerpt {words}")
    return harness.last(USER_ID).text or ""


async def test_a_question_finds_the_paragraph_only_once_attached(harness: BotHarness) -> None:
    content = harness.services.content
    done = await _add(harness, WITHOUT)
    assert "Added “Letters across two sieges” (2 paragraphs)" in done
    assert "question" not in done  # no questions, no line about them
    assert "I found no passage" in await _excerpt(harness, QUERY)
    await harness.send(ADMIN_ID, ADMIN_ID, f"/removestatement {SLUG}")

    done = await _add(harness, WITH_QUESTIONS)
    assert "Added “Letters across two sieges” (2 paragraphs)" in done
    assert "🔎 3 questions attached for search (members never see them):" in done
    assert "• paragraph 1 “Schoolchildren in Kharkiv and Rafah have…”: 2" in done
    assert "• paragraph 2 “Our choir sings at every vigil outside…”: 1" in done
    assert await content.hints.of_statement(SLUG) == [
        (0, "pen pals for kids"),
        (0, "can children write to each other"),
        (1, "is there music at the vigils"),
    ]
    found = await _excerpt(harness, QUERY)
    assert found.split("\n")[2].startswith(LETTERS), found  # first, after header and blank
    assert "pen pals for kids" not in found  # the questions only rank, they are never shown

    await harness.restart()  # stored: the restarted bot's search has them too
    assert LETTERS in await _excerpt(harness, QUERY)
    no_failed_calls(harness)


async def test_removing_the_statement_removes_its_questions(harness: BotHarness) -> None:
    content = harness.services.content
    await _add(harness, WITH_QUESTIONS)
    assert await content.hints.count() == 3
    await harness.send(ADMIN_ID, ADMIN_ID, f"/removestatement {SLUG}")
    assert "Removed “Letters across two sieges”" in (harness.last(ADMIN_ID).text or "")
    assert await content.hints.count() == 0
    assert await content.hints.visible() == []
    assert "I found no passage" in await _excerpt(harness, QUERY)
    # A new upload of the statement brings its own questions, not the old ones.
    old = "  1: pen pals for kids | can children write to each other"
    await _add(harness, WITH_QUESTIONS.replace(old, "  2: songs at the vigil"))
    assert await content.hints.of_statement(SLUG) == [
        (1, "songs at the vigil"),
        (1, "is there music at the vigils"),
    ]
    assert LETTERS not in await _excerpt(harness, QUERY)
    no_failed_calls(harness)


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("  pen pals for kids", "Write the paragraph's number or its first words, a colon"),
        ("  3: pen pals", "There is no paragraph 3: this statement's paragraphs are numbered"),
        ("  Kids in Kharkiv: pen pals", "No paragraph begins with “Kids in Kharkiv”"),
        ("  1:  |  ", "There is no question after the colon."),
        ("  1: " + "pen pals " * 30, "A question there is longer than 200 characters."),
        ("  1: " + " | ".join(f"pen pal {n}" for n in range(21)), "would have more than 20"),
    ],
)
async def test_a_bad_line_refuses_the_file_and_stores_nothing(
    harness: BotHarness, line: str, problem: str
) -> None:
    content = harness.services.content
    before = await content.list_statements()
    bad = WITH_QUESTIONS.replace("  Our choir: is there music at the vigils", line)
    reply = await _add(harness, bad)
    assert "Line 7 of the questions: header has a mistake:" in reply
    assert line.strip()[:40] in reply  # the line itself, as written
    assert problem in reply
    assert "Nothing was added: please fix the file and send it again, or /cancel." in reply
    assert await content.list_statements() == before
    assert await content.hints.count() == 0
    assert "I found no passage" in await _excerpt(harness, QUERY)
    # Still waiting for the file: the corrected one is taken.
    await harness.send(ADMIN_ID, ADMIN_ID, None, document=("ok.md", WITH_QUESTIONS.encode()))  # type: ignore[arg-type]
    assert "3 questions attached" in (harness.last(ADMIN_ID).text or "")
    no_failed_calls(harness)


# ---------------------------------------------------------------------- the block's syntax


def _hints(questions: str, body: str = BODY) -> tuple[ParagraphHint, ...]:
    return parse_uploaded(HEADER + questions + body).hints


def _problem(questions: str, body: str = BODY) -> QuestionsError:
    with pytest.raises(UploadError) as caught:
        _hints(questions, body)
    assert caught.value.code == "questions" and caught.value.questions is not None
    return caught.value.questions


def test_numbers_count_paragraphs_as_statements_shows_them_not_headings() -> None:
    # "## At the embassy" is not counted: paragraph 2 is the choir's
    assert _hints("questions:\n  2: music\n") == (ParagraphHint(1, "music"),)
    assert _hints("questions:\n  ¶2: music\n  Paragraph 1: letters\n  paragraph 2: songs\n") == (
        ParagraphHint(0, "letters"),
        ParagraphHint(1, "music"),
        ParagraphHint(1, "songs"),
    )


def test_first_words_ignore_case_and_punctuation_and_may_be_quoted() -> None:
    assert _hints('questions:\n  "our CHOIR, sings": music\n') == (ParagraphHint(1, "music"),)
    assert _hints("questions:\n  “Schoolchildren in”: letters: by post?\n") == (
        ParagraphHint(0, "letters: by post?"),  # a colon in the question is kept
    )
    two = BODY.replace("Our choir sings", "Schoolchildren sing")
    error = _problem("questions:\n  Schoolchildren: music\n", two)
    assert (error.problem, error.params["numbers"]) == ("ambiguous", "1, 2")
    assert _hints("questions:\n  Schoolchildren sing: music\n", two) == (ParagraphHint(1, "music"),)


def test_the_block_ends_at_the_next_field_and_needs_no_indenting() -> None:
    text = (
        "---\ntitle: T\nquestions:\n1: letters | letters\n- 2: music\n# a comment\n\n"
        "author: A\ndate: 2026\n" + BODY
    )
    st = parse_uploaded(text)
    assert (st.title, st.author, st.date) == ("T", "A", "2026")
    # the repeated question counts once
    assert st.hints == (ParagraphHint(0, "letters"), ParagraphHint(1, "music"))
    assert parse_uploaded(text.replace("questions:\n", "questions: 2: songs\n")).hints == (
        ParagraphHint(0, "letters"),
        ParagraphHint(1, "songs"),
        ParagraphHint(1, "music"),
    )
    # a field inside the block (indented) is not a field: it is refused, not taken silently
    assert _problem("questions:\n  1: letters\n  subtitle: x\n").problem == "no_match"


def test_caps_and_line_numbers() -> None:
    error = _problem("questions:\n  1: letters\n  2: music\n  7: more\n")
    assert error.line == QuestionLine(8, "  7: more")  # the line's number in the file
    assert error.params == {"number": 7, "total": 2}
    many = "".join(f"  {1 + n % 2}: question {n}\n" for n in range(MAX_PER_STATEMENT + 1))
    body = BODY + "".join(f"\nParagraph {n} is a long enough line of text.\n" for n in range(9))
    assert _problem("questions:\n" + many, body).problem == "too_many_here"
    spread = "".join(f"  {1 + n % 11}: question {n}\n" for n in range(MAX_PER_STATEMENT + 1))
    error = _problem("questions:\n" + spread, body)
    assert (error.problem, error.line.number) == ("too_many", 6 + MAX_PER_STATEMENT)
    assert len(_hints("questions:\n" + spread.rsplit("  ", 1)[0], body)) == MAX_PER_STATEMENT


def test_a_bad_line_is_reported_before_a_missing_title_is_asked_for() -> None:
    with pytest.raises(UploadError) as caught:
        parse_uploaded("---\nquestions:\n  9: x\n---\n\nA paragraph that ends here.\n")
    assert caught.value.code == "questions"
