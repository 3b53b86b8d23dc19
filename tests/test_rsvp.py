"""RSVP end to end: Going and Can't go, the popup saying the state after each press, one's own
answer in private, details sent privately on Going, counts (only) in /stats."""

from __future__ import annotations

from storage.privacy import PrivacyRepo
from tests.harness import ADMIN_ID, GROUP_ID, OTHER_ID, USER_ID, BotHarness, add_demo, texts_of
from tests.outbox_helpers import SleepRecorder


def popup(h: BotHarness, query_id: str) -> str:
    return str((h.core.callback_answers(query_id) or {}).get("text"))


async def test_going_in_group_after_going_in_private_stays_going(
    fast: SleepRecorder, harness: BotHarness
) -> None:
    """The issue's case: pressing Going in the group after Going in private said "Taken off
    the list". Now the popup always states the answer after the press."""
    demo = await add_demo(harness, 30, details="Gate B")
    await harness.send(USER_ID, USER_ID, f"/demo {demo}")
    private_card = harness.last(USER_ID)
    qid = await harness.press(USER_ID, USER_ID, private_card.message_id, f"demo:rsvp:{demo}")
    assert popup(harness, qid).startswith("You're going")
    harness.core.group_chat(GROUP_ID)
    await harness.send(GROUP_ID, OTHER_ID, f"/demo {demo}")
    group_card = harness.last(GROUP_ID)
    qid = await harness.press(GROUP_ID, USER_ID, group_card.message_id, f"demo:rsvp:{demo}")
    assert popup(harness, qid) == "You're going ✋ — details will come in private."
    assert await harness.services.demos.rsvp_answer(demo, USER_ID) is True
    assert await harness.services.demos.rsvp_count(demo) == 1
    qid = await harness.press(GROUP_ID, USER_ID, group_card.message_id, f"demo:cant:{demo}")
    assert popup(harness, qid) == "You can't go — noted. Thank you for saying."
    assert await harness.services.demos.rsvp_answer(demo, USER_ID) is False
    assert await harness.services.demos.rsvp_count(demo) == 0
    # The group never sees who answered, nor the details.
    assert all("Gate B" not in t for t in texts_of(harness, GROUP_ID))


async def test_own_answer_shown_in_private(fast: SleepRecorder, harness: BotHarness) -> None:
    demo = await add_demo(harness, 30, details="Gate B")
    await harness.send(USER_ID, USER_ID, f"/demo {demo}")
    assert "Your answer" not in texts_of(harness, USER_ID)[-1]
    card = harness.last(USER_ID)
    await harness.press(USER_ID, USER_ID, card.message_id, f"demo:cant:{demo}")
    await harness.send(USER_ID, USER_ID, f"/demo {demo}")
    shown = texts_of(harness, USER_ID)[-1]
    assert "Your answer: can't go." in shown and "Gate B" not in shown
    await harness.press(USER_ID, USER_ID, card.message_id, f"demo:rsvp:{demo}")
    await harness.send(USER_ID, USER_ID, f"/demo {demo}")
    shown = texts_of(harness, USER_ID)[-1]
    assert "Your answer: going." in shown and "Gate B" in shown
    # In a group, /demo shows nobody's answer.
    harness.core.group_chat(GROUP_ID)
    await harness.send(GROUP_ID, USER_ID, f"/demo {demo}")
    assert "Your answer" not in texts_of(harness, GROUP_ID)[-1]


async def test_going_sends_details_privately_at_once(
    fast: SleepRecorder, harness: BotHarness
) -> None:
    demo = await add_demo(harness, 30, details="Meet at gate B, step-free")
    await harness.send(USER_ID, USER_ID, "/start")  # USER_ID has started the bot
    harness.core.group_chat(GROUP_ID)
    await harness.send(GROUP_ID, USER_ID, f"/demo {demo}")
    card = harness.last(GROUP_ID)
    before = len(harness.replies(USER_ID))
    await harness.press(GROUP_ID, USER_ID, card.message_id, f"demo:rsvp:{demo}")
    sent = harness.replies(USER_ID)[before:]
    assert len(sent) == 1 and "Meet at gate B, step-free" in (sent[0].text or "")
    # Pressing Going again changes nothing and sends nothing again.
    await harness.press(GROUP_ID, USER_ID, card.message_id, f"demo:rsvp:{demo}")
    assert len(harness.replies(USER_ID)) == before + 1
    # Someone who never started the bot is told how to get the details; nothing is sent.
    qid = await harness.press(GROUP_ID, OTHER_ID, card.message_id, f"demo:rsvp:{demo}")
    assert "Start me in a private chat" in popup(harness, qid)
    assert harness.replies(OTHER_ID) == []
    # Can't go sends nothing privately.
    before = len(harness.replies(USER_ID))
    await harness.press(GROUP_ID, USER_ID, card.message_id, f"demo:cant:{demo}")
    assert len(harness.replies(USER_ID)) == before


async def test_stats_show_counts_per_demo_only(fast: SleepRecorder, harness: BotHarness) -> None:
    demo = await add_demo(harness, 30, title="Ceasefire march")
    harness.core.group_chat(GROUP_ID)
    await harness.send(GROUP_ID, USER_ID, f"/demo {demo}")
    card = harness.last(GROUP_ID)
    await harness.press(GROUP_ID, USER_ID, card.message_id, f"demo:rsvp:{demo}")
    await harness.press(GROUP_ID, OTHER_ID, card.message_id, f"demo:cant:{demo}")
    await harness.send(ADMIN_ID, ADMIN_ID, "/stats")
    stats = texts_of(harness, ADMIN_ID)[-1]
    assert f"#{demo} Ceasefire march: ✋ 1 going · 1 can't go" in stats
    assert str(USER_ID) not in stats and str(OTHER_ID) not in stats


async def test_answers_erased_by_forget(fast: SleepRecorder, harness: BotHarness) -> None:
    demo = await add_demo(harness, 30)
    await harness.send(USER_ID, USER_ID, f"/demo {demo}")
    card = harness.last(USER_ID)
    await harness.press(USER_ID, USER_ID, card.message_id, f"demo:cant:{demo}")
    repo = PrivacyRepo(harness.services.db)
    assert "rsvp_declines.user_id" in await repo.mentions(USER_ID)
    await repo.erase(USER_ID, person=True)
    assert await repo.mentions(USER_ID) == []
    assert await harness.services.demos.rsvp_answer(demo, USER_ID) is None
