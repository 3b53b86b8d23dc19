"""Repository for the reminder scheduler: who is due, what was already sent, fan-out marks."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from storage.chats import Chat, row_to_chat
from storage.db import Database, db_time, parse_db_time


def _leads(raw: str | None) -> tuple[int, ...] | None:
    if not raw:
        return None
    try:
        return tuple(int(x) for x in json.loads(raw)) or None
    except (ValueError, TypeError):
        return None


@dataclass(frozen=True)
class DemoSlot:
    """The scheduler's view of a demo: id, start and region."""

    id: int
    starts_at: datetime
    region: str | None


@dataclass(frozen=True)
class LogRow:
    demo_id: int
    chat_id: int
    lead_minutes: int
    due_at: datetime
    state: str  # 'sent' | 'skipped'


@dataclass(frozen=True)
class Logged:
    """One (demo, chat, lead) of the reminder log, as the fan-out needs it."""

    state: str  # 'sent' | 'skipped' | 'moved' (sent for an earlier time of a moved demo)
    sent_at: datetime | None


class ReminderRepo:
    """Queries used by bot.reminders; writes happen inside the caller's transaction."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def subscribed_chats(self, only_chat: int | None = None) -> list[Chat]:
        sql = "SELECT * FROM chats WHERE subscribed = 1 AND active = 1"
        args: tuple[object, ...] = ()
        if only_chat is not None:
            sql += " AND chat_id = ?"
            args = (only_chat,)
        cur = await self.db.conn.execute(sql, args)
        return [row_to_chat(r) for r in await cur.fetchall()]

    async def audience_settings(self) -> list[tuple[str | None, tuple[int, ...] | None]]:
        """Distinct (time zone, lead minutes) of chats that can receive reminders: subscribed
        ones, and private chats of members who are going to something."""
        cur = await self.db.conn.execute(
            "SELECT DISTINCT timezone, lead_minutes FROM chats WHERE active = 1 AND"
            " (subscribed = 1 OR (kind = 'private' AND chat_id IN (SELECT user_id FROM rsvps)))"
        )
        return [(tz, _leads(raw)) for tz, raw in await cur.fetchall()]

    @staticmethod
    async def rsvp_private_ids(conn: aiosqlite.Connection, demo_id: int) -> list[int]:
        """Active private chats of the members going to a demo."""
        cur = await conn.execute(
            "SELECT r.user_id FROM rsvps r JOIN chats c ON c.chat_id = r.user_id"
            " WHERE r.demo_id = ? AND c.kind = 'private' AND c.active = 1 ORDER BY r.user_id",
            (demo_id,),
        )
        return [int(r[0]) for r in await cur.fetchall()]

    async def rsvp_chats(
        self, after: datetime, only_chat: int | None = None
    ) -> dict[int, list[Chat]]:
        """Active private chats of members who RSVPed to upcoming demos, by demo id."""
        sql = (
            "SELECT r.demo_id AS rsvp_demo_id, c.* FROM rsvps r"
            " JOIN chats c ON c.chat_id = r.user_id"
            " JOIN demos d ON d.id = r.demo_id"
            " WHERE c.kind = 'private' AND c.active = 1"
            " AND d.status = 'scheduled' AND d.starts_at > ?"
        )
        args: tuple[object, ...] = (db_time(after),)
        if only_chat is not None:
            sql += " AND c.chat_id = ?"
            args = (*args, only_chat)
        cur = await self.db.conn.execute(sql, args)
        out: dict[int, list[Chat]] = defaultdict(list)
        for row in await cur.fetchall():
            out[int(row["rsvp_demo_id"])].append(row_to_chat(row))
        return dict(out)

    async def slots_between(
        self, after: datetime, until: datetime, *, limit: int | None = None
    ) -> list[DemoSlot]:
        """Scheduled demos with after < starts_at <= until, soonest first."""
        sql = (
            "SELECT id, starts_at, region FROM demos WHERE status = 'scheduled'"
            " AND starts_at > ? AND starts_at <= ? ORDER BY starts_at, id"
        )
        args: tuple[object, ...] = (db_time(after), db_time(until))
        if limit is not None:
            sql += " LIMIT ?"
            args = (*args, limit)
        cur = await self.db.conn.execute(sql, args)
        return [DemoSlot(int(r[0]), parse_db_time(r[1]), r[2]) for r in await cur.fetchall()]

    async def first_start_after(self, after: datetime) -> datetime | None:
        cur = await self.db.conn.execute(
            "SELECT min(starts_at) FROM demos WHERE status = 'scheduled' AND starts_at > ?",
            (db_time(after),),
        )
        row = await cur.fetchone()
        return parse_db_time(row[0]) if row and row[0] else None

    async def runs_for(self, demo_ids: Iterable[int]) -> set[tuple[int, int, str]]:
        ids = list(demo_ids)
        out: set[tuple[int, int, str]] = set()
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            marks = ",".join("?" * len(chunk))
            cur = await self.db.conn.execute(
                "SELECT demo_id, lead_minutes, timezone FROM reminder_runs"
                f" WHERE demo_id IN ({marks})",
                chunk,
            )
            out.update((int(r[0]), int(r[1]), str(r[2])) for r in await cur.fetchall())
        return out

    async def log_for(
        self, demo_id: int, only_chat: int | None = None, *, chats: list[int] | None = None
    ) -> dict[int, dict[int, Logged]]:
        """chat_id -> {lead_minutes: Logged} for one demo; state 'moved' marks a reminder sent
        for an earlier time of a demo that has since moved (it may be sent again)."""
        sql = (
            "SELECT chat_id, lead_minutes, CASE WHEN state = 'skipped' AND sent_at IS NOT NULL"
            " THEN 'moved' ELSE state END, sent_at FROM reminder_log WHERE demo_id = ?"
        )
        args: tuple[object, ...] = (demo_id,)
        if only_chat is not None:
            sql += " AND chat_id = ?"
            args = (*args, only_chat)
        if chats is not None:
            if not chats:
                return {}
            sql += f" AND chat_id IN ({','.join('?' * len(chats))})"
            args = (*args, *chats)
        cur = await self.db.conn.execute(sql, args)
        out: dict[int, dict[int, Logged]] = defaultdict(dict)
        for chat_id, lead, state, sent_at in await cur.fetchall():
            when = parse_db_time(sent_at) if sent_at else None
            out[int(chat_id)][int(lead)] = Logged(str(state), when)
        return out

    @staticmethod
    async def record(conn: aiosqlite.Connection, rows: list[LogRow], now: datetime) -> None:
        stamp = db_time(now)
        await conn.executemany(
            "INSERT INTO reminder_log"
            " (demo_id, chat_id, lead_minutes, due_at, state, sent_at)"
            " VALUES (?, ?, ?, ?, ?, ?)"
            # Only a reminder superseded by a move (see forget_future) is ever replaced.
            " ON CONFLICT (demo_id, chat_id, lead_minutes) DO UPDATE SET"
            " due_at = excluded.due_at, state = excluded.state,"
            " sent_at = coalesce(excluded.sent_at, reminder_log.sent_at)"
            " WHERE reminder_log.state = 'skipped' AND reminder_log.sent_at IS NOT NULL",
            [
                (
                    r.demo_id,
                    r.chat_id,
                    r.lead_minutes,
                    db_time(r.due_at),
                    r.state,
                    stamp if r.state == "sent" else None,
                )
                for r in rows
            ],
        )

    @staticmethod
    async def mark_runs(
        conn: aiosqlite.Connection,
        runs: list[tuple[int, int, str, datetime]],
        now: datetime,
    ) -> None:
        stamp = db_time(now)
        await conn.executemany(
            "INSERT OR IGNORE INTO reminder_runs"
            " (demo_id, lead_minutes, timezone, due_at, done_at) VALUES (?, ?, ?, ?, ?)",
            [(d, lead, tz, db_time(due), stamp) for d, lead, tz, due in runs],
        )

    @staticmethod
    async def clear_runs(conn: aiosqlite.Connection, demo_id: int) -> None:
        await conn.execute("DELETE FROM reminder_runs WHERE demo_id = ?", (demo_id,))

    @staticmethod
    async def forget_future(
        conn: aiosqlite.Connection, demo_id: int, new_start: datetime, now: datetime
    ) -> None:
        """After a demo moved, leads that now fall after `now` may be sent again.

        A reminder already sent for such a lead is kept as state 'skipped' with its sent_at
        (the chat *was* reminded, so it still hears about later changes) and is replaced when
        the lead is sent again; a lead already past stays done (the move notice covers it).
        """
        seconds_ahead = (new_start - now).total_seconds()
        await conn.execute(
            "DELETE FROM reminder_log WHERE demo_id = ? AND lead_minutes * 60 < ?"
            " AND state = 'skipped' AND sent_at IS NULL",
            (demo_id, seconds_ahead),
        )
        await conn.execute(
            "UPDATE reminder_log SET state = 'skipped' WHERE demo_id = ?"
            " AND lead_minutes * 60 < ? AND state = 'sent'",
            (demo_id, seconds_ahead),
        )

    async def reminded_targets(
        self, demo_id: int, conn: aiosqlite.Connection | None = None
    ) -> list[tuple[int, int | None]]:
        """(chat_id, thread_id) of active chats that were sent a reminder of this demo."""
        c = conn or self.db.conn
        cur = await c.execute(
            "SELECT DISTINCT l.chat_id, ch.thread_id FROM reminder_log l"
            " JOIN chats ch ON ch.chat_id = l.chat_id"
            " WHERE l.demo_id = ? AND l.sent_at IS NOT NULL AND ch.active = 1"
            " ORDER BY l.chat_id",
            (demo_id,),
        )
        return [(int(r[0]), r[1]) for r in await cur.fetchall()]

    async def sent_since(self, since: datetime, only_chat: int | None = None) -> dict[int, int]:
        """chat_id -> reminders sent to it after ``since`` (chats with none are left out)."""
        sql = "SELECT chat_id, count(*) FROM reminder_log WHERE sent_at > ?"
        args: tuple[object, ...] = (db_time(since),)
        if only_chat is not None:
            sql += " AND chat_id = ?"
            args = (*args, only_chat)
        cur = await self.db.conn.execute(sql + " GROUP BY chat_id", args)
        return {int(chat_id): int(n) for chat_id, n in await cur.fetchall()}

    async def digested_since(self, since: datetime) -> set[int]:
        """Chats sent a reminder digest after ``since``."""
        cur = await self.db.conn.execute(
            "SELECT chat_id FROM chats WHERE reminder_digest_at > ?", (db_time(since),)
        )
        return {int(r[0]) for r in await cur.fetchall()}

    @staticmethod
    async def mark_digested(conn: aiosqlite.Connection, chat_ids: list[int], now: datetime) -> None:
        await conn.executemany(
            "UPDATE chats SET reminder_digest_at = ? WHERE chat_id = ?",
            [(db_time(now), chat_id) for chat_id in chat_ids],
        )

    async def migrate_chat(self, old_id: int, new_id: int) -> None:
        """A group became a supergroup: its reminder history follows the new id."""
        async with self.db.transaction() as conn:
            await conn.execute(
                "UPDATE OR IGNORE reminder_log SET chat_id = ? WHERE chat_id = ?", (new_id, old_id)
            )
            await conn.execute("DELETE FROM reminder_log WHERE chat_id = ?", (old_id,))

    async def count_log(self, demo_id: int | None = None) -> int:
        sql = "SELECT count(*) FROM reminder_log"
        args: tuple[object, ...] = ()
        if demo_id is not None:
            sql += " WHERE demo_id = ?"
            args = (demo_id,)
        cur = await self.db.conn.execute(sql, args)
        row = await cur.fetchone()
        return int(row[0]) if row else 0
