"""Demonstration reminders: SQLite holds the truth, one wake-up drives the fan-out.

How it works
------------
* :mod:`bot.reminders.schedule` reads when reminders fall due; there is exactly **one**
  wake-up, the next due moment, a named ``run_once`` job on PTB's JobQueue replaced at each
  reschedule (bot/jobs.py). When it fires, :meth:`ReminderService.run_due` fans out
  (:mod:`bot.reminders.fanout`) to every chat due at that moment.
* ``reminder_runs`` marks (demo, lead, zone) fan-outs as done so later wake-ups skip them.
  Anything that changes a chat (subscribe, settings, RSVP) runs a catch-up for that chat alone;
  anything that changes a demo clears its marks. Demos that have begun are never reminded.
* This service is also the write path for demos and RSVPs (add, edit, cancel), so the schedule
  and the change notices (:mod:`bot.reminders.notices`) stay right.
* Start-up: the next wake-up is rebuilt from the database and a catch-up pass runs.
* Tests drive it with the injected clock: move the FakeClock, then ``await reminders.tick()``.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from bot.clock import Clock
from bot.demos.cards import Edit
from bot.reminders.fanout import CAP_WINDOW, REMINDER_KIND, Budget, FanOut, OutboxPort
from bot.reminders.notices import NOTICE_KIND, Cards, queue_notice
from bot.reminders.schedule import RSVP_KEEP, Schedule
from storage.chats import Chat, ChatRepo
from storage.db import Database
from storage.demos import Demo, DemoRepo, NewDemo
from storage.reminders import ReminderRepo

__all__ = ["MAX_SLEEP", "NOTICE_KIND", "REMINDER_KIND", "ReminderService", "TickStats"]

MAX_SLEEP = 300.0  # re-check at least this often (real clock jumps, missed pokes)


@dataclass(frozen=True)
class TickStats:
    reminders: int  # reminder deliveries handed to the outbox
    broadcasts: int


class ReminderService:
    """Schedules, fans out and renders reminders; also the write path for demos and RSVPs."""

    def __init__(
        self,
        *,
        db: Database,
        chats: ChatRepo,
        demos: DemoRepo,
        outbox: OutboxPort,
        clock: Clock,
        default_timezone: str,
        on_lateness: Callable[[float], None] | None = None,
        wakeup: Callable[[float | None], None] | None = None,
        per_hour: int = 3,
    ) -> None:
        self.db = db
        self.chats = chats
        self.demos = demos
        self.repo = ReminderRepo(db)
        self.outbox = outbox
        self.clock = clock
        self.per_hour = per_hour  # the flood cap: reminders per chat per hour
        self.schedule = Schedule(self.repo, demos, default_timezone)
        self.fanout = FanOut(
            db=db, repo=self.repo, schedule=self.schedule, outbox=outbox, on_lateness=on_lateness
        )
        self.cards = Cards(demos=demos, schedule=self.schedule, clock=clock, outbox=outbox)
        # Arms the scheduler's one wake-up job: seconds from now, None to disarm (bot/jobs.py).
        self.wakeup = wakeup
        self.started = False
        self.next_wake: datetime | None = None
        self.last_pass_at: datetime | None = None  # when the wake-up was last armed
        self._poked = False
        self._lock = asyncio.Lock()

    # --- lifecycle ------------------------------------------------------------------------
    async def start(self, *, catch_up: bool = True) -> None:
        """Rebuild the wake-up from the database, catch up, then arm the wake-up job."""
        self.started = True
        await self.rebuild()
        if catch_up:
            await self.tick()

    async def stop(self) -> None:
        self.started = False
        if self.wakeup is not None:
            self.wakeup(None)

    async def rebuild(self) -> datetime | None:
        """Recompute the one wake-up from the database (nothing is sent)."""
        async with self._lock:
            self._poked = False
            self.next_wake = await self.schedule.next_due(self.clock.now())
            self._arm()
        return self.next_wake

    def poke(self) -> None:
        """Something changed: recompute (and send what is due) as soon as possible."""
        self._poked = True
        self.arm_in(0.0)

    def arm_in(self, delay: float) -> None:
        """Have the scheduler run :meth:`tick` in ``delay`` seconds (once started)."""
        if self.started and self.wakeup is not None:
            self.wakeup(delay)

    def _arm(self) -> None:
        # A poke that arrived while the schedule was being computed may have changed it.
        self.last_pass_at = self.clock.now()
        if self._poked:
            delay = 0.0
        elif self.next_wake is None:
            delay = MAX_SLEEP
        else:
            delay = (self.next_wake - self.clock.now()).total_seconds()
            delay = max(0.0, min(MAX_SLEEP, delay))
        self.arm_in(delay)

    async def tick(self) -> TickStats:
        """Send everything due at the clock's now, clean up, and set the next wake-up."""
        return await self.run_due(self.clock.now())

    async def run_due(self, now: datetime, *, only_chat: int | None = None) -> TickStats:
        """Fan out every reminder due at or before now (for one chat only, if given)."""
        async with self._lock:
            self._poked = False
            stats = await self._run_due(now, only_chat)
            if only_chat is None:
                await self.demos.delete_rsvps_before(now - RSVP_KEEP)
            self.next_wake = await self.schedule.next_due(now)
            self._arm()
        if stats.broadcasts:
            self.outbox.wake()
        return stats

    async def chat_changed(self, chat_id: int) -> TickStats:
        """A chat subscribed, changed settings or RSVPed: catch it up now, then reschedule."""
        stats = await self.run_due(self.clock.now(), only_chat=chat_id)
        self.poke()
        return stats

    async def _run_due(self, now: datetime, only_chat: int | None) -> TickStats:
        due = await self.schedule.due(now, only_chat)
        if not due.slots:
            return TickStats(0, 0)
        by_tz: dict[str, list[Chat]] = defaultdict(list)
        if any(d.pending for d in due.slots):
            for chat in await self.repo.subscribed_chats(only_chat):
                by_tz[self.schedule.zone(chat.timezone).key].append(chat)
        used = await self.repo.sent_since(now - CAP_WINDOW, only_chat)
        budget = Budget(self.per_hour, used)
        total = broadcasts = 0
        for slot in due.slots:
            n, b = await self.fanout.run(
                slot, by_tz, due.rsvp.get(slot.slot.id, []), now, only_chat, budget
            )
            total += n
            broadcasts += b
        broadcasts += await self.fanout.send_digests(budget, now)
        return TickStats(total, broadcasts)

    # --- demos: the write path (keeps the schedule and notices right) -----------------------
    async def add_demo(self, new: NewDemo, *, created_by: int | None = None) -> int:
        demo_id = await self.demos.add(new, self.clock.now(), created_by=created_by)
        self.cards.forget(demo_id)
        await self._changed()
        return demo_id

    async def _changed(self) -> None:
        """A demo changed: send whatever is now overdue, recompute the wake-up, re-arm."""
        await self.tick()
        self.poke()

    async def edit_demo(self, demo: Demo, edit: Edit, *, notify: bool = True) -> bool:
        """Apply one change; chats already reminded hear about a new time or place (unless
        notify is False: bot.demos.service tells them itself, coalesced).

        Returns whether a notice was queued."""
        now = self.clock.now()
        fields = edit.fields()
        moved = notify and (
            ("starts_at" in fields and fields["starts_at"] != demo.starts_at)
            or ("place" in fields and fields["place"] != demo.place)
        )
        notified = False
        async with self._lock, self.db.transaction() as conn:
            targets = await self.repo.reminded_targets(demo.id, conn) if moved else []
            await self.demos.update(demo.id, now, conn, **fields)
            if "starts_at" in fields:
                await self.repo.forget_future(conn, demo.id, fields["starts_at"], now)
            await self.repo.clear_runs(conn, demo.id)
            if targets and not demo.cancelled:
                await queue_notice(self.outbox, conn, demo.id, "moved", targets)
                notified = True
        self.cards.forget(demo.id)
        if notified:
            self.outbox.wake()
        await self._changed()
        return notified

    async def cancel_demo(self, demo: Demo, reason: str | None, *, notify: bool = True) -> int:
        """Cancel; chats already reminded and members who RSVPed get a notice (returns how many;
        with notify False, none: bot.demos.service tells them itself)."""
        now = self.clock.now()
        async with self._lock, self.db.transaction() as conn:
            targets = await self.repo.reminded_targets(demo.id, conn) if notify else []
            rsvp_ids = await self.repo.rsvp_private_ids(conn, demo.id) if notify else []
            seen = {chat_id for chat_id, _ in targets}
            targets += [(uid, None) for uid in rsvp_ids if uid not in seen]
            await self.demos.cancel(demo.id, reason, now, conn)
            await self.repo.clear_runs(conn, demo.id)
            if targets and demo.starts_at > now:
                await queue_notice(self.outbox, conn, demo.id, "cancelled", targets)
        self.cards.forget(demo.id)
        if targets:
            self.outbox.wake()
        await self._changed()
        return len(targets)

    async def restore_demo(self, demo: Demo) -> None:
        """Undo a cancellation: the demo is scheduled again and reminders resume."""
        async with self._lock, self.db.transaction() as conn:
            await self.demos.restore(demo.id, self.clock.now(), conn)
            await self.repo.clear_runs(conn, demo.id)
        self.cards.forget(demo.id)
        await self._changed()

    async def set_rsvp(self, demo_id: int, user_id: int, going: bool) -> int:
        """Record Going / Can't go; returns the Going count. A member going who has started
        the bot is caught up on reminders privately."""
        count = await self.demos.set_rsvp(demo_id, user_id, going, self.clock.now())
        self.cards.forget_count(demo_id)
        if going and await self.chats.get(user_id) is not None:
            await self.chat_changed(user_id)
        return count

    async def migrate_chat(self, old_id: int, new_id: int) -> None:
        await self.chats.migrate(old_id, new_id, self.clock.now())
        await self.repo.migrate_chat(old_id, new_id)
        self.poke()
