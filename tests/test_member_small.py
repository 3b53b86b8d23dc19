"""The small things members and admins notice, end to end: wording, plurals, /language ARG,
translated reminder times, loosely typed time zones, /cancel, /stopbroadcast, /feed list,
plain text in private."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.harness import ADMIN_ID, GROUP_ID, USER_ID, BotHarness, add_demo, texts_of
from tests.outbox_helpers import SleepRecorder, subscribe


async def test_subscribe_twice_says_already_subscribed(
    fast: SleepRecorder, harness: BotHarness
) -> None:
    await harness.send(USER_ID, USER_ID, "/subscribe")
    assert texts_of(harness, USER_ID)[-1].startswith("✅ Subscribed")
    await harness.send(USER_ID, USER_ID, "/subscribe")
    assert "already subscribed" in texts_of(harness, USER_ID)[-1]
    chat = await harness.services.chats.get(USER_ID)
    assert chat is not None and chat.subscribed


async def test_stopbroadcast_of_a_broadcast_that_does_not_exist(
    fast: SleepRecorder, harness: BotHarness
) -> None:
    await harness.send(ADMIN_ID, ADMIN_ID, "/stopbroadcast 99")
    reply = texts_of(harness, ADMIN_ID)[-1]
    assert "There is no broadcast #99" in reply
    assert "not running" not in reply


async def test_cancel_with_nothing_to_cancel(fast: SleepRecorder, harness: BotHarness) -> None:
    await harness.send(USER_ID, USER_ID, "/cancel")
    assert texts_of(harness, USER_ID)[-1] == "There is nothing to cancel right now."
    # Inside a step-by-step command, /cancel still stops that command.
    await harness.send(ADMIN_ID, ADMIN_ID, "/adddemo")
    await harness.send(ADMIN_ID, ADMIN_ID, "/cancel")
    assert texts_of(harness, ADMIN_ID)[-1] == "Stopped; nothing was saved."


async def test_announce_to_one_chat_is_singular(fast: SleepRecorder, harness: BotHarness) -> None:
    await subscribe(harness, [7001])
    await harness.send(ADMIN_ID, ADMIN_ID, "/announce Hello")
    confirm = texts_of(harness, ADMIN_ID)[-1]
    assert "Send it to 1 subscribed chat?" in confirm
    await subscribe(harness, [7002])
    await harness.send(ADMIN_ID, ADMIN_ID, "/announce Hello")
    assert "Send it to 2 subscribed chats?" in texts_of(harness, ADMIN_ID)[-1]


async def test_language_argument_switches_at_once(fast: SleepRecorder, harness: BotHarness) -> None:
    await harness.send(USER_ID, USER_ID, "/language uk")
    reply = harness.last(USER_ID)
    assert not reply.buttons()  # no picker: it is done
    assert (await harness.services.chats.get(USER_ID)).language == "uk"  # type: ignore[union-attr]
    await harness.send(USER_ID, USER_ID, "/language French")
    assert (await harness.services.chats.get(USER_ID)).language == "fr"  # type: ignore[union-attr]
    await harness.send(USER_ID, USER_ID, "/language klingon")
    assert "klingon" in texts_of(harness, USER_ID)[-1]
    assert harness.last(USER_ID).buttons()  # unknown: the picker
    assert (await harness.services.chats.get(USER_ID)).language == "fr"  # type: ignore[union-attr]


async def test_reminder_times_are_translated(fast: SleepRecorder, harness: BotHarness) -> None:
    await harness.send(USER_ID, USER_ID, "/language uk")
    await harness.send(USER_ID, USER_ID, "/settings remind 1d 3h")
    reply = texts_of(harness, USER_ID)[-1]
    assert "Нагадування: за 1 день, 3 години" in reply  # the settings shown after the change
    assert "за 1d" not in reply and "3h before" not in reply


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("kyiv", "Europe/Kyiv"),
        ("kiev", "Europe/Kyiv"),
        ("Europe/Kiev", "Europe/Kyiv"),
        ("london", "Europe/London"),
        ("new york", "America/New_York"),
        ("europe/paris", "Europe/Paris"),
    ],
)
async def test_time_zones_matched_loosely(
    fast: SleepRecorder, harness: BotHarness, typed: str, stored: str
) -> None:
    await harness.send(USER_ID, USER_ID, f"/settings timezone {typed}")
    chat = await harness.services.chats.get(USER_ID)
    assert chat is not None and chat.timezone == stored
    assert f"Time zone set to {stored}" in texts_of(harness, USER_ID)[-1]


async def test_time_zone_offsets_and_typos_get_suggestions(
    fast: SleepRecorder, harness: BotHarness
) -> None:
    await harness.send(USER_ID, USER_ID, "/settings timezone UTC+3")
    reply = texts_of(harness, USER_ID)[-1]
    assert "fixed offset" in reply and "Europe/Kyiv" in reply
    await harness.send(USER_ID, USER_ID, "/settings timezone londn")
    assert "Did you mean Europe/London?" in texts_of(harness, USER_ID)[-1]
    suggestion = harness.last(USER_ID)
    assert [b["callback_data"] for b in suggestion.buttons()] == ["set:tz:Europe/London"]
    await harness.send(USER_ID, USER_ID, "/settings timezone kiyv")
    assert "Did you mean Europe/Kyiv?" in texts_of(harness, USER_ID)[-1]
    chat = await harness.services.chats.get(USER_ID)
    assert chat is None or chat.timezone is None
    # A suggestion is one press away.
    await harness.press(USER_ID, USER_ID, suggestion.message_id, "set:tz:Europe/London")
    chat = await harness.services.chats.get(USER_ID)
    assert chat is not None and chat.timezone == "Europe/London"


async def test_feed_list_dates_in_the_usual_format_with_zone(
    fast: SleepRecorder, harness: BotHarness
) -> None:
    feeds = harness.services.feeds.repo
    feed_id, _ = await feeds.add("https://example.org/a.ics", None, harness.clock.now(), ADMIN_ID)
    now = harness.clock.now()
    await feeds.record_failure(feed_id, now, now + timedelta(minutes=30), "timeout", None)
    await harness.send(ADMIN_ID, ADMIN_ID, "/settings timezone Europe/Kyiv")
    await harness.send(ADMIN_ID, ADMIN_ID, "/feed list")
    listing = texts_of(harness, ADMIN_ID)[-1]
    # 12:00 UTC on Saturday 21 November 2026 is 14:00 in Kyiv.
    assert "Last fetched: Sat 21 Nov 2026, 14:00 (Europe/Kyiv)" in listing
    assert "PM" not in listing


async def test_plain_text_in_private_is_a_search_with_a_hint_once(
    fast: SleepRecorder, harness: BotHarness
) -> None:
    await harness.send(USER_ID, USER_ID, "blockade")
    first = texts_of(harness, USER_ID)[-1]
    assert "/excerpt" in first and "Passages for “blockade”" in first
    await harness.send(USER_ID, USER_ID, "solidarity")
    second = texts_of(harness, USER_ID)[-1]
    assert "Passages for “solidarity”" in second and "Next time" not in second
    # Not in groups: members talk to each other there.
    harness.core.group_chat(GROUP_ID)
    await harness.send(GROUP_ID, USER_ID, "blockade")
    assert texts_of(harness, GROUP_ID) == []


async def test_first_announcement_is_number_one_after_reminders(
    fast: SleepRecorder, harness: BotHarness
) -> None:
    """Reminders share the broadcasts table; announcements are numbered on their own."""
    await add_demo(harness, 1)
    await harness.send(USER_ID, USER_ID, "/subscribe")  # catches up a reminder: broadcast id 1
    await harness.core.wait_for(
        lambda: any("Reminder" in t for t in texts_of(harness, USER_ID)), what="the reminder"
    )
    await harness.send(ADMIN_ID, ADMIN_ID, "/announce Hello")
    confirm = harness.last(ADMIN_ID)
    send = next(b["callback_data"] for b in confirm.buttons() if ":send:" in b["callback_data"])
    await harness.press(ADMIN_ID, ADMIN_ID, confirm.message_id, send)
    await harness.core.wait_for(
        lambda: "finished" in (harness.core.message(ADMIN_ID, confirm.message_id).text or ""),
        what="the final report",
    )
    final = harness.core.message(ADMIN_ID, confirm.message_id).text or ""
    assert final.startswith("✅ Broadcast #1 finished.")
    await harness.send(ADMIN_ID, ADMIN_ID, "/broadcasts")
    listing = texts_of(harness, ADMIN_ID)[-1]
    assert "#1 announce · done · 1/1 sent" in listing
    assert "reminder · done · 1/1 sent" in listing and "#2" not in listing
    await harness.send(ADMIN_ID, ADMIN_ID, "/stopbroadcast 1")
    assert "Broadcast #1 is not running." in texts_of(harness, ADMIN_ID)[-1]
