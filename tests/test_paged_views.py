"""A page edited in place that needs several messages is sent whole, buttons under all of it."""

from __future__ import annotations

import re

from bot.telegram.limits import visible_units
from tests.harness import ADMIN_ID, USER_ID, BotHarness, add_demo, buttons
from tests.outbox_helpers import SleepRecorder
from tests.test_content_commands import button, no_failed_calls


def _shown_numbers(texts: list[str]) -> set[int]:
    return {int(n) for text in texts for n in re.findall(r"#(\d+)\b", text)}


async def test_demos_page_back_and_forth_keeps_every_demo(
    fast: SleepRecorder, harness: BotHarness
) -> None:
    """Six demos with 1,500-character descriptions: after ▶ then ◀ page 1 used to show only
    #1-#2 (the first part) while keeping Going buttons for #1-#5."""
    ids = [
        await add_demo(harness, 24 + i, title=f"Vigil {i}", description="Words of peace. " * 93)
        for i in range(6)
    ]
    await harness.send(USER_ID, USER_ID, "/demos")
    first_page = [m.text or "" for m in harness.replies(USER_ID)]
    assert len(first_page) >= 2 and _shown_numbers(first_page) >= set(ids[:5])
    last = harness.last(USER_ID)
    await harness.press(USER_ID, USER_ID, last.message_id, "demo:page:1")
    assert "(2/2)" in (harness.core.message(USER_ID, last.message_id).text or "")
    before = len(harness.replies(USER_ID))
    await harness.press(USER_ID, USER_ID, last.message_id, "demo:page:0")
    # The pressed message shows the page's first part; the rest follows in new messages.
    page = [harness.core.message(USER_ID, last.message_id).text or ""]
    page += [m.text or "" for m in harness.replies(USER_ID)[before:]]
    assert len(page) == len(first_page)
    assert page[0].startswith(first_page[0][:40])
    assert _shown_numbers(page) >= set(ids[:5]), page
    keyboard_owner = harness.last(USER_ID)
    going = {int(c.split(":")[2]) for _, c in buttons(keyboard_owner) if ":rsvp:" in c}
    assert going == set(ids[:5])
    assert not buttons(harness.core.message(USER_ID, last.message_id))  # no stale buttons
    assert all(visible_units(p) <= 4096 for p in page)
    no_failed_calls(harness)


async def test_statement_page_with_a_very_long_paragraph_is_shown_whole(
    harness: BotHarness,
) -> None:
    sentence = "Workers in every port refused to load the weapons shipment that week. "
    paragraph = (sentence * 130).strip()  # about 9,000 characters
    body = f"---\ntitle: Dockers refuse\nauthor: Port Branch\ndate: 2025\n---\n\n{paragraph}\n"
    await harness.send(ADMIN_ID, ADMIN_ID, "/addstatement", document=("d.txt", body.encode()))
    await harness.send(USER_ID, USER_ID, "/statements")
    listing = harness.last(USER_ID)
    before = len(harness.replies(USER_ID))
    await harness.press(
        USER_ID, USER_ID, listing.message_id, button(listing, "Dockers")["callback_data"]
    )
    parts = [harness.core.message(USER_ID, listing.message_id).text or ""]
    parts += [m.text or "" for m in harness.replies(USER_ID)[before:]]
    assert len(parts) >= 3
    whole = " ".join(" ".join(parts).split())
    assert whole.count("Workers in every port refused") == 130  # nothing cut
    assert "Paragraph 1 of 1" in parts[-1]
    assert buttons(harness.last(USER_ID)) and not buttons(
        harness.core.message(USER_ID, listing.message_id)
    )
    no_failed_calls(harness)
