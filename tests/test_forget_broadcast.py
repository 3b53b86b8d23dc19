"""/forget while a broadcast is sending to the chat: counts stay true, nothing arrives after."""

from __future__ import annotations

import pytest

from tests.harness import ADMIN_ID, BotHarness
from tests.outbox_helpers import broadcast, fast_options, received, subscribe

GROUP = -1009988776600
OWNER = 4242
OTHERS = [8801, 8802, 8803, 8804, 8805]


async def test_forget_during_a_held_send_keeps_counts_and_order(
    monkeypatch: pytest.MonkeyPatch, harness: BotHarness
) -> None:
    fast_options(monkeypatch, send_timeout=5.0)
    await harness.restart()
    await subscribe(harness, [GROUP, *OTHERS])
    harness.core.set_member(GROUP, OWNER, "creator")
    await harness.send(GROUP, OWNER, "/forget")
    confirm = harness.last(GROUP).message_id
    # Telegram holds the group's copy 1.5 s (then delivers it); the owner erases meanwhile.
    harness.core.faults.add("sendMessage", chat_id=GROUP, kind="timeout", delay=1.5)
    bid = await broadcast(harness, [GROUP, *OTHERS], "Rally at noon")
    await harness.core.wait_for(lambda: len(received(harness, OTHERS, "Rally")) == 5, 10)
    assert not received(harness, [GROUP], "Rally")  # still held
    await harness.press(GROUP, OWNER, confirm, f"forget:yes:{GROUP}")
    await harness.services.outbox.wait_finished(bid, 10)

    row = await harness.services.outbox.repo.get(bid)
    assert row is not None
    # The send under way was waited for, so it counts (6 of 6); never "6/5 sent".
    assert (row.total, row.sent) == (6, 6), (row.total, row.sent)
    # The announcement (already on its way) came before the erasure, never after it.
    order = [
        "erase" if "erased everything" in str(c.params.get("text")) else "rally"
        for c in harness.core.calls
        if c.params.get("chat_id") in (GROUP, str(GROUP))
        and ("Rally" in str(c.params.get("text")) or "erased" in str(c.params.get("text")))
    ]
    assert order == ["rally", "erase"], order
    await harness.send(ADMIN_ID, ADMIN_ID, "/broadcasts")
    assert f"#{bid} announce · done · 6/6 sent" in (harness.last(ADMIN_ID).text or "")


async def test_forget_drops_the_chats_queued_deliveries(
    monkeypatch: pytest.MonkeyPatch, harness: BotHarness
) -> None:
    """A delivery not yet under way when the chat is erased is never sent, nor counted."""
    fast_options(monkeypatch, send_timeout=5.0, workers=1)
    await harness.restart()
    first = GROUP - 1  # deliveries go in chat id order: this one is sent before the group's
    await subscribe(harness, [first, GROUP, *OTHERS])
    harness.core.set_member(GROUP, OWNER, "creator")
    await harness.send(GROUP, OWNER, "/forget")
    confirm = harness.last(GROUP).message_id
    harness.core.faults.add("sendMessage", chat_id=first, kind="timeout", delay=1.5)
    bid = await broadcast(harness, [first, GROUP, *OTHERS], "Rally at noon")
    await harness.core.wait_for(lambda: bool(harness.services.outbox.active_ids), 10)
    await harness.press(GROUP, OWNER, confirm, f"forget:yes:{GROUP}")
    await harness.services.outbox.wait_finished(bid, 10)
    row = await harness.services.outbox.repo.get(bid)
    assert row is not None
    assert (row.total, row.sent) == (6, 6), (row.total, row.sent)
    assert not received(harness, [GROUP], "Rally")
