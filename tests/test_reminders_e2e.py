"""Reminders end to end: real Application, fake Bot API, FakeClock; zones, DST, restarts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.demos.timeparse import local_to_utc
from storage.demos import NewDemo
from tests.harness import GROUP_ID, OTHER_ID, USER_ID, BotHarness
from tests.outbox_helpers import SleepRecorder

MARK = "Reminder: starts"


def reminders(h: BotHarness, chat_id: int) -> list[str]:
    return [m.text or "" for m in h.replies(chat_id) if MARK in (m.text or "")]


async def wait_reminders(h: BotHarness, chat_id: int, n: int) -> list[str]:
    await h.core.wait_for(lambda: len(reminders(h, chat_id)) >= n, what=f"{n} in {chat_id}")
    return reminders(h, chat_id)


async def at(h: BotHarness, when: datetime) -> int:
    h.clock.set(when)
    stats = await h.services.reminders.tick()
    return stats.reminders


async def subscribe(h: BotHarness, chat_id: int, tz: str) -> None:
    await h.send(chat_id, chat_id, "/subscribe")
    await h.send(chat_id, chat_id, f"/settings timezone {tz}")


async def test_reminders_in_several_zones_across_dst(
    fast: SleepRecorder, harness: BotHarness
) -> None:
    harness.clock.set(datetime(2026, 3, 26, 12, 0, tzinfo=UTC))
    london, kyiv, new_york = 3001, 3002, 3003
    await subscribe(harness, london, "Europe/London")
    await subscribe(harness, kyiv, "Europe/Kyiv")
    await subscribe(harness, new_york, "America/New_York")
    # 14:00 London on Monday 30 March, the day after the clocks went forward (= 13:00 UTC).
    start = local_to_utc(datetime(2026, 3, 30, 14, 0), ZoneInfo("Europe/London"))
    await harness.services.reminders.add_demo(
        NewDemo(starts_at=start, place="Whitehall", title="Spring march")
    )
    assert await at(harness, datetime(2026, 3, 29, 12, 59, tzinfo=UTC)) == 0
    # 24 h before on each chat's wall clock: 14:00 BST / 16:00 EEST / 09:00 EDT = 13:00 UTC.
    assert await at(harness, datetime(2026, 3, 29, 13, 0, tzinfo=UTC)) == 3
    for chat, local in (
        (london, "14:00 (Europe/London)"),
        (kyiv, "16:00 (Europe/Kyiv)"),
        (new_york, "09:00 (America/New_York)"),
    ):
        got = await wait_reminders(harness, chat, 1)
        assert "starts in 1 day" in got[0] and local in got[0]
    assert await at(harness, datetime(2026, 3, 30, 10, 59, tzinfo=UTC)) == 0
    assert await at(harness, datetime(2026, 3, 30, 11, 0, tzinfo=UTC)) == 3
    for chat in (london, kyiv, new_york):
        got = await wait_reminders(harness, chat, 2)
        assert "starts in 2 hours" in got[1]
    assert await at(harness, datetime(2026, 3, 30, 12, 30, tzinfo=UTC)) == 0


async def test_restart_catch_up_and_no_duplicates(fast: SleepRecorder, harness: BotHarness) -> None:
    await subscribe(harness, USER_ID, "UTC")
    start = harness.clock.now() + timedelta(days=2)
    await harness.services.reminders.add_demo(NewDemo(starts_at=start, place="P", title="T"))
    assert await at(harness, start - timedelta(hours=24)) == 1
    await wait_reminders(harness, USER_ID, 1)
    # Restart right away: nothing is sent twice.
    await harness.restart()
    assert await harness.services.reminders.tick() == type(await harness.services.reminders.tick())(
        0, 0
    )
    assert len(reminders(harness, USER_ID)) == 1
    # Down across the 2 h moment, back 1 h before the start: caught up at start-up.
    await harness.stop()
    harness.clock.set(start - timedelta(hours=1))
    await harness.start()
    got = await wait_reminders(harness, USER_ID, 2)
    assert "starts in 1 hour" in got[1]  # says the real time left
    await harness.restart()
    await harness.services.reminders.tick()
    assert len(reminders(harness, USER_ID)) == 2
    # Down until after the start: nothing.
    start2 = harness.clock.now() + timedelta(hours=5)
    await harness.services.reminders.add_demo(NewDemo(starts_at=start2, place="P", title="U"))
    await wait_reminders(harness, USER_ID, 3)  # 24 h moment already passed: caught up now
    await harness.stop()
    harness.clock.set(start2 + timedelta(minutes=5))
    await harness.start()
    await harness.services.reminders.tick()
    assert len(reminders(harness, USER_ID)) == 3


async def test_going_members_get_private_reminders_with_details(
    fast: SleepRecorder, harness: BotHarness
) -> None:
    harness.core.group_chat(GROUP_ID)
    harness.core.set_member(GROUP_ID, OTHER_ID, "administrator")
    await harness.send(GROUP_ID, OTHER_ID, "/subscribe")
    await harness.send(USER_ID, USER_ID, "/start")  # has a private chat with the bot
    start = harness.clock.now() + timedelta(days=2)
    demo = await harness.services.reminders.add_demo(
        NewDemo(starts_at=start, place="P", title="T", details="Legal observers: 0700 000")
    )
    await harness.send(GROUP_ID, USER_ID, f"/demo {demo}")
    card = harness.last(GROUP_ID)
    await harness.press(GROUP_ID, USER_ID, card.message_id, f"demo:rsvp:{demo}")
    await harness.press(GROUP_ID, OTHER_ID, card.message_id, f"demo:rsvp:{demo}")  # no private
    assert await at(harness, start - timedelta(hours=24)) == 2
    group = await wait_reminders(harness, GROUP_ID, 1)
    private = await wait_reminders(harness, USER_ID, 1)
    assert "Legal observers" not in group[0]
    assert "Legal observers" in private[0]
    assert reminders(harness, OTHER_ID) == []
    last = [m for m in harness.replies(GROUP_ID) if MARK in (m.text or "")][-1]
    assert "Going ✋ 2" in str(last.reply_markup)
    # Answering Can't go stops the private reminders.
    await harness.press(GROUP_ID, USER_ID, card.message_id, f"demo:cant:{demo}")
    assert await at(harness, start - timedelta(hours=2)) == 1
    await wait_reminders(harness, GROUP_ID, 2)
    assert len(reminders(harness, USER_ID)) == 1
    # RSVPs are forgotten after the demonstration.
    await at(harness, start + timedelta(hours=13))
    assert await harness.services.demos.rsvp_count(demo) == 0


async def test_reminder_lateness_is_measured(fast: SleepRecorder, harness: BotHarness) -> None:
    from bot.ops.metrics import metrics_of

    await subscribe(harness, USER_ID, "UTC")
    start = harness.clock.now() + timedelta(days=2)
    await harness.services.reminders.add_demo(NewDemo(starts_at=start, place="P", title="T"))
    # Woken 90 s after the 24 h moment: that is the lateness the metric must show.
    assert await at(harness, start - timedelta(hours=24) + timedelta(seconds=90)) == 1
    text = metrics_of(harness.app).render().decode()
    assert "solidarity_bot_reminder_lateness_seconds_count 1.0" in text
    assert "solidarity_bot_reminder_lateness_seconds_sum 90.0" in text


async def test_reminders_follow_the_users_app_language(
    fast: SleepRecorder, harness: BotHarness
) -> None:
    """A private user who never chose a language gets reminders in their Telegram app's."""
    harness.core.private_chat(OTHER_ID, language_code="uk")
    await harness.send(OTHER_ID, OTHER_ID, "/start")
    await harness.send(OTHER_ID, OTHER_ID, "/subscribe")
    stored = await harness.services.chats.get(OTHER_ID)
    assert stored is not None and stored.language is None and stored.app_language == "uk"
    start = harness.clock.now() + timedelta(days=2)
    await harness.services.reminders.add_demo(NewDemo(starts_at=start, place="P", title="T"))
    assert await at(harness, start - timedelta(hours=24)) == 1
    await harness.core.wait_for(lambda: len(harness.replies(OTHER_ID)) >= 3, what="reminder")
    reminder = harness.replies(OTHER_ID)[-1].text or ""
    assert "Нагадування" in reminder and "Reminder" not in reminder
    # A language chosen with /language wins over the app's.
    await harness.services.chats.set_language(OTHER_ID, "fr", harness.clock.now())
    stored = await harness.services.chats.get(OTHER_ID)
    assert stored is not None and stored.message_language == "fr"
