"""Repository for the outbox: broadcasts, their per-chat deliveries, and delivery statistics."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import aiosqlite

from storage.chats import Chat, row_to_chat
from storage.db import Database

#: Broadcast statuses the engine works on (and resumes after a restart).
LIVE_STATUSES = ("pending", "running")
#: Final delivery states; 'pending' is the only one that is still to be sent.
FINAL_STATES = ("sent", "failed", "gone", "skipped", "cancelled")


@dataclass(frozen=True)
class Broadcast:
    """One broadcast and its counts (kept current by triggers as deliveries complete)."""

    id: int
    kind: str
    payload: dict[str, Any]
    priority: int
    status: str
    total: int
    sent: int
    failed: int
    gone: int
    skipped: int
    created_by: int | None
    status_chat_id: int | None
    status_message_id: int | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    number: int | None = None  # an announcement's own number, given when it is sent

    @property
    def label(self) -> int:
        """The number people see: an announcement's own number, else the id."""
        return self.number if self.number is not None else self.id

    @property
    def done(self) -> int:
        return self.sent + self.failed + self.gone + self.skipped

    @property
    def remaining(self) -> int:
        return max(0, self.total - self.done)


@dataclass(frozen=True)
class Delivery:
    """One pending delivery as the engine loads it, with the target chat's stored settings."""

    broadcast_id: int
    chat_id: int
    thread_id: int | None
    attempts: int
    chat: Chat | None


@dataclass(frozen=True)
class Outcome:
    """What happened to one delivery, written by :meth:`OutboxRepo.record`."""

    broadcast_id: int
    chat_id: int
    state: str  # 'pending' (will be retried) or one of FINAL_STATES
    attempts: int
    error: str | None = None


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _row_to_broadcast(row: aiosqlite.Row) -> Broadcast:
    created = _dt(row["created_at"])
    assert created is not None
    return Broadcast(
        id=int(row["id"]),
        kind=str(row["kind"]),
        payload=json.loads(row["payload"]),
        priority=int(row["priority"]),
        status=str(row["status"]),
        total=int(row["total"]),
        sent=int(row["sent"]),
        failed=int(row["failed"]),
        gone=int(row["gone"]),
        skipped=int(row["skipped"]),
        created_by=row["created_by"],
        status_chat_id=row["status_chat_id"],
        status_message_id=row["status_message_id"],
        created_at=created,
        started_at=_dt(row["started_at"]),
        finished_at=_dt(row["finished_at"]),
        number=row["number"],
    )


#: kinds people refer to by their own number ("Broadcast #3"): announcements, not reminders
NUMBERED_KINDS = frozenset({"announce"})


class OutboxRepo:
    """All SQL of the outbox. Writes are short transactions on the shared connection."""

    def __init__(self, db: Database) -> None:
        self.db = db

    # --- broadcasts ----------------------------------------------------------------------------
    async def create(
        self,
        conn: aiosqlite.Connection,
        *,
        kind: str,
        payload: dict[str, Any],
        targets: Sequence[tuple[int, int | None]],
        priority: int,
        created_by: int | None,
        now: datetime,
        status: str = "pending",
    ) -> int:
        """Insert a broadcast and its deliveries inside the caller's transaction."""
        stamp = now.isoformat()
        cur = await conn.execute(
            "INSERT INTO broadcasts (kind, payload, priority, status, created_by, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (kind, json.dumps(payload), priority, status, created_by, stamp),
        )
        broadcast_id = cur.lastrowid
        assert broadcast_id is not None
        if status != "draft":
            await self._number(conn, broadcast_id)
            await self._insert_deliveries(conn, broadcast_id, targets, stamp)
        return int(broadcast_id)

    async def _insert_deliveries(
        self,
        conn: aiosqlite.Connection,
        broadcast_id: int,
        targets: Sequence[tuple[int, int | None]],
        stamp: str,
    ) -> None:
        seen: dict[int, int | None] = {}
        for chat_id, thread_id in targets:
            seen.setdefault(chat_id, thread_id)  # one copy per chat, whatever the caller passed
        await conn.executemany(
            "INSERT INTO deliveries (broadcast_id, chat_id, thread_id, updated_at)"
            " VALUES (?, ?, ?, ?)",
            [(broadcast_id, c, t, stamp) for c, t in seen.items()],
        )
        await conn.execute(
            "UPDATE broadcasts SET total = ? WHERE id = ?", (len(seen), broadcast_id)
        )

    async def launch_draft(
        self,
        broadcast_id: int,
        targets: Sequence[tuple[int, int | None]],
        now: datetime,
        *,
        status_chat_id: int | None = None,
        status_message_id: int | None = None,
    ) -> bool:
        """Turn a draft into a pending broadcast with these targets; False if not a draft."""
        async with self.db.transaction() as conn:
            cur = await conn.execute(
                "UPDATE broadcasts SET status = 'pending', status_chat_id = ?,"
                " status_message_id = ? WHERE id = ? AND status = 'draft'",
                (status_chat_id, status_message_id, broadcast_id),
            )
            if cur.rowcount != 1:
                return False
            await self._number(conn, broadcast_id)
            await self._insert_deliveries(conn, broadcast_id, targets, now.isoformat())
        return True

    @staticmethod
    async def _number(conn: aiosqlite.Connection, broadcast_id: int) -> None:
        """Give a broadcast of a numbered kind the next number of its kind as it is sent."""
        await conn.execute(
            "UPDATE broadcasts SET number = (SELECT coalesce(max(b.number), 0) + 1"
            " FROM broadcasts b WHERE b.kind = broadcasts.kind)"
            f" WHERE id = ? AND kind IN ({', '.join('?' for _ in NUMBERED_KINDS)})",
            (broadcast_id, *sorted(NUMBERED_KINDS)),
        )

    async def set_status_message(self, broadcast_id: int, chat_id: int, message_id: int) -> None:
        async with self.db.transaction() as conn:
            await conn.execute(
                "UPDATE broadcasts SET status_chat_id = ?, status_message_id = ? WHERE id = ?",
                (chat_id, message_id, broadcast_id),
            )

    async def cancel_draft(self, broadcast_id: int) -> bool:
        async with self.db.transaction() as conn:
            cur = await conn.execute(
                "UPDATE broadcasts SET status = 'cancelled' WHERE id = ? AND status = 'draft'",
                (broadcast_id,),
            )
            return cur.rowcount == 1

    async def get(self, broadcast_id: int) -> Broadcast | None:
        cur = await self.db.conn.execute("SELECT * FROM broadcasts WHERE id = ?", (broadcast_id,))
        row = await cur.fetchone()
        return _row_to_broadcast(row) if row else None

    async def by_number(self, kind: str, number: int) -> Broadcast | None:
        """The broadcast of this kind with this own number (announcements: "Broadcast #3")."""
        cur = await self.db.conn.execute(
            "SELECT * FROM broadcasts WHERE kind = ? AND number = ?", (kind, number)
        )
        row = await cur.fetchone()
        return _row_to_broadcast(row) if row else None

    async def live(self) -> list[Broadcast]:
        """Broadcasts still to be worked on, most urgent first."""
        cur = await self.db.conn.execute(
            "SELECT * FROM broadcasts WHERE status IN ('pending', 'running')"
            " ORDER BY priority DESC, id"
        )
        return [_row_to_broadcast(r) for r in await cur.fetchall()]

    async def recent(self, limit: int = 10, kinds: Iterable[str] | None = None) -> list[Broadcast]:
        sql = "SELECT * FROM broadcasts WHERE status != 'draft' AND status != 'cancelled'"
        args: list[Any] = []
        if kinds is not None:
            kind_list = list(kinds)
            sql += f" AND kind IN ({', '.join('?' for _ in kind_list)})"
            args += kind_list
        cur = await self.db.conn.execute(sql + " ORDER BY id DESC LIMIT ?", (*args, limit))
        return [_row_to_broadcast(r) for r in await cur.fetchall()]

    async def mark_running(self, broadcast_id: int, now: datetime) -> None:
        async with self.db.transaction() as conn:
            await conn.execute(
                "UPDATE broadcasts SET status = 'running', started_at = coalesce(started_at, ?)"
                " WHERE id = ? AND status = 'pending'",
                (now.isoformat(), broadcast_id),
            )

    async def finish(self, broadcast_id: int, status: str, now: datetime) -> Broadcast | None:
        """Close a broadcast ('done' or 'stopped'); a stop cancels what was not sent yet."""
        stamp = now.isoformat()
        async with self.db.transaction() as conn:
            if status == "stopped":
                await conn.execute(
                    "UPDATE deliveries SET state = 'cancelled', updated_at = ?"
                    " WHERE broadcast_id = ? AND state = 'pending'",
                    (stamp, broadcast_id),
                )
            await conn.execute(
                "UPDATE broadcasts SET status = ?, finished_at = ?"
                " WHERE id = ? AND status IN ('pending', 'running')",
                (status, stamp, broadcast_id),
            )
        return await self.get(broadcast_id)

    # --- deliveries ----------------------------------------------------------------------------
    async def pending(
        self, broadcast_id: int, after_chat_id: int | None, limit: int
    ) -> list[Delivery]:
        """A page of pending deliveries (in chat id order) with the chats' stored settings."""
        cur = await self.db.conn.execute(
            "SELECT d.broadcast_id AS b_id, d.chat_id AS d_chat_id, d.thread_id AS d_thread_id,"
            " d.attempts AS d_attempts, c.*"
            " FROM deliveries d LEFT JOIN chats c ON c.chat_id = d.chat_id"
            " WHERE d.broadcast_id = ? AND d.state = 'pending' AND d.chat_id > ?"
            " ORDER BY d.chat_id LIMIT ?",
            (broadcast_id, after_chat_id if after_chat_id is not None else -(2**63), limit),
        )
        out = []
        for row in await cur.fetchall():
            chat = row_to_chat(row) if row["chat_id"] is not None else None
            out.append(
                Delivery(
                    broadcast_id=int(row["b_id"]),
                    chat_id=int(row["d_chat_id"]),
                    thread_id=row["d_thread_id"],
                    attempts=int(row["d_attempts"]),
                    chat=chat,
                )
            )
        return out

    async def record(self, outcomes: Sequence[Outcome], now: datetime) -> None:
        """Write a batch of outcomes in one transaction.

        The broadcasts' counts follow in the same statements (triggers of migration 0008): a
        delivery that is no longer pending (erased by /forget meanwhile) counts nothing.
        """
        if not outcomes:
            return
        stamp = now.isoformat()
        async with self.db.transaction() as conn:
            await conn.executemany(
                "UPDATE deliveries SET state = ?, attempts = ?, last_error = ?, updated_at = ?"
                " WHERE broadcast_id = ? AND chat_id = ? AND state = 'pending'",
                [
                    (o.state, o.attempts, o.error, stamp, o.broadcast_id, o.chat_id)
                    for o in outcomes
                ],
            )

    async def move_delivery(
        self, broadcast_id: int, old_chat_id: int, new_chat_id: int, now: datetime
    ) -> bool:
        """Point a pending delivery at a migrated chat's new id; False if it already had one."""
        async with self.db.transaction() as conn:
            cur = await conn.execute(
                "SELECT 1 FROM deliveries WHERE broadcast_id = ? AND chat_id = ?",
                (broadcast_id, new_chat_id),
            )
            if await cur.fetchone() is not None:
                await conn.execute(
                    "UPDATE deliveries SET state = 'skipped', last_error = 'migrated',"
                    " updated_at = ? WHERE broadcast_id = ? AND chat_id = ? AND state = 'pending'",
                    (now.isoformat(), broadcast_id, old_chat_id),
                )
                return False
            await conn.execute(
                "UPDATE deliveries SET chat_id = ?, last_error = 'migrated', updated_at = ?"
                " WHERE broadcast_id = ? AND chat_id = ?",
                (new_chat_id, now.isoformat(), broadcast_id, old_chat_id),
            )
        return True

    async def delivery_states(self, broadcast_id: int) -> dict[int, str]:
        cur = await self.db.conn.execute(
            "SELECT chat_id, state FROM deliveries WHERE broadcast_id = ?", (broadcast_id,)
        )
        return {int(r[0]): str(r[1]) for r in await cur.fetchall()}

    # --- statistics ----------------------------------------------------------------------------
    async def target_chats(self, region: str | None = None) -> list[Chat]:
        """Active subscribed chats; with a region, only chats that chose exactly that region."""
        sql = "SELECT * FROM chats WHERE subscribed = 1 AND active = 1"
        args: tuple[Any, ...] = ()
        if region:
            sql += " AND region = ?"
            args = (region.casefold(),)
        cur = await self.db.conn.execute(sql + " ORDER BY chat_id", args)
        return [row_to_chat(r) for r in await cur.fetchall()]

    async def delivered_since(self, since: datetime) -> int:
        cur = await self.db.conn.execute(
            "SELECT count(*) FROM deliveries WHERE state = 'sent' AND updated_at >= ?",
            (since.isoformat(),),
        )
        row = await cur.fetchone()
        return int(row[0]) if row else 0

    async def upcoming_demos(self, now: datetime) -> int | None:
        """Upcoming demonstrations if the demos table exists yet (None when it does not)."""
        cur = await self.db.conn.execute("SELECT name FROM pragma_table_info('demos')")
        columns = {str(r[0]) for r in await cur.fetchall()}
        if not columns:
            return None
        start = next((c for c in ("starts_at", "start_at", "starts", "at") if c in columns), None)
        if start is None:
            return None
        sql = f"SELECT count(*) FROM demos WHERE {start} >= ?"
        if "cancelled" in columns:
            sql += " AND NOT cancelled"
        elif "status" in columns:
            sql += " AND status NOT IN ('cancelled', 'deleted')"
        cur = await self.db.conn.execute(sql, (now.isoformat(),))
        row = await cur.fetchone()
        return int(row[0]) if row else 0


def week_ago(now: datetime) -> datetime:
    return now - timedelta(days=7)
