"""Notices about demonstration changes waiting to be sent (one row per demo), and who to tell."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from storage.db import Database, db_time, parse_db_time

Change = tuple[str, str, str]  # (field, old, new), values in their storage form


@dataclass(frozen=True)
class PendingNotice:
    """What chats will be told about one demo once due_at has passed."""

    demo_id: int
    state: str  # 'changed', 'cancelled' or 'restored'
    changes: tuple[Change, ...]
    due_at: datetime


def _row(row: aiosqlite.Row) -> PendingNotice:
    changes = tuple((str(f), str(o), str(n)) for f, o, n in json.loads(row["changes"] or "[]"))
    return PendingNotice(
        demo_id=int(row["demo_id"]),
        state=str(row["state"]),
        changes=changes,
        due_at=parse_db_time(row["due_at"]),
    )


class NoticeRepo:
    """demo_notices, plus the chats a demo's notices go to."""

    def __init__(self, db: Database) -> None:
        self.db = db

    @staticmethod
    async def get(conn: aiosqlite.Connection, demo_id: int) -> PendingNotice | None:
        cur = await conn.execute("SELECT * FROM demo_notices WHERE demo_id = ?", (demo_id,))
        row = await cur.fetchone()
        return _row(row) if row else None

    @staticmethod
    async def put(conn: aiosqlite.Connection, notice: PendingNotice, now: datetime) -> None:
        await conn.execute(
            "INSERT INTO demo_notices (demo_id, state, changes, due_at, created_at)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT (demo_id) DO UPDATE SET state = excluded.state,"
            " changes = excluded.changes, due_at = excluded.due_at",
            (
                notice.demo_id,
                notice.state,
                json.dumps([list(c) for c in notice.changes], ensure_ascii=False),
                db_time(notice.due_at),
                db_time(now),
            ),
        )

    @staticmethod
    async def delete(conn: aiosqlite.Connection, demo_id: int) -> None:
        await conn.execute("DELETE FROM demo_notices WHERE demo_id = ?", (demo_id,))

    async def pending(self) -> list[PendingNotice]:
        cur = await self.db.conn.execute("SELECT * FROM demo_notices ORDER BY due_at, demo_id")
        return [_row(r) for r in await cur.fetchall()]

    @staticmethod
    async def targets(
        conn: aiosqlite.Connection, demo_id: int, *, going: bool
    ) -> list[tuple[int, int | None]]:
        """(chat_id, thread_id) of active chats reminded of the demo, and with going=True the
        private chats of members who said they are going."""
        cur = await conn.execute(
            "SELECT DISTINCT l.chat_id, ch.thread_id FROM reminder_log l"
            " JOIN chats ch ON ch.chat_id = l.chat_id"
            " WHERE l.demo_id = ? AND l.sent_at IS NOT NULL AND ch.active = 1"
            " ORDER BY l.chat_id",
            (demo_id,),
        )
        found: dict[int, int | None] = {int(r[0]): r[1] for r in await cur.fetchall()}
        if going:
            cur = await conn.execute(
                "SELECT r.user_id FROM rsvps r JOIN chats c ON c.chat_id = r.user_id"
                " WHERE r.demo_id = ? AND c.kind = 'private' AND c.active = 1"
                " ORDER BY r.user_id",
                (demo_id,),
            )
            for (user_id,) in await cur.fetchall():
                found.setdefault(int(user_id), None)
        return sorted(found.items())
