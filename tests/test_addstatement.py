"""/addstatement and /removestatement end to end: admins only, files checked, stored for good."""

from __future__ import annotations

from bot.telegram.limits import visible_units
from tests.harness import ADMIN_ID, FORUM_ID, GROUP_ID, USER_ID, BotHarness
from tests.test_content_commands import button, no_failed_calls

FRONT_MATTER = """---
title: Solidarity with Sudan's resistance committees
author: Test Collective
date: 1 May 2025
---

# Solidarity with Sudan's resistance committees

The neighbourhood resistance committees of Khartoum organise food kitchens and clinics
while the war goes on around them.

## What we ask

We ask every union branch to twin with a committee and send regular support
through trusted channels.
"""

PLAIN = """Zanzibar clove pickers

The clove pickers of Pemba have formed a cooperative that sets its own prices for the harvest.
"""


async def _add(harness: BotHarness, name: str, data: bytes, caption: str | None = None) -> None:
    await harness.send(ADMIN_ID, ADMIN_ID, caption, document=(name, data))  # type: ignore[arg-type]


async def _excerpt(harness: BotHarness, chat: int, words: str) -> str:
    await harness.send(chat, chat, f"/excerpt {words}")
    return harness.last(chat).text or ""


async def test_add_with_front_matter_searchable_and_survives_restart(harness: BotHarness) -> None:
    await harness.send(ADMIN_ID, ADMIN_ID, "/addstatement")
    assert "Send me the statement as a .txt or .md file" in (harness.last(ADMIN_ID).text or "")
    await _add(harness, "sudan.md", FRONT_MATTER.encode())
    done = harness.last(ADMIN_ID).text or ""
    assert "Added “Solidarity with Sudan's resistance committees” (2 paragraphs)" in done
    assert "solidarity-with-sudan-s-resistance-committees" in done

    text = await _excerpt(harness, USER_ID, "food kitchens Khartoum")
    assert "neighbourhood resistance committees of Khartoum organise food kitchens" in text
    assert "Solidarity with Sudan's resistance committees — Test Collective, 1 May 2025" in text

    await harness.restart()
    text = await _excerpt(harness, USER_ID, "twin union branch committee")
    assert "We ask every union branch to twin with a committee" in text

    # It is also readable with /statements, sub-heading included.
    await harness.send(USER_ID, USER_ID, "/statements")
    listing = harness.last(USER_ID)
    data = button(listing, "Sudan")["callback_data"]
    await harness.press(USER_ID, USER_ID, listing.message_id, data.rsplit(":", 1)[0] + ":1")
    page = harness.core.message(USER_ID, listing.message_id).text or ""
    assert "What we ask" in page and "Test Collective, 1 May 2025" in page
    no_failed_calls(harness)


async def test_add_with_caption_then_asked_step_by_step(harness: BotHarness) -> None:
    await _add(harness, "pemba.txt", PLAIN.encode(), caption="/addstatement")
    # The title came from the first short line; author and date are asked for.
    assert "author" in (harness.last(ADMIN_ID).text or "")
    await harness.send(ADMIN_ID, ADMIN_ID, "Island Workers' Voice")
    assert "date" in (harness.last(ADMIN_ID).text or "")
    await harness.send(ADMIN_ID, ADMIN_ID, "/skip")
    assert "Added “Zanzibar clove pickers” (1 paragraph)" in (harness.last(ADMIN_ID).text or "")
    text = await _excerpt(harness, USER_ID, "clove cooperative")
    assert "The clove pickers of Pemba have formed a cooperative" in text
    assert "Zanzibar clove pickers — Island Workers' Voice" in text
    no_failed_calls(harness)


async def test_add_asks_for_title_when_missing(harness: BotHarness) -> None:
    body = b"---\nauthor: Someone\ndate: 2025\n---\n" + b"A long first paragraph. " * 10
    await _add(harness, "untitled.txt", body, caption="/addstatement")
    assert "title" in (harness.last(ADMIN_ID).text or "")
    await harness.send(ADMIN_ID, ADMIN_ID, "A <title> & more")
    assert "Added “A <title> & more”" in (harness.last(ADMIN_ID).text or "")
    no_failed_calls(harness)


async def test_non_admin_is_refused_and_nothing_stored(harness: BotHarness) -> None:
    before = await harness.services.content.list_statements()
    await harness.send(USER_ID, USER_ID, "/addstatement")
    assert "only the bot's administrators" in (harness.last(USER_ID).text or "")
    await harness.send(USER_ID, USER_ID, "/addstatement", document=("x.md", FRONT_MATTER.encode()))
    assert "only the bot's administrators" in (harness.last(USER_ID).text or "")
    # A file sent afterwards is not taken either.
    await harness.send(USER_ID, USER_ID, None, document=("x.md", FRONT_MATTER.encode()))  # type: ignore[arg-type]
    assert await harness.services.content.list_statements() == before
    assert "I found no passage" in await _excerpt(harness, USER_ID, "Khartoum")
    no_failed_calls(harness)


async def test_bad_files_are_refused_clearly(harness: BotHarness) -> None:
    await harness.send(ADMIN_ID, ADMIN_ID, "/addstatement")
    await harness.send(ADMIN_ID, ADMIN_ID, "just text")
    assert "Please send the statement as a file" in (harness.last(ADMIN_ID).text or "")
    await _add(harness, "photo.png", b"\x89PNG....")
    assert "is not a .txt or .md file" in (harness.last(ADMIN_ID).text or "")
    await _add(harness, "big.txt", b"word " * 50_000)
    assert "too big" in (harness.last(ADMIN_ID).text or "")
    await _add(harness, "latin1.txt", "Caf\xe9 ol\xe9, a paragraph.".encode("latin-1"))
    assert "not UTF-8" in (harness.last(ADMIN_ID).text or "")
    await _add(harness, "empty.txt", b"   \n")
    assert "empty" in (harness.last(ADMIN_ID).text or "")
    await harness.send(ADMIN_ID, ADMIN_ID, "/cancel")
    assert "nothing was added" in (harness.last(ADMIN_ID).text or "")
    # After /cancel a file is not taken.
    await _add(harness, "sudan.md", FRONT_MATTER.encode())
    assert "I found no passage" in await _excerpt(harness, USER_ID, "Khartoum")
    no_failed_calls(harness)


async def test_addstatement_in_group_points_to_private_chat(harness: BotHarness) -> None:
    harness.core.group_chat(GROUP_ID)
    harness.core.group_chat(FORUM_ID, forum=True)
    await harness.send(GROUP_ID, ADMIN_ID, f"/addstatement@{harness.core.bot_username}")
    assert "private chat" in (harness.last(GROUP_ID).text or "")
    await harness.send(FORUM_ID, ADMIN_ID, "/addstatement", thread_id=3)
    reply = harness.last(FORUM_ID)
    assert reply.thread_id == 3 and "private chat" in (reply.text or "")
    no_failed_calls(harness)


async def test_remove_with_buttons_owner_only_and_confirm(harness: BotHarness) -> None:
    other_admin = 1001
    await harness.stop()
    harness.admin_ids = frozenset({ADMIN_ID, other_admin})
    await harness.start()
    await _add(harness, "sudan.md", FRONT_MATTER.encode(), caption="/addstatement")
    await harness.send(ADMIN_ID, ADMIN_ID, "/removestatement")
    listing = harness.last(ADMIN_ID)
    # Only added statements are offered, never the built-in ones.
    assert [b["text"] for b in listing.buttons()] == [
        "Solidarity with Sudan's resistance committees"
    ]
    data = listing.buttons()[0]["callback_data"]
    # Another administrator may not press this admin's button.
    qid = await harness.press(ADMIN_ID, other_admin, listing.message_id, data)
    assert "isn't for you" in str((harness.core.callback_answers(qid) or {}).get("text"))
    await harness.press(ADMIN_ID, ADMIN_ID, listing.message_id, data)
    confirm = harness.core.message(ADMIN_ID, listing.message_id)
    assert "Remove “Solidarity with Sudan's resistance committees” for good?" in (
        confirm.text or ""
    )
    await harness.press(
        ADMIN_ID, ADMIN_ID, listing.message_id, button(confirm, "Yes")["callback_data"]
    )
    assert "Removed" in (harness.core.message(ADMIN_ID, listing.message_id).text or "")
    assert "I found no passage" in await _excerpt(harness, USER_ID, "Khartoum")
    await harness.restart()
    assert "I found no passage" in await _excerpt(harness, USER_ID, "Khartoum")
    no_failed_calls(harness)


async def test_remove_by_slug_keep_button_and_refusals(harness: BotHarness) -> None:
    await _add(
        harness,
        "pemba.txt",
        b"---\ntitle: Pemba\nauthor: A\ndate: 2025\n---\n" + PLAIN.encode(),
        caption="/addstatement",
    )
    await harness.send(ADMIN_ID, ADMIN_ID, "/removestatement")
    listing = harness.last(ADMIN_ID)
    await harness.press(
        ADMIN_ID, ADMIN_ID, listing.message_id, listing.buttons()[0]["callback_data"]
    )
    confirm = harness.core.message(ADMIN_ID, listing.message_id)
    await harness.press(
        ADMIN_ID, ADMIN_ID, listing.message_id, button(confirm, "Keep")["callback_data"]
    )
    assert "Nothing was removed" in (harness.core.message(ADMIN_ID, listing.message_id).text or "")
    assert "Pemba have formed" in await _excerpt(harness, USER_ID, "clove")

    await harness.send(USER_ID, USER_ID, "/removestatement pemba")
    assert "only the bot's administrators" in (harness.last(USER_ID).text or "")
    await harness.send(ADMIN_ID, ADMIN_ID, "/removestatement why-we-carry-this-banner")
    assert "There is no added statement why-we-carry-this-banner" in (
        harness.last(ADMIN_ID).text or ""
    )
    await harness.send(ADMIN_ID, ADMIN_ID, "/removestatement pemba")
    assert "Removed “Pemba”" in (harness.last(ADMIN_ID).text or "")
    assert "Pemba have formed" not in await _excerpt(harness, USER_ID, "clove")
    await harness.send(ADMIN_ID, ADMIN_ID, "/removestatement")
    assert "nothing to remove" in (harness.last(ADMIN_ID).text or "")
    no_failed_calls(harness)


async def test_very_long_paragraph_stays_within_telegram_limits(harness: BotHarness) -> None:
    sentence = "Workers in every port refused to load the weapons shipment that week. "
    long_paragraph = (sentence * 130).strip()  # about 9,000 characters
    body = f"---\ntitle: Dockers refuse\nauthor: Port Branch\ndate: 2025\n---\n\n{long_paragraph}\n"
    await _add(harness, "dockers.txt", body.encode(), caption="/addstatement")
    assert "Added “Dockers refuse”" in (harness.last(ADMIN_ID).text or "")

    text = await _excerpt(harness, USER_ID, "dockers port refused shipment")
    assert "Workers in every port refused to load the weapons shipment" in text
    assert "Dockers refuse — Port Branch, 2025" in text
    assert len(text) <= 4096

    await harness.send(USER_ID, USER_ID, "/statements")
    listing = harness.last(USER_ID)
    await harness.press(
        USER_ID, USER_ID, listing.message_id, button(listing, "Dockers")["callback_data"]
    )
    page = harness.core.message(USER_ID, listing.message_id).text or ""
    assert page.startswith("Dockers refuse\nPort Branch, 2025") and len(page) <= 4096
    # The rest of the paragraph follows in new messages (tests/test_paged_views.py).
    assert "Paragraph 1 of 1" in (harness.last(USER_ID).text or "")

    qid = await harness.inline(USER_ID, "dockers shipment")
    results = harness.core.inline_answers(qid) or []
    shared = [r["input_message_content"]["message_text"] for r in results]
    assert any("Workers in every port refused" in m for m in shared)
    assert all(visible_units(m) <= 4096 for m in shared)  # what Telegram counts
    no_failed_calls(harness)


async def test_removestatement_in_group_topic_and_refusal_there(harness: BotHarness) -> None:
    harness.core.group_chat(GROUP_ID)
    harness.core.group_chat(FORUM_ID, forum=True)
    await _add(harness, "sudan.md", FRONT_MATTER.encode(), caption="/addstatement")
    await harness.send(GROUP_ID, ADMIN_ID, f"/removestatement@{harness.core.bot_username}")
    assert "Remove an added statement" in (harness.last(GROUP_ID).text or "")
    await harness.send(FORUM_ID, ADMIN_ID, "/removestatement", thread_id=8)
    listing = harness.last(FORUM_ID)
    assert listing.thread_id == 8
    assert [b["text"] for b in listing.buttons()] == [
        "Solidarity with Sudan's resistance committees"
    ]
    # A member pressing the admin's button in the group is refused; nothing removed.
    qid = await harness.press(
        FORUM_ID, USER_ID, listing.message_id, listing.buttons()[0]["callback_data"]
    )
    assert "isn't for you" in str((harness.core.callback_answers(qid) or {}).get("text"))
    await harness.send(FORUM_ID, USER_ID, "/removestatement", thread_id=8)
    refusal = harness.last(FORUM_ID)
    assert "only the bot's administrators" in (refusal.text or "") and refusal.thread_id == 8
    assert "Khartoum" in await _excerpt(harness, USER_ID, "food kitchens")
    no_failed_calls(harness)
