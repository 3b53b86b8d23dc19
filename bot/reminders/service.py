"""Demonstration reminders: SQLite holds the truth, one wake-up drives the fan-out.

How it works
------------
* A reminder is due for a chat at ``bot.demos.timeparse.due_at(start, lead, chat zone)`` for each
  of the chat's lead times (whole days on the chat's wall clock, other leads exact).
* There is exactly **one** wake-up: the next moment at which any (demo, lead, zone) falls due,
  a named ``run_once`` job on PTB's JobQueue replaced at each reschedule (bot/jobs.py). It is
  computed from the database with a few indexed range queries per distinct lead — never
  one job per chat or per demo. When it fires, :meth:`ReminderService.run_due` fans out to every
  chat due at that moment.
* Fan-out of one demo: for each chat, its unsent overdue leads are collected; only the closest
  one (smallest lead) is sent, the others are logged as ``skipped`` (so a bot that was down
  for a day sends one reminder, not three); a lead is also skipped if a closer reminder of the
  same demo already went to that chat. Log rows and the outbox broadcast are written in the
  same transaction, and ``(demo, chat, lead)`` is the log's primary key: at most once.
* ``reminder_runs`` marks (demo, lead, zone) fan-outs as done so later wake-ups skip them.
  Anything that changes a chat (subscribe, settings, RSVP) runs a catch-up for that chat alone;
  anything that changes a demo clears its marks. Demos that have begun are never reminded.
* Start-up: the next wake-up is rebuilt from the database and a catch-up pass runs.
* Tests drive it with the injected clock: move the FakeClock, then ``await reminders.tick()``.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

import aiosqlite

from bot.broadcast.delivery import Outgoing, Renderer, Target
from bot.clock import Clock
from bot.demos.cards import Edit, demo_keyboard, format_when, lead_phrase, render_card
from bot.demos.timeparse import MAX_DST_SHIFT, due_at
from bot.i18n import texts
from bot.i18n.translate import DEFAULT_LANGUAGE, t
from storage.chats import Chat, ChatRepo
from storage.db import Database
from storage.demos import Demo, DemoRepo, NewDemo
from storage.reminders import DemoSlot, LogRow, ReminderRepo

log = logging.getLogger(__name__)

REMINDER_KIND = "reminder"
NOTICE_KIND = "demo_notice"
REMINDER_PRIORITY = 10  # announcements use 0: reminders go first
RSVP_KEEP = timedelta(hours=12)  # RSVPs are forgotten this long after a demo began
MAX_SLEEP = 300.0  # re-check at least this often (real clock jumps, missed pokes)
ON_TIME = timedelta(minutes=15)  # later than this after due, say the real time left
_CACHE_SECONDS = 2.0


class OutboxPort(Protocol):
    """The part of bot.broadcast.outbox.Outbox this service uses."""

    def register_renderer(self, kind: str, renderer: Renderer) -> None: ...

    async def enqueue_in(
        self,
        conn: aiosqlite.Connection,
        *,
        kind: str,
        payload: dict[str, Any],
        targets: Sequence[Target],
        priority: int = 0,
        created_by: int | None = None,
    ) -> int: ...

    def wake(self) -> None: ...


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
    ) -> None:
        self.db = db
        # Told how many seconds after its due moment each reminder was queued (a metric).
        self.on_lateness = on_lateness
        self.chats = chats
        self.demos = demos
        self.repo = ReminderRepo(db)
        self.outbox = outbox
        self.clock = clock
        self.default_timezone = default_timezone
        # Arms the scheduler's one wake-up job: seconds from now, None to disarm (bot/jobs.py).
        self.wakeup = wakeup
        self.started = False
        self.next_wake: datetime | None = None
        self.last_pass_at: datetime | None = None  # when the wake-up was last armed
        self._poked = False
        self._lock = asyncio.Lock()
        self._demo_cache: dict[int, tuple[float, Demo | None]] = {}
        self._count_cache: dict[int, tuple[float, int]] = {}
        outbox.register_renderer(REMINDER_KIND, self.render_reminder)
        outbox.register_renderer(NOTICE_KIND, self.render_notice)

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
            self.next_wake = await self._compute_next(self.clock.now())
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
            self.next_wake = await self._compute_next(now)
            self._arm()
        if stats.broadcasts:
            self.outbox.wake()
        return stats

    async def chat_changed(self, chat_id: int) -> TickStats:
        """A chat subscribed, changed settings or RSVPed: catch it up now, then reschedule."""
        stats = await self.run_due(self.clock.now(), only_chat=chat_id)
        self.poke()
        return stats

    # --- the schedule -----------------------------------------------------------------------
    def _zone(self, name: str | None) -> ZoneInfo:
        try:
            return ZoneInfo(name or self.default_timezone)
        except Exception:
            return ZoneInfo(self.default_timezone)

    def _tz_name(self, chat: Chat) -> str:
        return chat.effective_timezone(self.default_timezone)

    async def _combos(self, now: datetime) -> dict[int, set[str]]:
        """lead minutes -> zone names in use by chats that can receive reminders."""
        cur = await self.db.conn.execute(
            "SELECT DISTINCT timezone, lead_minutes FROM chats WHERE active = 1 AND"
            " (subscribed = 1 OR (kind = 'private' AND chat_id IN (SELECT user_id FROM rsvps)))"
        )
        combos: dict[int, set[str]] = defaultdict(set)
        for tz, leads_json in await cur.fetchall():
            probe = Chat(0, "private", True, True, None, tz, None, None, None)
            leads = _leads(leads_json) or probe.effective_leads()
            for lead in leads:
                combos[lead].add(self._zone(tz).key)
        return combos

    async def _compute_next(self, now: datetime) -> datetime | None:
        combos = await self._combos(now)
        best: datetime | None = None
        for lead, tzs in combos.items():
            span = timedelta(minutes=lead)
            lo, hi = now + span - MAX_DST_SHIFT, now + span + MAX_DST_SHIFT
            found = self._min_due(await self.repo.slots_between(lo, hi), lead, tzs, now)
            if found is None:
                first = await self.repo.first_start_after(hi)
                if first is not None:
                    slots = await self.repo.slots_between(
                        first - timedelta(seconds=1), first + 2 * MAX_DST_SHIFT
                    )
                    found = self._min_due(slots, lead, tzs, now)
            if found is not None and (best is None or found < best):
                best = found
        cleanup = await self.demos.next_rsvp_cleanup()
        if cleanup is not None:
            when = max(cleanup + RSVP_KEEP, now)
            if best is None or when < best:
                best = when
        return best

    def _min_due(
        self, slots: list[DemoSlot], lead: int, tzs: set[str], now: datetime
    ) -> datetime | None:
        best: datetime | None = None
        for slot in slots:
            for tz in tzs:
                due = due_at(slot.starts_at, lead, self._zone(tz))
                if due > now and (best is None or due < best):
                    best = due
        return best

    async def _run_due(self, now: datetime, only_chat: int | None) -> TickStats:
        combos = await self._combos(now)
        if not combos:
            return TickStats(0, 0)
        horizon = now + timedelta(minutes=max(combos)) + MAX_DST_SHIFT
        slots = await self.repo.slots_between(now, horizon)
        if not slots:
            return TickStats(0, 0)
        runs = set() if only_chat is not None else await self.repo.runs_for(s.id for s in slots)
        rsvp = await self.repo.rsvp_chats(now, only_chat)
        # Find, per demo, the (zone -> {lead: due}) combinations that have fallen due: for
        # subscribed chats those not fanned out yet; for the few private chats of members who
        # are going, all of them (such a chat may appear later, when the member starts the bot).
        Pending = dict[str, dict[int, datetime]]
        pending_by_slot: list[tuple[DemoSlot, Pending, Pending]] = []
        for slot in slots:
            pending: Pending = {}
            pending_rsvp: Pending = {}
            rsvp_tzs = {self._zone(c.timezone).key for c in rsvp.get(slot.id, ())}
            for lead, tzs in combos.items():
                if slot.starts_at - timedelta(minutes=lead) - MAX_DST_SHIFT > now:
                    continue
                for tz in tzs:
                    fresh = (slot.id, lead, tz) not in runs
                    if not fresh and tz not in rsvp_tzs:
                        continue
                    due = due_at(slot.starts_at, lead, self._zone(tz))
                    if due > now:
                        continue
                    if fresh:
                        pending.setdefault(tz, {})[lead] = due
                    if tz in rsvp_tzs:
                        pending_rsvp.setdefault(tz, {})[lead] = due
            if pending or pending_rsvp:
                pending_by_slot.append((slot, pending, pending_rsvp))
        if not pending_by_slot:
            return TickStats(0, 0)
        by_tz: dict[str, list[Chat]] = defaultdict(list)
        if any(p for _, p, _ in pending_by_slot):
            for chat in await self.repo.subscribed_chats(only_chat):
                by_tz[self._zone(chat.timezone).key].append(chat)
        total = broadcasts = 0
        for slot, pending, pending_rsvp in pending_by_slot:
            n, b = await self._fan_out(
                slot, pending, pending_rsvp, by_tz, rsvp.get(slot.id, []), now, only_chat
            )
            total += n
            broadcasts += b
        return TickStats(total, broadcasts)

    async def _fan_out(
        self,
        slot: DemoSlot,
        pending: dict[str, dict[int, datetime]],
        pending_rsvp: dict[str, dict[int, datetime]],
        by_tz: dict[str, list[Chat]],
        rsvp_chats: list[Chat],
        now: datetime,
        only_chat: int | None,
    ) -> tuple[int, int]:
        # (chat, the leads that have fallen due for it)
        candidates: dict[int, tuple[Chat, dict[int, datetime]]] = {}
        for tz, due_leads in pending.items():
            for chat in by_tz.get(tz, ()):
                if chat.region and slot.region and chat.region != slot.region:
                    continue
                candidates[chat.chat_id] = (chat, due_leads)
        private_rsvp: set[int] = set()
        for chat in rsvp_chats:  # members who are going: their private chat, whatever the region
            due_leads = pending_rsvp.get(self._zone(chat.timezone).key, {})
            if due_leads:
                candidates[chat.chat_id] = (chat, due_leads)
                private_rsvp.add(chat.chat_id)
        if not candidates and not pending:
            return 0, 0
        if pending:
            logged = await self.repo.log_for(slot.id, only_chat)
        else:
            few = sorted(candidates) if len(candidates) <= 500 else None
            logged = await self.repo.log_for(slot.id, only_chat, chats=few)
        rows: list[LogRow] = []
        groups: dict[int, list[Target]] = defaultdict(list)
        for chat, due_leads in candidates.values():
            done = {
                lead: state
                for lead, state in logged.get(chat.chat_id, {}).items()
                if state != "moved"
            }
            overdue = sorted(
                lead for lead in chat.effective_leads() if lead in due_leads and lead not in done
            )
            if not overdue:
                continue
            closest = overdue[0]
            already = [lead for lead, state in done.items() if state == "sent"]
            send = not already or min(already) > closest
            for lead in overdue:
                state = "sent" if send and lead == closest else "skipped"
                rows.append(LogRow(slot.id, chat.chat_id, lead, due_leads[lead], state))
            if send:
                thread = (
                    None
                    if chat.chat_id in private_rsvp and not chat.subscribed
                    else (chat.thread_id)
                )
                groups[closest].append(Target(chat.chat_id, thread))
        runs = [
            (slot.id, lead, tz, due) for tz, leads in pending.items() for lead, due in leads.items()
        ]
        if not rows and (only_chat is not None or not runs):
            return 0, 0
        async with self.db.transaction() as conn:
            await self.repo.record(conn, rows, now)
            for lead, targets in groups.items():
                await self.outbox.enqueue_in(
                    conn,
                    kind=REMINDER_KIND,
                    payload={"demo_id": slot.id, "lead": lead},
                    targets=targets,
                    priority=REMINDER_PRIORITY,
                )
            if only_chat is None:
                await self.repo.mark_runs(conn, runs, now)
        if self.on_lateness is not None:
            for row in rows:
                if row.state == "sent":
                    self.on_lateness(max(0.0, (now - row.due_at).total_seconds()))
        return sum(len(v) for v in groups.values()), len(groups)

    # --- demos: the write path (keeps the schedule and notices right) -----------------------
    async def add_demo(self, new: NewDemo, *, created_by: int | None = None) -> int:
        demo_id = await self.demos.add(new, self.clock.now(), created_by=created_by)
        self._forget(demo_id)
        await self._changed()
        return demo_id

    async def _changed(self) -> None:
        """A demo changed: send whatever is now overdue, recompute the wake-up, re-arm."""
        await self.tick()
        self.poke()

    async def edit_demo(self, demo: Demo, edit: Edit) -> bool:
        """Apply one change; chats already reminded hear about a new time or place.

        Returns whether a notice was queued."""
        now = self.clock.now()
        moved = (edit.column == "starts_at" and edit.value != demo.starts_at) or (
            edit.column == "place" and edit.value != demo.place
        )
        notified = False
        async with self._lock, self.db.transaction() as conn:
            targets = await self.repo.reminded_targets(demo.id, conn) if moved else []
            await self.demos.update(demo.id, now, conn, **{edit.column: edit.value})
            if edit.column == "starts_at":
                await self.repo.forget_future(conn, demo.id, edit.value, now)
            await self.repo.clear_runs(conn, demo.id)
            if targets and not demo.cancelled:
                await self._notice(conn, demo.id, "moved", targets)
                notified = True
        self._forget(demo.id)
        if notified:
            self.outbox.wake()
        await self._changed()
        return notified

    async def cancel_demo(self, demo: Demo, reason: str | None) -> int:
        """Cancel; chats already reminded and members who RSVPed get a notice (returns how many)."""
        now = self.clock.now()
        async with self._lock, self.db.transaction() as conn:
            targets = await self.repo.reminded_targets(demo.id, conn)
            rsvp_ids = await self._rsvp_private_ids(conn, demo.id)
            seen = {chat_id for chat_id, _ in targets}
            targets += [(uid, None) for uid in rsvp_ids if uid not in seen]
            await self.demos.cancel(demo.id, reason, now, conn)
            await self.repo.clear_runs(conn, demo.id)
            if targets and demo.starts_at > now:
                await self._notice(conn, demo.id, "cancelled", targets)
        self._forget(demo.id)
        if targets:
            self.outbox.wake()
        await self._changed()
        return len(targets)

    @staticmethod
    async def _rsvp_private_ids(conn: aiosqlite.Connection, demo_id: int) -> list[int]:
        cur = await conn.execute(
            "SELECT r.user_id FROM rsvps r JOIN chats c ON c.chat_id = r.user_id"
            " WHERE r.demo_id = ? AND c.kind = 'private' AND c.active = 1 ORDER BY r.user_id",
            (demo_id,),
        )
        return [int(r[0]) for r in await cur.fetchall()]

    async def _notice(
        self,
        conn: aiosqlite.Connection,
        demo_id: int,
        change: str,
        targets: list[tuple[int, int | None]],
    ) -> None:
        await self.outbox.enqueue_in(
            conn,
            kind=NOTICE_KIND,
            payload={"demo_id": demo_id, "change": change},
            targets=[Target(chat_id, thread) for chat_id, thread in targets],
            priority=REMINDER_PRIORITY,
        )

    async def toggle_rsvp(self, demo_id: int, user_id: int) -> tuple[bool, int]:
        going, count = await self.demos.toggle_rsvp(demo_id, user_id, self.clock.now())
        self._count_cache.pop(demo_id, None)
        if going and await self.chats.get(user_id) is not None:
            await self.chat_changed(user_id)
        return going, count

    async def migrate_chat(self, old_id: int, new_id: int) -> None:
        await self.chats.migrate(old_id, new_id, self.clock.now())
        await self.repo.migrate_chat(old_id, new_id)
        self.poke()

    # --- rendering at send time ------------------------------------------------------------
    def _forget(self, demo_id: int) -> None:
        self._demo_cache.pop(demo_id, None)
        self._count_cache.pop(demo_id, None)

    async def demo(self, demo_id: int) -> Demo | None:
        hit = self._demo_cache.get(demo_id)
        if hit is not None and time.monotonic() - hit[0] < _CACHE_SECONDS:
            return hit[1]
        demo = await self.demos.get(demo_id)
        if len(self._demo_cache) > 1000:
            self._demo_cache.clear()
        self._demo_cache[demo_id] = (time.monotonic(), demo)
        return demo

    async def rsvp_count(self, demo_id: int) -> int:
        hit = self._count_cache.get(demo_id)
        if hit is not None and time.monotonic() - hit[0] < _CACHE_SECONDS:
            return hit[1]
        count = await self.demos.rsvp_count(demo_id)
        if len(self._count_cache) > 1000:
            self._count_cache.clear()
        self._count_cache[demo_id] = (time.monotonic(), count)
        return count

    async def render_reminder(self, payload: dict[str, Any], chat: Chat) -> Outgoing | None:
        """A reminder in the chat's zone and language; details only for private RSVPs."""
        demo = await self.demo(int(payload["demo_id"]))
        now = self.clock.now()
        if demo is None or demo.cancelled or demo.starts_at <= now:
            return None
        lang = chat.message_language or DEFAULT_LANGUAGE
        tz = self._zone(chat.timezone)
        lead = int(payload.get("lead", 0))
        if now - due_at(demo.starts_at, lead, tz) > ON_TIME:
            left = int((demo.starts_at - now).total_seconds() // 60)
            lead = max(5, left - left % 5) if left >= 5 else max(1, left)
        details = chat.kind == "private" and await self.demos.has_rsvp(demo.id, chat.chat_id)
        header = t(lang, texts.REMINDER_HEADER, lead=lead_phrase(lang, lead))
        body = render_card(demo, lang, tz, details=details)
        count = await self.rsvp_count(demo.id)
        return Outgoing(html=f"{header}\n\n{body}", reply_markup=demo_keyboard(demo, lang, count))

    async def render_notice(self, payload: dict[str, Any], chat: Chat) -> Outgoing | None:
        demo = await self.demo(int(payload["demo_id"]))
        if demo is None:
            return None
        lang = chat.message_language or DEFAULT_LANGUAGE
        tz = self._zone(chat.timezone)
        when = format_when(demo.starts_at, tz, lang)
        if payload.get("change") == "cancelled":
            html = t(
                lang,
                texts.NOTICE_CANCELLED,
                title=demo.title,
                when=when,
                reason=demo.cancel_reason or "",
            )
            return Outgoing(html=html.rstrip())
        if demo.cancelled:
            return None
        html = t(lang, texts.NOTICE_MOVED, title=demo.title, when=when, place=demo.place)
        count = await self.rsvp_count(demo.id)
        return Outgoing(html=html, reply_markup=demo_keyboard(demo, lang, count))


def _leads(raw: str | None) -> tuple[int, ...] | None:
    import json

    if not raw:
        return None
    try:
        return tuple(int(x) for x in json.loads(raw)) or None
    except (ValueError, TypeError):
        return None
