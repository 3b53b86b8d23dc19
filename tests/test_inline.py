"""Inline mode end to end: facts for an empty query, excerpts and facts for words."""

from __future__ import annotations

from typing import Any

from bot.content.corpus import load_facts
from bot.emulator import parse_html
from bot.telegram.render import MAX_MESSAGE_CHARS
from tests.harness import USER_ID, BotHarness
from tests.test_content_commands import no_failed_calls


def _check_result_shapes(results: list[dict[str, Any]]) -> list[str]:
    """Every result: an article, unique id, valid HTML within 4096, short description."""
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
        assert len(plain) <= MAX_MESSAGE_CHARS
        assert len(r.get("description", "")) <= 100
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
    qid = await harness.inline(USER_ID, "campism")
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
