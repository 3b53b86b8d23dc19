"""The reminder scheduler against a real database and a recording outbox (no Telegram)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import aiosqlite
import pytest

from bot.broadcast.delivery import Renderer, Target
from bot.clock import FakeClock
from bot.demos.cards import Edit
from bot.demos.timeparse import local_to_utc
from bot.reminders.service import NOTICE_KIND, REMINDER_KIND, ReminderService
from storage.chats import ChatRepo
from storage.db import Database
from storage.demos import DemoRepo, NewDemo

T0 = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


@dataclass
class Sent:
    kind: str
    payload: dict[str, Any]
    targets: list[Target]


@dataclass
class RecordingOutbox:
    broadcasts: list[Sent] = field(default_factory=list)
    renderers: dict[str, Renderer] = field(default_factory=dict)
    woken: int = 0

    def register_renderer(self, kind: str, renderer: Renderer) -> None:
        self.renderers[kind] = renderer

    async def enqueue_in(
        self,
        conn: aiosqlite.Connection,
        *,
        kind: str,
        payload: dict[str, Any],
        targets: Sequence[Target],
        priority: int = 0,
        created_by: int | None = None,
    ) -> int:
        self.broadcasts.append(Sent(kind, payload, list(targets)))
        return len(self.broadcasts)

    def wake(self) -> None:
        self.woken += 1

    def take(self) -> list[tuple[str, int, int, int]]:
        """(kind, demo, lead-or-0, chat) for everything since the last take, sorted."""
        out = sorted(
            (b.kind, b.payload["demo_id"], b.payload.get("lead", 0), tg.chat_id)
            for b in self.broadcasts
            for tg in b.targets
        )
        self.broadcasts.clear()
        return out


@dataclass
class Env:
    db: Database
    clock: FakeClock
    outbox: RecordingOutbox
    service: ReminderService
    chats: ChatRepo
    demos: DemoRepo
    path: Path

    async def restart(self) -> None:
        await self.service.stop()
        await self.db.close()
        self.db = await Database.open(self.path)
        self.chats, self.demos = ChatRepo(self.db), DemoRepo(self.db)
        self.outbox = RecordingOutbox()
        self.service = make_service(self)
        await self.service.start()

    async def subscribe(
        self,
        chat_id: int,
        tz: str | None = None,
        leads: tuple[int, ...] | None = None,
        region: str | None = None,
    ) -> None:
        now = self.clock.now()
        await self.chats.ensure(chat_id, "private" if chat_id > 0 else "supergroup", now)
        await self.chats.set_subscribed(chat_id, True, now)
        if tz:
            await self.chats.set_timezone(chat_id, tz, now)
        if leads:
            await self.chats.set_leads(chat_id, leads, now)
        if region:
            await self.chats.set_region(chat_id, region, now)
        await self.service.chat_changed(chat_id)

    async def at(self, when: datetime) -> list[tuple[str, int, int, int]]:
        self.clock.set(when)
        await self.service.tick()
        return self.outbox.take()


def make_service(env: Env) -> ReminderService:
    return ReminderService(
        db=env.db,
        chats=env.chats,
        demos=env.demos,
        outbox=env.outbox,
        clock=env.clock,
        default_timezone="Europe/London",
    )


@pytest.fixture
async def env(tmp_path: Path) -> AsyncIterator[Env]:
    path = tmp_path / "r.sqlite3"
    db = await Database.open(path)
    clock = FakeClock(T0)
    e = Env(db, clock, RecordingOutbox(), None, ChatRepo(db), DemoRepo(db), path)  # type: ignore[arg-type]
    e.service = make_service(e)
    await e.service.start()
    try:
        yield e
    finally:
        await e.service.stop()
        await e.db.close()


async def add(env: Env, start: datetime, region: str | None = None) -> int:
    return await env.service.add_demo(
        NewDemo(starts_at=start, place="Square", title="March", region=region)
    )


async def test_reminders_fire_at_each_lead_once(env: Env) -> None:
    await env.subscribe(-100)
    await env.subscribe(-200)
    start = T0 + timedelta(days=3)
    demo = await add(env, start)
    assert env.service.next_wake == start - timedelta(hours=24)
    assert await env.at(start - timedelta(hours=24, seconds=1)) == []
    assert await env.at(start - timedelta(hours=24)) == [
        (REMINDER_KIND, demo, 1440, -200),
        (REMINDER_KIND, demo, 1440, -100),
    ]
    assert env.service.next_wake == start - timedelta(hours=2)
    assert await env.at(start - timedelta(hours=3)) == []
    assert await env.at(start - timedelta(hours=2)) == [
        (REMINDER_KIND, demo, 120, -200),
        (REMINDER_KIND, demo, 120, -100),
    ]
    assert await env.at(start - timedelta(hours=1)) == []
    assert await env.at(start + timedelta(hours=1)) == []


async def test_time_zones_and_dst(env: Env) -> None:
    # A 14:00 London demo the day after the spring change (29 March 2026).
    env.clock.set(datetime(2026, 3, 25, 12, 0, tzinfo=UTC))
    await env.subscribe(-1, tz="Europe/London", leads=(1440,))
    await env.subscribe(-2, tz="Europe/Kyiv", leads=(1440,))
    await env.subscribe(-3, tz="America/New_York", leads=(1440, 120))
    start = local_to_utc(datetime(2026, 3, 30, 14, 0), ZoneInfo("Europe/London"))
    demo = await add(env, start)
    # London: 14:00 local the day before = 13:00 UTC (BST), i.e. 24 real hours.
    # Kyiv changes the same night: 16:00 local on the 29th = 13:00 UTC too.
    # New York changed on 8 March: 09:00 local on the 29th = 13:00 UTC.
    assert await env.at(datetime(2026, 3, 29, 12, 59, tzinfo=UTC)) == []
    assert await env.at(datetime(2026, 3, 29, 13, 0, tzinfo=UTC)) == [
        (REMINDER_KIND, demo, 1440, -3),
        (REMINDER_KIND, demo, 1440, -2),
        (REMINDER_KIND, demo, 1440, -1),
    ]
    # A 14:00 London demo on the day of the change (13:00 UTC): London's reminder comes at
    # 14:00 GMT the day before (23 real hours); Kyiv's at 16:00 EET = 14:00 UTC; New York,
    # already on summer time, at 09:00 EDT = 13:00 UTC (exactly 24 hours).
    start2 = local_to_utc(datetime(2026, 3, 29, 14, 0), ZoneInfo("Europe/London"))
    assert start2 == datetime(2026, 3, 29, 13, 0, tzinfo=UTC)
    env.clock.set(datetime(2026, 3, 27, 12, 0, tzinfo=UTC))
    demo2 = await add(env, start2)
    assert env.service.next_wake == datetime(2026, 3, 28, 13, 0, tzinfo=UTC)
    assert await env.at(datetime(2026, 3, 28, 12, 59, tzinfo=UTC)) == []
    assert await env.at(datetime(2026, 3, 28, 13, 0, tzinfo=UTC)) == [
        (REMINDER_KIND, demo2, 1440, -3)
    ]
    assert env.service.next_wake == datetime(2026, 3, 28, 14, 0, tzinfo=UTC)
    assert await env.at(datetime(2026, 3, 28, 13, 59, tzinfo=UTC)) == []
    assert await env.at(datetime(2026, 3, 28, 14, 0, tzinfo=UTC)) == [
        (REMINDER_KIND, demo2, 1440, -2),
        (REMINDER_KIND, demo2, 1440, -1),
    ]
    assert await env.at(datetime(2026, 3, 29, 11, 0, tzinfo=UTC)) == [
        (REMINDER_KIND, demo2, 120, -3)
    ]


async def test_catch_up_after_downtime_sends_only_the_closest(env: Env) -> None:
    await env.subscribe(-100)
    start = T0 + timedelta(days=2)
    demo = await add(env, start)
    await env.service.stop()
    # Down through both due moments; back 1 hour before the start.
    env.clock.set(start - timedelta(hours=1))
    await env.restart()
    assert env.outbox.take() == [(REMINDER_KIND, demo, 120, -100)]
    # Restart again: nothing twice.
    await env.restart()
    assert env.outbox.take() == []
    assert await env.at(start - timedelta(minutes=30)) == []


async def test_no_catch_up_once_demo_began(env: Env) -> None:
    await env.subscribe(-100)
    start = T0 + timedelta(days=2)
    await add(env, start)
    await env.service.stop()
    env.clock.set(start + timedelta(minutes=1))
    await env.restart()
    assert env.outbox.take() == []


async def test_no_duplicate_after_restart_at_due_moment(env: Env) -> None:
    await env.subscribe(-100)
    start = T0 + timedelta(days=2)
    demo = await add(env, start)
    assert await env.at(start - timedelta(hours=24)) == [(REMINDER_KIND, demo, 1440, -100)]
    await env.restart()
    assert env.outbox.take() == []
    assert await env.at(start - timedelta(hours=2)) == [(REMINDER_KIND, demo, 120, -100)]


async def test_late_subscriber_gets_catch_up_once(env: Env) -> None:
    start = T0 + timedelta(hours=10)
    demo = await add(env, start)
    await env.subscribe(-100)
    assert env.outbox.take() == [(REMINDER_KIND, demo, 1440, -100)]
    assert await env.at(start - timedelta(hours=2)) == [(REMINDER_KIND, demo, 120, -100)]
    # Changing lead times afterwards does not repeat a farther reminder.
    await env.chats.set_leads(-100, (2880, 1440, 120), env.clock.now())
    await env.service.chat_changed(-100)
    assert env.outbox.take() == []


async def test_region_filter(env: Env) -> None:
    await env.subscribe(-1, region="london")
    await env.subscribe(-2, region="leeds")
    await env.subscribe(-3)
    start = T0 + timedelta(days=2)
    london = await add(env, start, region="london")
    national = await add(env, start + timedelta(hours=1))
    got = await env.at(start - timedelta(hours=23))
    assert (REMINDER_KIND, london, 1440, -1) in got
    assert (REMINDER_KIND, london, 1440, -3) in got
    assert (REMINDER_KIND, london, 1440, -2) not in got
    assert {c for k, d, _, c in got if d == national} == {-1, -2, -3}


async def test_rsvp_private_chat_gets_reminders(env: Env) -> None:
    start = T0 + timedelta(days=2)
    demo = await add(env, start)
    await env.chats.ensure(555, "private", env.clock.now())  # started the bot, not subscribed
    assert await env.service.set_rsvp(demo, 555, True) == 1
    assert await env.service.set_rsvp(demo, 777, True) == 2  # never started the bot
    assert await env.at(start - timedelta(hours=24)) == [(REMINDER_KIND, demo, 1440, 555)]
    # Can't go: no more private reminders; the answer is kept until after the demo.
    assert await env.service.set_rsvp(demo, 555, False) == 1
    assert await env.demos.rsvp_answer(demo, 555) is False
    assert await env.at(start - timedelta(hours=2)) == []
    # Answers (going and can't go) are forgotten after the demo.
    await env.at(start + timedelta(hours=13))
    assert await env.demos.rsvp_summary([demo]) == {demo: (0, 0)}
    assert await env.demos.rsvp_answer(demo, 555) is None


async def test_cancel_notifies_only_reminded_chats(env: Env) -> None:
    await env.subscribe(-1)
    await env.subscribe(-2, leads=(120,))
    start = T0 + timedelta(days=2)
    demo_id = await add(env, start)
    await env.at(start - timedelta(hours=24))
    demo = await env.demos.get(demo_id)
    assert demo is not None
    assert await env.service.cancel_demo(demo, "police ban") == 1
    assert env.outbox.take() == [(NOTICE_KIND, demo_id, 0, -1)]
    assert await env.at(start - timedelta(hours=2)) == []


async def test_move_notifies_and_reschedules(env: Env) -> None:
    await env.subscribe(-1)
    start = T0 + timedelta(days=2)
    demo_id = await add(env, start)
    assert await env.at(start - timedelta(hours=24)) == [(REMINDER_KIND, demo_id, 1440, -1)]
    demo = await env.demos.get(demo_id)
    assert demo is not None
    new_start = start + timedelta(days=3)
    assert await env.service.edit_demo(demo, Edit("starts_at", new_start))
    assert env.outbox.take() == [(NOTICE_KIND, demo_id, 0, -1)]
    assert await env.at(start - timedelta(hours=2)) == []  # the old time means nothing now
    assert await env.at(new_start - timedelta(hours=24)) == [(REMINDER_KIND, demo_id, 1440, -1)]
    # A title change is not a move: no notice.
    demo = await env.demos.get(demo_id)
    assert demo is not None
    assert not await env.service.edit_demo(demo, Edit("title", "New title"))
    assert env.outbox.take() == []


async def test_lead_change_reschedules(env: Env) -> None:
    await env.subscribe(-1)
    start = T0 + timedelta(days=5)
    demo = await add(env, start)
    await env.chats.set_leads(-1, (3 * 1440,), env.clock.now())
    await env.service.chat_changed(-1)
    assert env.service.next_wake == start - timedelta(days=3)
    assert await env.at(start - timedelta(days=3)) == [(REMINDER_KIND, demo, 3 * 1440, -1)]
    assert await env.at(start - timedelta(hours=2)) == []


async def test_inactive_and_unsubscribed_chats_get_nothing(env: Env) -> None:
    await env.subscribe(-1)
    await env.subscribe(-2)
    await env.chats.set_active(-1, False, env.clock.now())
    await env.chats.set_subscribed(-2, False, env.clock.now())
    start = T0 + timedelta(days=2)
    await add(env, start)
    assert await env.at(start - timedelta(hours=24)) == []


async def test_migration_keeps_history(env: Env) -> None:
    await env.subscribe(-1)
    start = T0 + timedelta(days=2)
    demo = await add(env, start)
    assert await env.at(start - timedelta(hours=24)) == [(REMINDER_KIND, demo, 1440, -1)]
    await env.service.migrate_chat(-1, -1001)
    await env.service.chat_changed(-1001)
    assert env.outbox.take() == []
    assert await env.at(start - timedelta(hours=2)) == [(REMINDER_KIND, demo, 120, -1001)]


async def test_renderer_private_details_only_for_rsvp(env: Env) -> None:
    start = T0 + timedelta(days=2)
    demo_id = await env.service.add_demo(
        NewDemo(starts_at=start, place="Square", title="March", details="Meet at gate B")
    )
    await env.chats.ensure(555, "private", env.clock.now())
    await env.chats.ensure(-1, "supergroup", env.clock.now())
    await env.service.set_rsvp(demo_id, 555, True)
    render = env.outbox.renderers[REMINDER_KIND]
    env.clock.set(start - timedelta(hours=24))
    private = await render({"demo_id": demo_id, "lead": 1440}, (await env.chats.get(555)))  # type: ignore[arg-type]
    group = await render({"demo_id": demo_id, "lead": 1440}, (await env.chats.get(-1)))  # type: ignore[arg-type]
    assert private is not None and group is not None
    assert "Meet at gate B" in (private.html or "")
    assert "Meet at gate B" not in (group.html or "")
    assert "starts in 1 day" in (group.html or "")
    # Rendered late (catch-up): the real time left.
    env.clock.set(start - timedelta(minutes=50))
    late = await render({"demo_id": demo_id, "lead": 1440}, (await env.chats.get(-1)))  # type: ignore[arg-type]
    assert late is not None and "starts in 50 minutes" in (late.html or "")
    env.clock.set(start + timedelta(minutes=1))
    assert await render({"demo_id": demo_id, "lead": 1440}, (await env.chats.get(-1))) is None  # type: ignore[arg-type]


async def test_member_who_starts_the_bot_later_is_caught_up(env: Env) -> None:
    await env.subscribe(-1)
    start = T0 + timedelta(days=2)
    demo = await add(env, start)
    await env.service.set_rsvp(demo, 555, True)  # no private chat yet
    assert await env.at(start - timedelta(hours=24)) == [(REMINDER_KIND, demo, 1440, -1)]
    # The member starts the bot later: the next wake-up catches their private chat up once.
    await env.chats.ensure(555, "private", env.clock.now())
    assert await env.at(start - timedelta(hours=20)) == [(REMINDER_KIND, demo, 1440, 555)]
    assert await env.at(start - timedelta(hours=19)) == []
    assert await env.at(start - timedelta(hours=2)) == [
        (REMINDER_KIND, demo, 120, -1),
        (REMINDER_KIND, demo, 120, 555),
    ]
