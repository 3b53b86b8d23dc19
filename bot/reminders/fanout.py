"""Fan-out of one demo's due reminders: which chat gets which lead, written at most once.

For each chat, its unsent overdue leads are collected; only the closest one (smallest lead) is
sent, the others are logged as ``skipped`` (a bot that was down for a day sends one reminder,
not three); a lead is also skipped if a closer reminder of the same demo already went to that
chat. A *late* reminder (one that would say the real time left: after a change of lead times,
a new subscription, a restart) is skipped when another of the chat's leads falls due within the
hour or a reminder of the demo went to the chat within the hour: changing lead times to
3d + 1d + 2h a day and 10 minutes before a demo sends "starts in 1 day" on time, not also
"starts in 1 day 10 minutes" 10 minutes earlier. Log rows and the outbox broadcast are
written in one transaction, and ``(demo, chat, lead)`` is the log's primary key: at most once.

Flood cap: a chat gets at most ``per_hour`` reminders in any hour (counted from the log).
Beyond that a reminder is logged as ``skipped`` and, at the end of the pass, the chat gets one
digest pointing to /demos instead, at most one a day, whoever added the demonstrations (an
administrator, a calendar feed, an import).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

import aiosqlite

from bot.broadcast.delivery import Renderer, Target
from bot.demos.timeparse import due_at
from bot.reminders.schedule import DueSlot, Schedule
from storage.chats import Chat
from storage.db import Database
from storage.reminders import DemoSlot, Logged, LogRow, ReminderRepo

REMINDER_KIND = "reminder"
DIGEST_KIND = "reminder_digest"
REMINDER_PRIORITY = 10  # announcements use 0: reminders go first
CAP_WINDOW = timedelta(hours=1)
ON_TIME = timedelta(minutes=15)  # a reminder later than this says the real time left
LATE_GAP = timedelta(hours=1)  # a late reminder never comes within this of one on the same demo
DIGEST_EVERY = timedelta(days=1)


class OutboxPort(Protocol):
    """The part of bot.broadcast.outbox.Outbox the reminders use."""

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


@dataclass
class Plan:
    """What one demo's fan-out writes: log rows, and the targets per lead sent."""

    rows: list[LogRow] = field(default_factory=list)
    groups: dict[int, list[Target]] = field(default_factory=lambda: defaultdict(list))


@dataclass
class Budget:
    """The hourly cap over one pass: reminders each chat got lately, and what was held back."""

    per_hour: int
    used: dict[int, int]  # chat_id -> reminders in the last hour (this pass included)
    held: dict[int, tuple[Target, int]] = field(default_factory=dict)  # chat -> (where, how many)

    def take(self, chat_id: int) -> bool:
        n = self.used.get(chat_id, 0)
        if n >= self.per_hour:
            return False
        self.used[chat_id] = n + 1
        return True

    def hold(self, target: Target) -> None:
        _, n = self.held.get(target.chat_id, (target, 0))
        self.held[target.chat_id] = (target, n + 1)


class FanOut:
    def __init__(
        self,
        *,
        db: Database,
        repo: ReminderRepo,
        schedule: Schedule,
        outbox: OutboxPort,
        on_lateness: Callable[[float], None] | None = None,
    ) -> None:
        self.db = db
        self.repo = repo
        self.schedule = schedule
        self.outbox = outbox
        # Told how many seconds after its due moment each reminder was queued (a metric).
        self.on_lateness = on_lateness

    async def run(
        self,
        due: DueSlot,
        by_tz: dict[str, list[Chat]],
        rsvp_chats: list[Chat],
        now: datetime,
        only_chat: int | None,
        budget: Budget,
    ) -> tuple[int, int]:
        """Fan out one demo; returns (reminders queued, broadcasts queued)."""
        slot, pending = due.slot, due.pending
        # (chat, the leads that have fallen due for it)
        candidates: dict[int, tuple[Chat, dict[int, datetime]]] = {}
        for tz, due_leads in pending.items():
            for chat in by_tz.get(tz, ()):
                if chat.region and slot.region and chat.region != slot.region:
                    continue
                candidates[chat.chat_id] = (chat, due_leads)
        private_rsvp: set[int] = set()
        for chat in rsvp_chats:  # members who are going: their private chat, whatever the region
            due_leads = due.pending_rsvp.get(self.schedule.zone(chat.timezone).key, {})
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
        plan = Plan()
        for chat, due_leads in candidates.values():
            private = chat.chat_id in private_rsvp and not chat.subscribed
            target = Target(chat.chat_id, None if private else chat.thread_id)
            lead = self._plan_chat(
                plan, slot, chat, due_leads, logged.get(chat.chat_id, {}), budget, target, now
            )
            if lead is not None:
                plan.groups[lead].append(target)
        runs = [
            (slot.id, lead, tz, when)
            for tz, leads in pending.items()
            for lead, when in leads.items()
        ]
        if not plan.rows and (only_chat is not None or not runs):
            return 0, 0
        async with self.db.transaction() as conn:
            await self.repo.record(conn, plan.rows, now)
            for lead, targets in plan.groups.items():
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
            for row in plan.rows:
                if row.state == "sent":
                    self.on_lateness(max(0.0, (now - row.due_at).total_seconds()))
        return sum(len(v) for v in plan.groups.values()), len(plan.groups)

    def _plan_chat(
        self,
        plan: Plan,
        slot: DemoSlot,
        chat: Chat,
        due_leads: dict[int, datetime],
        logged: dict[int, Logged],
        budget: Budget,
        target: Target,
        now: datetime,
    ) -> int | None:
        """Log the chat's overdue leads; returns the one to send, if any."""
        done = {lead: entry for lead, entry in logged.items() if entry.state != "moved"}
        overdue = sorted(
            lead for lead in chat.effective_leads() if lead in due_leads and lead not in done
        )
        if not overdue:
            return None
        closest = overdue[0]
        already = [lead for lead, entry in done.items() if entry.state == "sent"]
        send = not already or min(already) > closest
        if send and now - due_leads[closest] > ON_TIME:
            send = not self._too_close(slot, chat, closest, done, logged, now)
        if send and not budget.take(chat.chat_id):
            send = False
            budget.hold(target)
        for lead in overdue:
            state = "sent" if send and lead == closest else "skipped"
            plan.rows.append(LogRow(slot.id, chat.chat_id, lead, due_leads[lead], state))
        return closest if send else None

    def _too_close(
        self,
        slot: DemoSlot,
        chat: Chat,
        late_lead: int,
        done: dict[int, Logged],
        logged: dict[int, Logged],
        now: datetime,
    ) -> bool:
        """Whether a late reminder would come within the hour of another one of the demo."""
        if any(e.sent_at is not None and now - e.sent_at < LATE_GAP for e in logged.values()):
            return True
        zone = self.schedule.zone(chat.timezone)
        return any(
            now < due_at(slot.starts_at, lead, zone) <= now + LATE_GAP
            for lead in chat.effective_leads()
            if lead < late_lead and lead not in done
        )

    async def send_digests(self, budget: Budget, now: datetime) -> int:
        """One digest to each chat that had reminders held back (none if it had one lately);
        returns the broadcasts queued."""
        if not budget.held:
            return 0
        recent = await self.repo.digested_since(now - DIGEST_EVERY)
        groups: dict[int, list[Target]] = defaultdict(list)
        for chat_id, (target, n) in budget.held.items():
            if chat_id not in recent:
                groups[n].append(target)
        if not groups:
            return 0
        async with self.db.transaction() as conn:
            for n, targets in groups.items():
                await self.outbox.enqueue_in(
                    conn,
                    kind=DIGEST_KIND,
                    payload={"count": n},
                    targets=targets,
                    priority=REMINDER_PRIORITY,
                )
            chat_ids = [t.chat_id for targets in groups.values() for t in targets]
            await self.repo.mark_digested(conn, chat_ids, now)
        return len(groups)
