"""The admin write path for demonstrations: add, edit, cancel, restore, and the notices.

Edits and cancellations do not tell chats at once: each leaves (or updates) one pending notice
per demo in SQLite, due a few minutes later, so edits confirmed within minutes of each other
send one notice saying everything that changed, and a cancellation undone in time is never
told. A named job per demo wakes the bot when its notice is due (replaced on each change);
a restart reschedules what SQLite holds, so nothing is lost. The reminders service keeps the
schedule right (it is called for every change).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.broadcast.delivery import Outgoing, Target
from bot.clock import Clock
from bot.demos.cards import Edit, cancelled_notice, demo_keyboard, venue_zone, when_text
from bot.demos.changes import change_lines, changes_of, merge
from bot.i18n import texts
from bot.i18n.translate import DEFAULT_LANGUAGE, t
from bot.reminders.fanout import REMINDER_PRIORITY, OutboxPort
from bot.reminders.service import ReminderService
from storage.chats import Chat
from storage.db import Database
from storage.demos import Demo, DemoRepo, NewDemo
from storage.notices import Change, NoticeRepo, PendingNotice

log = logging.getLogger(__name__)

CHANGE_KIND = "demo_change"
COALESCE = timedelta(minutes=3)  # edits confirmed within this of each other: one notice
UNDO_WINDOW = timedelta(minutes=15)  # the Undo button after a cancellation works this long

Scheduler = Callable[[int, datetime], None]


class DemoService:
    """Adds, edits, cancels and restores demos; queues one notice per burst of changes."""

    def __init__(
        self,
        *,
        db: Database,
        demos: DemoRepo,
        reminders: ReminderService,
        outbox: OutboxPort,
        clock: Clock,
        default_timezone: str,
    ) -> None:
        self.db = db
        self.demos = demos
        self.reminders = reminders
        self.outbox = outbox
        self.clock = clock
        self.default_timezone = default_timezone
        self.notices = NoticeRepo(db)
        # Set by the application: wake the bot for demo_id's notice at the given moment.
        self.schedule: Scheduler | None = None
        outbox.register_renderer(CHANGE_KIND, self.render_change)

    # --- writing ----------------------------------------------------------------------------
    async def add(self, new: NewDemo, *, created_by: int | None = None) -> int:
        return await self.reminders.add_demo(new, created_by=created_by)

    def plan(self, demo: Demo, edit: Edit, fallback: ZoneInfo) -> tuple[Edit, list[Change]]:
        """The edit to apply and what it changes. A new venue zone keeps the local time (a
        14:00 march stays at 14:00 there), so its start moves too."""
        if edit.column == "timezone":
            old = venue_zone(demo) or fallback
            local = demo.starts_at.astimezone(old).replace(tzinfo=None)
            moved = local.replace(tzinfo=ZoneInfo(edit.value), fold=0)
            edit = Edit(edit.column, edit.value, (("starts_at", moved.astimezone(UTC)),))
        return edit, changes_of(demo, edit.fields())

    async def edit(self, demo: Demo, edit: Edit) -> None:
        changes = changes_of(demo, edit.fields())
        await self.reminders.edit_demo(demo, edit, notify=False)
        await self._pend(demo.id, "changed", changes)

    async def cancel(self, demo: Demo, reason: str | None) -> None:
        await self.reminders.cancel_demo(demo, reason, notify=False)
        await self._pend(demo.id, "cancelled", [])

    async def restore(self, demo: Demo) -> None:
        await self.reminders.restore_demo(demo)
        await self._pend(demo.id, "restored", [])

    async def _pend(self, demo_id: int, event: str, changes: list[Change]) -> None:
        now = self.clock.now()
        due = now + COALESCE
        async with self.db.transaction() as conn:
            before = await self.notices.get(conn, demo_id)
            after = merge(before, event, changes, demo_id, due)
            if after is None:
                await self.notices.delete(conn, demo_id)
            else:
                await self.notices.put(conn, after, now)
        if after is not None and self.schedule is not None:
            self.schedule(demo_id, due)

    # --- telling chats ----------------------------------------------------------------------
    async def start(self) -> None:
        """After a restart: wake for every notice SQLite still holds."""
        for notice in await self.notices.pending():
            if self.schedule is not None:
                self.schedule(notice.demo_id, notice.due_at)

    async def flush(self) -> int:
        """Queue every notice that is due (to chats that were reminded, and for a cancellation
        or restore also members going); returns how many chats were told."""
        now = self.clock.now()
        told = 0
        for notice in await self.notices.pending():
            if notice.due_at > now:
                if self.schedule is not None:
                    self.schedule(notice.demo_id, notice.due_at)
                continue
            told += await self._send(notice, now)
        if told:
            self.outbox.wake()
        return told

    async def _send(self, listed: PendingNotice, now: datetime) -> int:
        demo = await self.demos.get(listed.demo_id)
        async with self.db.transaction() as conn:
            # Read again inside the transaction: a concurrent flush may have sent it, or a new
            # change may have pushed it back.
            notice = await self.notices.get(conn, listed.demo_id)
            if notice is None or notice.due_at > now:
                return 0
            await self.notices.delete(conn, notice.demo_id)
            if demo is None or demo.starts_at <= now:
                return 0
            going = notice.state != "changed"
            targets = await self.notices.targets(conn, demo.id, going=going)
            if not targets:
                return 0
            await self.outbox.enqueue_in(
                conn,
                kind=CHANGE_KIND,
                payload={
                    "demo_id": demo.id,
                    "state": notice.state,
                    "changes": [list(c) for c in notice.changes],
                },
                targets=[Target(chat_id, thread) for chat_id, thread in targets],
                priority=REMINDER_PRIORITY,
            )
        log.info("demo %s: %s notice to %s chats", demo.id, notice.state, len(targets))
        return len(targets)

    async def render_change(self, payload: dict[str, Any], chat: Chat) -> Outgoing | None:
        """The notice in the chat's language; times in the venue's zone (chat's in brackets)."""
        demo = await self.reminders.cards.demo(int(payload["demo_id"]))
        if demo is None:
            return None
        lang = chat.message_language or DEFAULT_LANGUAGE
        tz = _zone(chat.timezone, self.default_timezone)
        state = str(payload.get("state"))
        when = when_text(demo, tz, lang)
        if state == "cancelled":
            if not demo.cancelled:
                return None
            return Outgoing(html=cancelled_notice(demo, tz, lang))
        if demo.cancelled:
            return None
        changes = [(str(f), str(o), str(n)) for f, o, n in payload.get("changes", [])]
        if state == "restored":
            head = t(lang, texts.NOTICE_RESTORED, title=demo.title, when=when, place=demo.place)
        else:
            head = t(lang, texts.NOTICE_CHANGED, title=demo.title)
        lines = change_lines(lang, changes, venue_zone(demo) or tz)
        body = [head, *lines]
        if state != "restored":
            body += [
                "",
                t(lang, texts.DEMO_WHEN, when=when),
                t(lang, texts.DEMO_PLACE, place=demo.place),
            ]
        count = await self.reminders.cards.rsvp_count(demo.id)
        return Outgoing(html="\n".join(body), reply_markup=demo_keyboard(demo, lang, count))


def _zone(name: str | None, default: str) -> ZoneInfo:
    try:
        return ZoneInfo(name or default)
    except (ValueError, KeyError, OSError):
        return ZoneInfo(default)
