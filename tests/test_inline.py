"""Inline mode end to end: facts for an empty query, excerpts and facts for words."""

from __future__ import annotations

from typing import Any

from bot.content.corpus import load_facts
from bot.emulator import parse_html
from bot.telegram import limits
from bot.telegram.limits import utf16_units
from tests.harness import ADMIN_ID, USER_ID, BotHarness
from tests.test_content_commands import no_failed_calls


def _check_result_shapes(results: list[dict[str, Any]]) -> list[str]:
    """Every result: an article, unique id, valid HTML within 4,096 UTF-16 units (what Telegram
    counts: an emoji outside the BMP is two), a short description."""
    assert 0 < len(results) <= 50
    ids = [r["id"] for r in results]
    assert len(set(ids)) == len(ids)
    assert all(1 <= len(i.encode()) <= 64 for i in ids)
    plains = []
    for r in results:
        assert r["type"] == "article"
        content = r["input_message_content"]
        assert content["parse_mode"] == "HTML"
        plain, _ = parse_html(content["message_text"])  # raises on broken HTML
        assert utf16_units(plain) <= limits.INLINE_MESSAGE
        assert utf16_units(r.get("description", "")) <= 100
        plains.append(plain)
    return plains


async def test_empty_inline_query_offers_the_six_facts(harness: BotHarness) -> None:
    qid = await harness.inline(USER_ID, "")
    results = harness.core.inline_answers(qid)
    assert results is not None
    plains = _check_result_shapes(results)
    facts = load_facts()
    assert [r["title"] for r in results] == [f.question for f in facts]
    for plain, fact in zip(plains, facts, strict=True):
        assert fact.israel in plain and fact.russia in plain
        assert "Israel in Palestine" in plain and "Russia in Ukraine" in plain
        assert "Source: “Why we carry this banner”, Ukraine Information Group (London)" in plain
    answer = harness.core.calls_for("answerInlineQuery")[-1].params
    assert answer.get("is_personal") in (False, None)
    assert 0 < int(answer["cache_time"]) <= 3600
    no_failed_calls(harness)


async def test_inline_words_offer_excerpts_with_source(harness: BotHarness) -> None:
    qid = await harness.inline(USER_ID, "campism twin evils")
    results = harness.core.inline_answers(qid) or []
    plains = _check_result_shapes(results)
    assert results[0]["title"] == "Why we carry this banner"
    assert "so-called “campism”, which opposes the imperialist threat" in plains[0]
    assert plains[0].endswith("Why we carry this banner — Ukraine Information Group (London), 2025")
    no_failed_calls(harness)


async def test_inline_words_matching_a_fact_put_it_first(harness: BotHarness) -> None:
    qid = await harness.inline(USER_ID, "genocide")
    results = harness.core.inline_answers(qid) or []
    plains = _check_result_shapes(results)
    assert results[0]["id"] == "f:genocide"
    genocide = next(f for f in load_facts() if f.key == "genocide")
    assert genocide.russia in plains[0]
    # Then excerpts that talk about genocide.
    assert len(results) > 3
    assert all("genocid" in p.lower() for p in plains[1:4])
    no_failed_calls(harness)


async def test_inline_nothing_found_answers_empty(harness: BotHarness) -> None:
    qid = await harness.inline(USER_ID, "qqqxz")
    assert harness.core.inline_answers(qid) == []
    no_failed_calls(harness)


async def test_inline_email_paragraph_is_plain(harness: BotHarness) -> None:
    qid = await harness.inline(USER_ID, "join our discussions email")
    results = harness.core.inline_answers(qid) or []
    plains = _check_result_shapes(results)
    email = [p for p in plains if "2022ukrainesolidarity[at]gmail.com" in p]
    assert email and all("mailto" not in p and "](" not in p for p in email)
    no_failed_calls(harness)


async def _add_statement(h: BotHarness, author: str, paragraph: str) -> None:
    body = f"---\ntitle: Doves over the port\nauthor: {author}\ndate: 2025\n---\n\n{paragraph}\n"
    await h.send(ADMIN_ID, ADMIN_ID, "/addstatement", document=("doves.txt", body.encode()))
    assert "Added “Doves over the port”" in (h.last(ADMIN_ID).text or "")


async def test_inline_emoji_paragraph_fits_in_utf16_units(harness: BotHarness) -> None:
    """3,000 doves are 3,000 characters but 6,000 UTF-16 units: Telegram would refuse the
    whole answer, so inline search would show nothing."""
    await _add_statement(harness, "Peace Dove Collective", "Harbour doves " + "🕊" * 3000)
    qid = await harness.inline(USER_ID, "harbour doves")
    results = harness.core.inline_answers(qid)
    assert results, "the answer was refused"
    plains = _check_result_shapes(results)
    doves = next(p for p in plains if "Harbour doves" in p)
    assert doves.endswith("Doves over the port — Peace Dove Collective, 2025")
    assert "…" in doves and utf16_units(doves) <= 4096
    no_failed_calls(harness)


async def test_inline_long_source_line_and_long_paragraph_fit(harness: BotHarness) -> None:
    """A long author line plus a 3,300-character paragraph is over 4,096 even in characters."""
    author = "Harbour Workers Solidarity Network " * 25  # about 875 characters
    paragraph = "Harbour doves flew over the striking port. " + "x" * 3300
    await _add_statement(harness, author.strip(), paragraph)
    qid = await harness.inline(USER_ID, "harbour doves striking")
    results = harness.core.inline_answers(qid)
    assert results, "the answer was refused"
    plains = _check_result_shapes(results)
    doves = next(p for p in plains if "Harbour doves flew" in p)
    assert "Harbour Workers Solidarity Network" in doves
    no_failed_calls(harness)


async def test_emulator_refuses_inline_results_over_the_limit(harness: BotHarness) -> None:
    """The fake Bot API checks inline result messages as Telegram does."""
    from telegram import InlineQueryResultArticle, InputTextMessageContent
    from telegram.error import BadRequest

    too_long = InlineQueryResultArticle("a", "t", InputTextMessageContent("🕊" * 2049))
    harness.core.open_inline_queries["manual"] = {"user_id": USER_ID, "query": "x"}
    try:
        await harness.app.bot.answer_inline_query("manual", [too_long])
    except BadRequest as exc:
        assert "message_too_long" in str(exc).lower()
    else:
        raise AssertionError("a 4,098-unit inline message was accepted")
