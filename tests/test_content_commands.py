"""/statements, /excerpt (/quote), /facts, /compare and /table end to end.

Every test also checks the emulator accepted every call (it validates Telegram HTML, the
4096/1024 limits and 64-byte callback data and answers 400 otherwise).
"""

from __future__ import annotations

from typing import Any

import pytest

from bot.content.corpus import load_builtin_statements, load_facts
from bot.emulator.state import SentMessage
from bot.telegram.render import MAX_MESSAGE_CHARS
from tests.harness import FORUM_ID, GROUP_ID, USER_ID, BotHarness

BANNER = "why-we-carry-this-banner"


def no_failed_calls(harness: BotHarness) -> None:
    # A restart briefly overlaps two getUpdates pollers (409); that is the harness, not us.
    failed = [
        (c.method, c.result_or_error)
        for c in harness.core.calls
        if not c.ok and c.method != "getUpdates"
    ]
    assert failed == []


def button(message: SentMessage, text_part: str) -> dict[str, Any]:
    for b in message.buttons():
        if text_part in b["text"]:
            return b
    raise AssertionError(
        f"no button with {text_part!r} in {[b['text'] for b in message.buttons()]}"
    )


def paragraphs(slug: str) -> list[str]:
    st = next(s for s in load_builtin_statements() if s.slug == slug)
    return [p.text for p in st.paragraphs]


# ------------------------------------------------------------------ /statements


async def test_statements_list_and_paging_in_place(harness: BotHarness) -> None:
    await harness.send(USER_ID, USER_ID, "/statements")
    listing = harness.last(USER_ID)
    titles = [b["text"] for b in listing.buttons()]
    assert "Why we carry this banner" in titles
    assert "Building a global movement against genocide in Palestine" in titles
    assert any(title.startswith("Vietnam: A Victory Against Imperialism") for title in titles)

    await harness.press(
        USER_ID, USER_ID, listing.message_id, button(listing, "Why we carry")["callback_data"]
    )
    msg = harness.core.message(USER_ID, listing.message_id)
    first = paragraphs(BANNER)[0]
    assert msg.text is not None
    assert "Why we carry this banner" in msg.text
    assert "Ukraine Information Group (London), 2025" in msg.text
    assert first in msg.text
    assert "Paragraph 1 of 12" in msg.text
    # The photo caption is not a paragraph.
    assert "London demonstration for ceasefire" not in msg.text
    assert [b["text"] for b in msg.buttons()] == ["▶", "☰ Back to the list"]

    # ▶ four times: paragraph 5 sits under the sub-heading "How can we respond?".
    for _ in range(4):
        await harness.press(USER_ID, USER_ID, msg.message_id, button(msg, "▶")["callback_data"])
        msg = harness.core.message(USER_ID, listing.message_id)
    assert msg.text is not None
    assert "Paragraph 5 of 12" in msg.text
    assert "How can we respond?" in msg.text
    assert paragraphs(BANNER)[4] in msg.text
    assert [b["text"] for b in msg.buttons()] == ["◀", "▶", "☰ Back to the list"]

    await harness.press(USER_ID, USER_ID, msg.message_id, button(msg, "◀")["callback_data"])
    msg = harness.core.message(USER_ID, listing.message_id)
    assert paragraphs(BANNER)[3] in (msg.text or "")
    assert "How can we respond?" not in (msg.text or "")

    await harness.press(USER_ID, USER_ID, msg.message_id, button(msg, "Back")["callback_data"])
    msg = harness.core.message(USER_ID, listing.message_id)
    assert "The group's statements" in (msg.text or "")
    assert "Why we carry this banner" in [b["text"] for b in msg.buttons()]
    # Everything happened in one message.
    assert len(harness.replies(USER_ID)) == 1
    no_failed_calls(harness)


async def test_statement_email_shown_as_plain_text(harness: BotHarness) -> None:
    await harness.send(USER_ID, USER_ID, "/statements")
    listing = harness.last(USER_ID)
    data = button(listing, "Why we carry")["callback_data"]
    last_page = data.rsplit(":", 1)[0] + ":11"
    await harness.press(USER_ID, USER_ID, listing.message_id, last_page)
    text = harness.core.message(USER_ID, listing.message_id).text or ""
    assert "Join our discussions" in text
    assert "2022ukrainesolidarity[at]gmail.com" in text
    assert "mailto" not in text and "\\[" not in text and "](" not in text
    assert "Paragraph 12 of 12" in text
    no_failed_calls(harness)


async def test_statements_in_group_with_bot_username(harness: BotHarness) -> None:
    harness.core.group_chat(GROUP_ID)
    await harness.send(GROUP_ID, USER_ID, f"/statements@{harness.core.bot_username}")
    listing = harness.last(GROUP_ID)
    assert "The group's statements" in (listing.text or "")
    await harness.press(
        GROUP_ID, USER_ID, listing.message_id, listing.buttons()[0]["callback_data"]
    )
    assert "Paragraph 1 of" in (harness.core.message(GROUP_ID, listing.message_id).text or "")
    no_failed_calls(harness)


async def test_statements_in_forum_topic(harness: BotHarness) -> None:
    harness.core.group_chat(FORUM_ID, forum=True)
    await harness.send(FORUM_ID, USER_ID, "/statements", thread_id=42)
    listing = harness.last(FORUM_ID)
    assert listing.thread_id == 42
    await harness.press(
        FORUM_ID, USER_ID, listing.message_id, listing.buttons()[0]["callback_data"]
    )
    assert "Paragraph 1 of" in (harness.core.message(FORUM_ID, listing.message_id).text or "")
    no_failed_calls(harness)


async def test_statement_button_for_unknown_statement_alerts(harness: BotHarness) -> None:
    await harness.send(USER_ID, USER_ID, "/statements")
    listing = harness.last(USER_ID)
    qid = await harness.press(USER_ID, USER_ID, listing.message_id, "st:p:0000000000:0")
    answer = harness.core.callback_answers(qid) or {}
    assert "no longer available" in str(answer.get("text"))
    no_failed_calls(harness)


# ------------------------------------------------------------------ /excerpt


async def test_excerpt_best_match_bold_with_source(harness: BotHarness) -> None:
    await harness.send(USER_ID, USER_ID, "/excerpt campism")
    reply = harness.last(USER_ID)
    assert reply.text is not None
    assert "Passages for “campism”" in reply.text
    assert "so-called “campism”, which opposes the imperialist threat" in reply.text
    assert "Why we carry this banner — Ukraine Information Group (London), 2025" in reply.text
    bold = [
        reply.text[e["offset"] : e["offset"] + e["length"]]
        for e in reply.entities
        if e["type"] == "bold"
    ]
    assert any(word.lower().startswith("campism") for word in bold)
    no_failed_calls(harness)


async def test_quote_alias_and_more_pages_in_place(harness: BotHarness) -> None:
    await harness.send(USER_ID, USER_ID, "/quote Palestine")
    first = harness.last(USER_ID)
    first_text = first.text or ""  # the emulator edits this object in place
    assert "Passages for “Palestine”" in first_text
    assert "(1–" in first_text
    more = button(first, "More")
    assert len(more["callback_data"].encode()) <= 64
    await harness.press(USER_ID, USER_ID, first.message_id, more["callback_data"])
    page2 = harness.core.message(USER_ID, first.message_id)
    assert page2.text is not None and page2.text != first_text
    assert page2.edits == 1
    assert len(harness.replies(USER_ID)) == 1
    # The second page starts where the first ended.
    shown_first = first_text.split("(1–", 1)[1].split(" ", 1)[0]
    assert f"({int(shown_first) + 1}–" in page2.text
    assert "◀ First" in [b["text"] for b in page2.buttons()]
    no_failed_calls(harness)


async def test_excerpt_more_after_restart_is_expired(harness: BotHarness) -> None:
    await harness.send(USER_ID, USER_ID, "/excerpt Palestine")
    first = harness.last(USER_ID)
    data = button(first, "More")["callback_data"]
    await harness.restart()
    qid = await harness.press(USER_ID, USER_ID, first.message_id, data)
    answer = harness.core.callback_answers(qid) or {}
    assert "expired" in str(answer.get("text"))
    assert harness.core.message(USER_ID, first.message_id).edits == 0
    no_failed_calls(harness)


async def test_excerpt_without_words_gives_a_real_paragraph(harness: BotHarness) -> None:
    await harness.send(USER_ID, USER_ID, "/excerpt")
    reply = harness.last(USER_ID)
    every = [p.text for s in load_builtin_statements() for p in s.paragraphs]
    body = (reply.text or "").split("\n\n", 1)[1]
    paragraph, source = body.rsplit("\n", 1)
    from bot.content.corpus import display_text

    assert paragraph in [display_text(p) for p in every]
    assert " — " in source
    # "Another" must always show a different passage (a repeat would look like a dead button).
    for presses in range(1, 21):
        before = harness.core.message(USER_ID, reply.message_id).text
        await harness.press(
            USER_ID, USER_ID, reply.message_id, button(reply, "Another")["callback_data"]
        )
        after = harness.core.message(USER_ID, reply.message_id)
        assert after.edits == presses and after.text != before
    no_failed_calls(harness)


async def test_excerpt_nothing_found_suggests_topics(harness: BotHarness) -> None:
    await harness.send(USER_ID, USER_ID, "/excerpt qqqxz")
    reply = harness.last(USER_ID)
    assert "I found no passage for “qqqxz”" in (reply.text or "")
    assert "/excerpt genocide" in (reply.text or "")
    await harness.press(
        USER_ID, USER_ID, reply.message_id, button(reply, "campism")["callback_data"]
    )
    edited = harness.core.message(USER_ID, reply.message_id)
    assert "so-called “campism”" in (edited.text or "")
    no_failed_calls(harness)


async def test_excerpt_escapes_user_html(harness: BotHarness) -> None:
    await harness.send(USER_ID, USER_ID, "/excerpt <b>zzqy & </i>")
    assert "<b>zzqy & </i>" in (harness.last(USER_ID).text or "")
    no_failed_calls(harness)


async def test_excerpt_in_group_and_forum(harness: BotHarness) -> None:
    harness.core.group_chat(GROUP_ID)
    harness.core.group_chat(FORUM_ID, forum=True)
    await harness.send(GROUP_ID, USER_ID, f"/excerpt@{harness.core.bot_username} Vietnam")
    assert "Passages for “Vietnam”" in (harness.last(GROUP_ID).text or "")
    await harness.send(FORUM_ID, USER_ID, "/quote Vietnam", thread_id=7)
    reply = harness.last(FORUM_ID)
    assert reply.thread_id == 7 and "Passages for “Vietnam”" in (reply.text or "")
    await harness.press(FORUM_ID, USER_ID, reply.message_id, button(reply, "More")["callback_data"])
    assert harness.core.message(FORUM_ID, reply.message_id).edits == 1
    no_failed_calls(harness)


# ------------------------------------------------------------------ /facts, /compare


def row(key: str) -> Any:
    return next(r for r in load_facts() if r.key == key)


async def test_facts_buttons_show_both_blocks_with_source(harness: BotHarness) -> None:
    await harness.send(USER_ID, USER_ID, "/facts")
    listing = harness.last(USER_ID)
    questions = [b["text"] for b in listing.buttons()]
    assert questions == [r.question for r in load_facts()]
    await harness.press(
        USER_ID, USER_ID, listing.message_id, button(listing, "Genocide?")["callback_data"]
    )
    msg = harness.core.message(USER_ID, listing.message_id)
    text = msg.text or ""
    genocide = row("genocide")
    israel_at, russia_at = text.index("Israel in Palestine"), text.index("Russia in Ukraine")
    assert israel_at < text.index(genocide.israel) < russia_at < text.index(genocide.russia)
    assert "Source: “Why we carry this banner”, Ukraine Information Group (London)" in text
    await harness.press(
        USER_ID, USER_ID, msg.message_id, button(msg, "All questions")["callback_data"]
    )
    assert [
        b["text"] for b in harness.core.message(USER_ID, listing.message_id).buttons()
    ] == questions
    no_failed_calls(harness)


@pytest.mark.parametrize(
    ("words", "key"),
    [("bombing", "bombs-civilians"), ("settlers", "settler-colonial"), ("genocide", "genocide")],
)
async def test_compare_loose_match(harness: BotHarness, words: str, key: str) -> None:
    await harness.send(USER_ID, USER_ID, f"/compare {words}")
    text = harness.last(USER_ID).text or ""
    r = row(key)
    assert r.question in text and r.israel in text and r.russia in text
    no_failed_calls(harness)


async def test_compare_no_match_lists_questions(harness: BotHarness) -> None:
    await harness.send(USER_ID, USER_ID, "/compare weather")
    reply = harness.last(USER_ID)
    assert "I couldn't match “weather”" in (reply.text or "")
    for r in load_facts():
        assert r.question in (reply.text or "")
    assert len(reply.buttons()) == 6
    no_failed_calls(harness)


async def test_compare_ambiguous_offers_candidates(harness: BotHarness) -> None:
    query = "military"
    assert harness.services.content.match_fact(query).kind == "candidates"
    await harness.send(USER_ID, USER_ID, f"/compare {query}")
    reply = harness.last(USER_ID)
    assert "could mean more than one question" in (reply.text or "")
    candidates = harness.services.content.match_fact(query).candidates
    assert [b["text"] for b in reply.buttons()] == [c.question for c in candidates]
    await harness.press(USER_ID, USER_ID, reply.message_id, reply.buttons()[0]["callback_data"])
    assert candidates[0].israel in (harness.core.message(USER_ID, reply.message_id).text or "")
    no_failed_calls(harness)


async def test_compare_in_group_and_forum(harness: BotHarness) -> None:
    harness.core.group_chat(GROUP_ID)
    harness.core.group_chat(FORUM_ID, forum=True)
    await harness.send(GROUP_ID, USER_ID, f"/compare@{harness.core.bot_username} genocide")
    assert row("genocide").russia in (harness.last(GROUP_ID).text or "")
    await harness.send(FORUM_ID, USER_ID, "/facts", thread_id=5)
    reply = harness.last(FORUM_ID)
    assert reply.thread_id == 5 and len(reply.buttons()) == 6
    no_failed_calls(harness)


# ------------------------------------------------------------------ /table


async def test_table_photo_cached_file_id_and_text_version(harness: BotHarness) -> None:
    await harness.send(USER_ID, USER_ID, "/table")
    photo = harness.last(USER_ID)
    assert photo.method == "sendPhoto"
    assert photo.files[0].data.startswith(b"\x89PNG")
    assert "Why we carry this banner" in (photo.text or "")

    await harness.send(USER_ID, USER_ID, "/table")
    calls = harness.core.calls_for("sendPhoto")
    assert len(calls) == 2
    # The second time reuses Telegram's file_id instead of uploading again.
    assert calls[1].params.get("photo") == photo.raw["photo"][-1]["file_id"]

    before = len(harness.replies(USER_ID))
    await harness.press(
        USER_ID, USER_ID, photo.message_id, button(photo, "Text version")["callback_data"]
    )
    texts = [m.text or "" for m in harness.replies(USER_ID)[before:]]
    joined = "\n".join(texts)
    for r in load_facts():
        assert r.question in joined and r.israel in joined and r.russia in joined
    assert all(len(t) <= MAX_MESSAGE_CHARS for t in texts)
    no_failed_calls(harness)


async def test_table_in_group_and_forum_topic(harness: BotHarness) -> None:
    harness.core.group_chat(GROUP_ID)
    harness.core.group_chat(FORUM_ID, forum=True)
    await harness.send(GROUP_ID, USER_ID, f"/table@{harness.core.bot_username}")
    assert harness.last(GROUP_ID).method == "sendPhoto"
    await harness.send(FORUM_ID, USER_ID, "/table", thread_id=9)
    photo = harness.last(FORUM_ID)
    assert photo.method == "sendPhoto" and photo.thread_id == 9
    await harness.press(
        FORUM_ID, USER_ID, photo.message_id, button(photo, "Text version")["callback_data"]
    )
    text_reply = harness.last(FORUM_ID)
    assert text_reply.thread_id == 9 and "Genocide?" in (text_reply.text or "")
    no_failed_calls(harness)


# ------------------------------------------------------------------ every command, every place

COMMAND_REPLIES = [
    ("statements", "The group's statements"),
    ("excerpt solidarity", "Passages for “solidarity”"),
    ("quote Vietnam", "Passages for “Vietnam”"),
    ("facts", "Choose a question"),
    ("compare genocide", "Arguably. Putin speaks about eliminating the Ukrainian nation"),
    ("table", "Source: “Why we carry this banner”, Ukraine Information Group (London)"),
]


@pytest.mark.parametrize(("command", "expected"), COMMAND_REPLIES)
@pytest.mark.parametrize("place", ["private", "group", "group@bot", "topic", "general"])
async def test_every_content_command_everywhere(
    harness: BotHarness, command: str, expected: str, place: str
) -> None:
    """Private chat, group (plain and /cmd@bot), forum topic (same thread) and General topic."""
    harness.core.group_chat(GROUP_ID)
    harness.core.group_chat(FORUM_ID, forum=True)
    chat = {"private": USER_ID, "group": GROUP_ID, "group@bot": GROUP_ID}.get(place, FORUM_ID)
    name, _, args = command.partition(" ")
    if place == "group@bot":
        name = f"{name}@{harness.core.bot_username}"
    text = f"/{name} {args}".strip()
    thread = 42 if place == "topic" else None
    await harness.send(chat, USER_ID, text, thread_id=thread)
    replies = harness.replies(chat)
    assert len(replies) == 1
    assert expected in (replies[0].text or "")
    assert replies[0].thread_id == thread  # General topic: no message_thread_id at all
    no_failed_calls(harness)
