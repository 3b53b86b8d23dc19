"""Central guards (group -1): flood control, edited and forwarded commands, other bots."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.i18n import texts
from bot.i18n.translate import t
from bot.telegram.guards import FloodControl, Verdict
from tests.harness import ADMIN_ID, GROUP_ID, OTHER_ID, USER_ID, BotHarness

T0 = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
WARNING = t("en", texts.FLOOD_WARNING)


@pytest.fixture
async def flood(tmp_path: Path) -> AsyncIterator[BotHarness]:
    h = BotHarness(db_path=tmp_path / "bot.sqlite3", flood_limit=10)
    await h.start()
    try:
        yield h
    finally:
        await h.close()


def test_flood_control_window_and_single_warning() -> None:
    fc = FloodControl(limit=3, window=timedelta(seconds=10))
    assert [fc.check(1, T0) for _ in range(3)] == [Verdict.ALLOW] * 3
    assert fc.check(1, T0) is Verdict.WARN
    assert fc.check(1, T0 + timedelta(seconds=5)) is Verdict.DROP
    assert fc.check(2, T0) is Verdict.ALLOW  # per sender
    later = T0 + timedelta(seconds=10, microseconds=1)
    assert fc.check(1, later) is Verdict.ALLOW
    # a new episode warns again
    assert [fc.check(1, later) for _ in range(2)] == [Verdict.ALLOW] * 2
    assert fc.check(1, later) is Verdict.WARN


def test_flood_control_off_and_memory_bound() -> None:
    assert FloodControl(limit=0).check(1, T0) is Verdict.ALLOW
    fc = FloodControl(limit=1, max_keys=100)
    for key in range(1000):
        fc.check(key, T0 + timedelta(seconds=key * 11))
    assert len(fc._events) <= 100


def _texts(h: BotHarness, chat_id: int) -> list[str]:
    return [m.text or "" for m in h.replies(chat_id)]


async def test_eleventh_command_gets_one_warning_then_silence(flood: BotHarness) -> None:
    for _ in range(10):
        await flood.send(USER_ID, USER_ID, "/help")
    assert len(flood.replies(USER_ID)) == 10
    await flood.send(USER_ID, USER_ID, "/help")
    assert _texts(flood, USER_ID)[-1] == WARNING
    for _ in range(5):
        await flood.send(USER_ID, USER_ID, "/help")
        await flood.send(USER_ID, USER_ID, "/start")
    assert len(flood.replies(USER_ID)) == 11  # silence after the one warning
    # others are not affected
    await flood.send(OTHER_ID, OTHER_ID, "/help")
    assert "/help" in _texts(flood, OTHER_ID)[-1]
    # plain text never counts
    await flood.send(USER_ID, USER_ID, "hello")
    # after the window the user is served again
    flood.clock.advance(timedelta(seconds=11))
    await flood.send(USER_ID, USER_ID, "/help")
    assert "/help" in _texts(flood, USER_ID)[-1]
    assert not flood.core.stats.errors


async def test_button_presses_count_and_warn_with_an_alert(flood: BotHarness) -> None:
    await flood.send(USER_ID, USER_ID, "/language")
    keyboard_msg = flood.last(USER_ID).message_id
    # the command counted once: nine presses are still allowed
    ids = [await flood.press(USER_ID, USER_ID, keyboard_msg, "lang:set:en") for _ in range(9)]
    assert all(flood.core.callback_answers(q) is not None for q in ids)
    warned = await flood.press(USER_ID, USER_ID, keyboard_msg, "lang:set:de")
    answer = flood.core.callback_answers(warned)
    assert answer is not None and answer.get("text") == WARNING
    silent = await flood.press(USER_ID, USER_ID, keyboard_msg, "lang:set:de")
    assert flood.core.callback_answers(silent) is None
    chat = await flood.services.chats.get(USER_ID)
    assert chat is not None and chat.language == "en"  # the refused presses did nothing


async def test_bot_admins_are_exempt(flood: BotHarness) -> None:
    for _ in range(25):
        await flood.send(ADMIN_ID, ADMIN_ID, "/help")
    assert WARNING not in _texts(flood, ADMIN_ID)
    assert len(flood.replies(ADMIN_ID)) == 25


async def test_group_members_are_counted_per_user(flood: BotHarness) -> None:
    for _ in range(11):
        await flood.send(GROUP_ID, USER_ID, "/help")
    assert _texts(flood, GROUP_ID).count(WARNING) == 1
    before = len(flood.replies(GROUP_ID))
    await flood.send(GROUP_ID, OTHER_ID, "/help")
    assert len(flood.replies(GROUP_ID)) == before + 1


async def test_edited_command_is_ignored(harness: BotHarness) -> None:
    update = await harness.send(USER_ID, USER_ID, "hello")
    answered = len(harness.replies(USER_ID))  # plain text in private is a search
    mid = update["message"]["message_id"]
    await harness.send(USER_ID, USER_ID, "/help", edited=True, message_id=mid)
    await harness.send(USER_ID, USER_ID, "/start", edited=True, message_id=mid)
    await harness.send(USER_ID, USER_ID, "blockade", edited=True, message_id=mid)
    assert len(harness.replies(USER_ID)) == answered
    assert await harness.services.chats.get(USER_ID) is None


async def test_an_edit_is_never_a_conversation_answer(harness: BotHarness) -> None:
    """/adddemo asks for the date; editing an older message into a date does not answer it."""
    old = await harness.send(ADMIN_ID, ADMIN_ID, "hello")
    await harness.send(ADMIN_ID, ADMIN_ID, "/adddemo")
    asked = len(harness.replies(ADMIN_ID))
    mid = old["message"]["message_id"]
    await harness.send(ADMIN_ID, ADMIN_ID, "2026-12-05 14:00", edited=True, message_id=mid)
    assert len(harness.replies(ADMIN_ID)) == asked  # still waiting for the date
    await harness.send(ADMIN_ID, ADMIN_ID, "2026-12-05 14:00")
    assert len(harness.replies(ADMIN_ID)) == asked + 1  # the next question
    await harness.send(ADMIN_ID, ADMIN_ID, "/cancel")


async def test_forwarded_command_is_ignored(harness: BotHarness) -> None:
    await harness.send(ADMIN_ID, ADMIN_ID, "/start", forward=True)
    await harness.send(ADMIN_ID, ADMIN_ID, "/stats", forward=True)
    await harness.send(USER_ID, USER_ID, "/help", forward=True)
    assert harness.replies(ADMIN_ID) == [] and harness.replies(USER_ID) == []
    assert await harness.services.chats.get(ADMIN_ID) is None


async def test_messages_from_other_bots_are_ignored(harness: BotHarness) -> None:
    bot_id = 5550001
    harness.core.users[bot_id] = {"id": bot_id, "is_bot": True, "first_name": "OtherBot"}
    await harness.send(GROUP_ID, bot_id, "/start")
    await harness.send(GROUP_ID, bot_id, "/help@solidarity_test_bot")
    assert harness.replies(GROUP_ID) == []
    # an anonymous administrator posts as GroupAnonymousBot (a bot) with sender_chat: a person
    anon = 1087968824
    harness.core.users[anon] = {"id": anon, "is_bot": True, "first_name": "Group"}
    await harness.send(GROUP_ID, anon, "/help", sender_chat_id=GROUP_ID)
    assert len(harness.replies(GROUP_ID)) == 1


async def test_via_bot_command_is_ignored(harness: BotHarness) -> None:
    harness.core._ensure(USER_ID, USER_ID)
    raw = {
        "message_id": harness.core.next_message_id(USER_ID),
        "from": harness.core.user(USER_ID),
        "date": harness.core.now(),
        "chat": harness.core.chats[USER_ID].to_dict(),
        "text": "/start",
        "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
        "via_bot": {"id": 5550002, "is_bot": True, "first_name": "Inline"},
    }
    update = harness.core.push_update({"message": raw})
    await harness.push(update)
    assert harness.replies(USER_ID) == []
