"""The reminder flood cap: at most N reminders per chat per hour, then one digest (feeds, imports
and administrators alike), through the real Application and the fake Bot API."""

from __future__ import annotations

import asyncio
import ipaddress
from datetime import datetime, timedelta

import pytest

from bot.config import ConfigError, load_settings
from bot.feeds.addresses import AddressPolicy
from storage.demos import NewDemo
from storage.maintenance import broadcast_backlog
from tests.feedserver import FeedServer, Route, vcalendar, vevent
from tests.harness import ADMIN_ID, GROUP_ID, USER_ID, BotHarness
from tests.outbox_helpers import SleepRecorder, subscribe

CAP = 3  # the default BOT_REMINDERS_PER_HOUR
REMINDER = "Reminder: starts"
DIGEST = "coming up: see /demos"
CHATS = (USER_ID, GROUP_ID)


async def _drained(h: BotHarness) -> None:
    for _ in range(1000):
        if await broadcast_backlog(h.services.db) == 0:
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the outbox did not drain")


def _count(h: BotHarness, chat_id: int, mark: str) -> int:
    return sum(1 for m in h.replies(chat_id) if mark in (m.text or ""))


def _ics_time(when: datetime) -> str:
    return ":" + when.strftime("%Y%m%dT%H%M%SZ")


async def _subscribed(h: BotHarness) -> None:
    await subscribe(h, CHATS)
    await h.services.reminders.tick()


async def test_a_feed_of_300_demos_in_the_next_day(
    fast: SleepRecorder, harness: BotHarness, server: FeedServer
) -> None:
    await _subscribed(harness)
    now = harness.clock.now()
    # 300 demonstrations from 3 h to 28 h ahead: every 1-day reminder but a few is overdue.
    events = [
        vevent(f"e{i}@example.org", _ics_time(now + timedelta(hours=3, minutes=5 * i)), f"D{i}")
        for i in range(300)
    ]
    server.routes["/many.ics"] = Route(body=vcalendar(*events))
    harness.services.feeds.fetcher.policy = AddressPolicy(
        allow_networks=(ipaddress.ip_network("127.0.0.0/8"),)
    )
    await harness.send(ADMIN_ID, ADMIN_ID, f"/feed add {server.url('/many.ics')}")
    await harness.services.reminders.tick()
    await _drained(harness)
    for chat in CHATS:
        assert _count(harness, chat, REMINDER) == CAP
        assert _count(harness, chat, DIGEST) == 1
    digest = next(m.text for m in harness.replies(USER_ID) if DIGEST in (m.text or ""))
    assert digest is not None and "/demos" in digest
    # The rest of the day: never more than CAP an hour, and no second digest within a day.
    for _hour in range(23):
        before = {chat: _count(harness, chat, REMINDER) for chat in CHATS}
        for _step in range(4):
            harness.clock.advance(timedelta(minutes=15))
            await harness.services.reminders.tick()
        await _drained(harness)
        for chat in CHATS:
            assert _count(harness, chat, REMINDER) - before[chat] <= CAP
            assert _count(harness, chat, DIGEST) == 1


async def test_administrators_and_imports_are_capped_too(
    fast: SleepRecorder, harness: BotHarness
) -> None:
    await _subscribed(harness)
    now = harness.clock.now()
    reminders = harness.services.reminders
    for i in range(8):  # an administrator adding one after another (each is a fan-out)
        await reminders.add_demo(
            NewDemo(starts_at=now + timedelta(hours=5, minutes=i), place="P", title=f"A{i}")
        )
    await _drained(harness)
    for chat in CHATS:
        assert _count(harness, chat, REMINDER) == CAP
        assert _count(harness, chat, DIGEST) == 1
    # An import writes demos straight to the database; the start-up catch-up is capped as well.
    harness.clock.advance(timedelta(hours=1, minutes=1))
    for i in range(20):
        await harness.services.demos.add(
            NewDemo(starts_at=now + timedelta(hours=8, minutes=i), place="P", title=f"I{i}"),
            harness.clock.now(),
        )
    await harness.restart()
    await _drained(harness)
    for chat in CHATS:
        assert _count(harness, chat, REMINDER) == 2 * CAP
        assert _count(harness, chat, DIGEST) == 1  # at most one digest a day


async def test_the_cap_is_a_setting(fast: SleepRecorder, harness: BotHarness) -> None:
    await _subscribed(harness)
    harness.services.reminders.per_hour = 1
    now = harness.clock.now()
    for i in range(3):
        await harness.services.reminders.add_demo(
            NewDemo(starts_at=now + timedelta(hours=5, minutes=i), place="P", title=f"A{i}")
        )
    await _drained(harness)
    assert _count(harness, USER_ID, REMINDER) == 1
    assert _count(harness, USER_ID, DIGEST) == 1


def test_reminders_per_hour_is_validated() -> None:
    assert load_settings({}, token_required=False).reminders_per_hour == 3
    env = {"BOT_REMINDERS_PER_HOUR": "10"}
    assert load_settings(env, token_required=False).reminders_per_hour == 10
    for bad in ("0", "-1", "61", "many", "2.5"):
        with pytest.raises(ConfigError, match="BOT_REMINDERS_PER_HOUR"):
            load_settings({"BOT_REMINDERS_PER_HOUR": bad}, token_required=False)
