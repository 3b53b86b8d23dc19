"""/subscribe, /unsubscribe, /settings, membership and migration, end to end."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.harness import (
    ADMIN_ID,
    FORUM_ID,
    GROUP_ID,
    OTHER_ID,
    USER_ID,
    BotHarness,
    add_demo,
    texts_of,
)
from tests.outbox_helpers import SleepRecorder


async def reminders_in(h: BotHarness, chat_id: int, n: int = 1) -> list[str]:
    await h.core.wait_for(
        lambda: sum("Reminder: starts" in t for t in texts_of(h, chat_id)) >= n,
        what=f"{n} reminder(s) in {chat_id}",
    )
    return [t for t in texts_of(h, chat_id) if "Reminder: starts" in t]


async def test_private_subscribe_and_unsubscribe(fast: SleepRecorder, harness: BotHarness) -> None:
    await harness.send(USER_ID, USER_ID, "/subscribe")
    assert "Subscribed" in texts_of(harness, USER_ID)[-1]
    chat = await harness.services.chats.get(USER_ID)
    assert chat is not None and chat.subscribed and chat.thread_id is None
    await harness.send(USER_ID, USER_ID, "/unsubscribe")
    assert "Unsubscribed" in texts_of(harness, USER_ID)[-1]
    chat = await harness.services.chats.get(USER_ID)
    assert chat is not None and not chat.subscribed
    await harness.send(USER_ID, USER_ID, "/unsubscribe")
    assert "not subscribed" in texts_of(harness, USER_ID)[-1]


async def test_group_members_are_refused_admins_allowed(
    fast: SleepRecorder, harness: BotHarness
) -> None:
    harness.core.group_chat(GROUP_ID)
    await harness.send(GROUP_ID, USER_ID, "/subscribe")
    assert "only this group's administrators" in texts_of(harness, GROUP_ID)[-1]
    assert (await harness.services.chats.get(GROUP_ID)) is None or not (
        await harness.services.chats.get(GROUP_ID)
    ).subscribed  # type: ignore[union-attr]
    await harness.send(GROUP_ID, USER_ID, "/settings timezone Europe/Kyiv")
    assert "only this group's administrators" in texts_of(harness, GROUP_ID)[-1]
    harness.core.set_member(GROUP_ID, OTHER_ID, "administrator")
    await harness.send(GROUP_ID, OTHER_ID, "/subscribe")
    assert "Subscribed" in texts_of(harness, GROUP_ID)[-1]
    chat = await harness.services.chats.get(GROUP_ID)
    assert chat is not None and chat.subscribed and chat.timezone is None
    await harness.send(GROUP_ID, USER_ID, "/unsubscribe")
    assert "only this group's administrators" in texts_of(harness, GROUP_ID)[-1]
    chat = await harness.services.chats.get(GROUP_ID)
    assert chat is not None and chat.subscribed
    # An anonymous administrator posts as the group itself.
    await harness.send(GROUP_ID, USER_ID, "/unsubscribe", sender_chat_id=GROUP_ID)
    assert "Unsubscribed" in texts_of(harness, GROUP_ID)[-1]


async def test_forum_topic_subscription_gets_reminders_in_topic(
    fast: SleepRecorder, harness: BotHarness
) -> None:
    harness.core.group_chat(FORUM_ID, forum=True)
    harness.core.set_member(FORUM_ID, USER_ID, "administrator")
    await harness.send(FORUM_ID, USER_ID, "/subscribe", thread_id=42)
    assert "this topic" in texts_of(harness, FORUM_ID)[-1]
    chat = await harness.services.chats.get(FORUM_ID)
    assert chat is not None and chat.thread_id == 42
    demo = await add_demo(harness, 30)
    harness.clock.advance(timedelta(hours=6))
    await harness.services.reminders.tick()
    await reminders_in(harness, FORUM_ID)
    reminder = next(m for m in harness.replies(FORUM_ID) if "Reminder: starts" in (m.text or ""))
    assert reminder.raw.get("message_thread_id") == 42
    assert f"demo:rsvp:{demo}" in str(reminder.reply_markup)


async def test_settings_show_and_change(fast: SleepRecorder, harness: BotHarness) -> None:
    await harness.send(USER_ID, USER_ID, "/settings")
    shown = texts_of(harness, USER_ID)[-1]
    assert "Time zone: UTC" in shown and "1 day, 2 hours before" in shown and "all regions" in shown
    await harness.send(USER_ID, USER_ID, "/settings timezone europe/kyiv")
    assert "Time zone set to Europe/Kyiv" in texts_of(harness, USER_ID)[-1]
    await harness.send(USER_ID, USER_ID, "/settings remind 1d 3h 30m")
    assert "1 day, 3 hours, 30 minutes before" in texts_of(harness, USER_ID)[-1]
    await harness.send(USER_ID, USER_ID, "/settings region London")
    assert "Region: london" in texts_of(harness, USER_ID)[-1]
    chat = await harness.services.chats.get(USER_ID)
    assert chat is not None
    assert (chat.timezone, chat.lead_minutes, chat.region) == (
        "Europe/Kyiv",
        (1440, 180, 30),
        "london",
    )
    await harness.send(USER_ID, USER_ID, "/settings region off")
    chat = await harness.services.chats.get(USER_ID)
    assert chat is not None and chat.region is None


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("/settings timezone Mars/Olympus", "not a time zone I know"),
        ("/settings timezone", "I don't know that setting"),
        ("/settings remind", "at least one reminder time"),
        ("/settings remind soon", "is not a reminder time"),
        ("/settings remind 2m", "between 5 minutes and 14 days"),
        ("/settings remind 15d", "between 5 minutes and 14 days"),
        ("/settings remind 1h 2h 3h 4h 5h 6h", "At most 5"),
        ("/settings region <b>", "A region is one short name"),
        ("/settings colour red", "I don't know that setting"),
    ],
)
async def test_settings_bad_input_changes_nothing(
    fast: SleepRecorder, harness: BotHarness, command: str, expected: str
) -> None:
    await harness.send(USER_ID, USER_ID, "/start")
    await harness.send(USER_ID, USER_ID, command)
    assert expected in texts_of(harness, USER_ID)[-1]
    chat = await harness.services.chats.get(USER_ID)
    assert chat is not None
    assert (chat.timezone, chat.lead_minutes, chat.region) == (None, None, None)


async def test_settings_buttons(fast: SleepRecorder, harness: BotHarness) -> None:
    harness.core.group_chat(GROUP_ID)
    harness.core.set_member(GROUP_ID, ADMIN_ID + 5, "administrator")
    await harness.send(GROUP_ID, ADMIN_ID + 5, "/settings")
    message = harness.last(GROUP_ID)
    assert "set:tz:Europe/Kyiv" in str(message.reply_markup)
    # A member may look, not press.
    qid = await harness.press(GROUP_ID, USER_ID, message.message_id, "set:tz:Europe/Kyiv")
    answer = harness.core.callback_answers(qid)
    assert answer is not None and answer.get("show_alert")
    chat = await harness.services.chats.get(GROUP_ID)
    assert chat is not None and chat.timezone is None
    await harness.press(GROUP_ID, ADMIN_ID + 5, message.message_id, "set:tz:Europe/Kyiv")
    await harness.press(GROUP_ID, ADMIN_ID + 5, message.message_id, "set:lead:120")
    chat = await harness.services.chats.get(GROUP_ID)
    assert chat is not None and chat.timezone == "Europe/Kyiv" and chat.lead_minutes == (120,)
    assert "Time zone: Europe/Kyiv" in (
        harness.core.message(GROUP_ID, message.message_id).text or ""
    )


async def test_added_to_group_says_hello_once_with_subscribe_button(
    fast: SleepRecorder, harness: BotHarness
) -> None:
    update = harness.core.push_my_chat_member(GROUP_ID, OTHER_ID, "left", "member")
    await harness.push(update)
    hello = harness.last(GROUP_ID)
    assert "Hello" in (hello.text or "") and "sub:on" in str(hello.reply_markup)
    # Promotion to admin is not a new arrival: no second hello.
    await harness.push(
        harness.core.push_my_chat_member(GROUP_ID, OTHER_ID, "member", "administrator")
    )
    assert sum("Hello" in t for t in texts_of(harness, GROUP_ID)) == 1
    # A member pressing Subscribe is refused; an admin subscribes the group.
    qid = await harness.press(GROUP_ID, USER_ID, hello.message_id, "sub:on")
    assert (harness.core.callback_answers(qid) or {}).get("show_alert")
    harness.core.set_member(GROUP_ID, OTHER_ID, "administrator")
    await harness.press(GROUP_ID, OTHER_ID, hello.message_id, "sub:on")
    chat = await harness.services.chats.get(GROUP_ID)
    assert chat is not None and chat.subscribed


async def test_removed_from_group_gets_nothing_more(
    fast: SleepRecorder, harness: BotHarness
) -> None:
    harness.core.group_chat(GROUP_ID)
    harness.core.set_member(GROUP_ID, OTHER_ID, "administrator")
    await harness.send(GROUP_ID, OTHER_ID, "/subscribe")
    await add_demo(harness, 30)
    await harness.push(harness.core.push_my_chat_member(GROUP_ID, OTHER_ID, "member", "kicked"))
    chat = await harness.services.chats.get(GROUP_ID)
    assert chat is not None and not chat.active
    before = len(harness.replies(GROUP_ID))
    harness.clock.advance(timedelta(hours=29))
    stats = await harness.services.reminders.tick()
    assert stats.reminders == 0
    assert len(harness.replies(GROUP_ID)) == before
    # A private user blocking the bot likewise.
    await harness.send(USER_ID, USER_ID, "/subscribe")
    await harness.push(harness.core.push_my_chat_member(USER_ID, USER_ID, "member", "kicked"))
    chat = await harness.services.chats.get(USER_ID)
    assert chat is not None and not chat.active


async def test_group_migration_keeps_subscription_and_settings(
    fast: SleepRecorder, harness: BotHarness
) -> None:
    old_id, new_id = -5550001, -1005550001
    harness.core.group_chat(old_id, supergroup=False)
    harness.core.set_member(old_id, OTHER_ID, "administrator")
    await harness.send(old_id, OTHER_ID, "/subscribe")
    await harness.send(old_id, OTHER_ID, "/settings timezone Europe/Kyiv")
    demo = await add_demo(harness, 30)
    harness.clock.advance(timedelta(hours=6))
    await harness.services.reminders.tick()
    await reminders_in(harness, old_id)
    update = harness.core.push_migration(old_id, new_id)
    await harness.push(update)
    await harness.core.wait_for(lambda: not harness.core.pending, what="migration handled")
    assert await harness.services.chats.get(old_id) is None
    chat = await harness.services.chats.get(new_id)
    assert chat is not None and chat.subscribed and chat.timezone == "Europe/Kyiv"
    # Already reminded at 24 h under the old id: not again; the 2 h one goes to the new id.
    await harness.services.reminders.tick()
    harness.clock.advance(timedelta(hours=22))
    await harness.services.reminders.tick()
    got = await reminders_in(harness, new_id)
    assert len(got) == 1 and "2 hours" in got[0]
    assert await harness.services.reminders.repo.count_log(demo) == 2
