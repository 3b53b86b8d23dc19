"""Erasing a chat's data (/forget) and pruning old delivery records (retention).

Which columns identify a chat or a person is found by introspection (PRAGMA table_info), so
tables added by later migrations are covered without editing this module:

* a column named ``chat_id`` or ``user_id`` (or ending in ``_chat_id``/``_user_id``) that is
  NOT NULL or part of the primary key identifies the row's subject: the row is deleted;
* such a column that may be NULL, or a ``created_by``-style column (``*_by``), only refers to
  someone: it is set to NULL (with a ``<prefix>_message_id`` partner, if any);
* the outbox's aggregate counts stay consistent: a pending delivery that is erased is taken out
  of its broadcast's ``total`` (a trigger, migration 0008, does it in the same statement);
* for a person, finished announcements copied from their chat (the source's chat id is inside
  the JSON payload) are deleted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import aiosqlite

from storage.db import Database

_ID_COLUMN = re.compile(r"^(?:chat_id|user_id|.+_chat_id|.+_user_id|.+_by)$")


@dataclass(frozen=True)
class IdColumn:
    table: str
    column: str
    subject: bool  # True: the row is about this id (delete it); False: a reference (NULL it)
    partner: str | None = None  # e.g. status_message_id for status_chat_id


@dataclass
class Erased:
    """Rows deleted per table and references cleared per table.column."""

    deleted: dict[str, int] = field(default_factory=dict)
    cleared: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.deleted.values()) + sum(self.cleared.values())


@dataclass
class Pruned:
    deliveries: int = 0
    broadcasts: int = 0
    reminder_log: int = 0
    rsvps: int = 0


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


async def id_columns(conn: aiosqlite.Connection) -> list[IdColumn]:
    """Every column of every ordinary table that holds a chat or user id."""
    cur = await conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        " AND sql NOT LIKE 'CREATE VIRTUAL TABLE%' ORDER BY name"
    )
    tables = [str(r[0]) for r in await cur.fetchall()]
    out: list[IdColumn] = []
    for table in tables:
        cur = await conn.execute(f"PRAGMA table_info({_q(table)})")
        info = await cur.fetchall()
        names = {str(r[1]) for r in info}
        for row in info:
            name, notnull, pk = str(row[1]), bool(row[3]), bool(row[5])
            if not _ID_COLUMN.match(name):
                continue
            is_by = name.endswith("_by")
            subject = (notnull or pk) and not is_by
            partner = None
            if name.endswith("_chat_id"):
                candidate = name[: -len("_chat_id")] + "_message_id"
                partner = candidate if candidate in names else None
            out.append(IdColumn(table, name, subject, partner))
    return out


class PrivacyRepo:
    """The SQL behind /forget and the retention job."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def erase(self, chat_id: int, *, person: bool) -> Erased:
        """Erase everything stored about chat_id in one transaction.

        ``person``: the chat is a private chat, so chat_id is also a user id and user_id
        columns (RSVPs, created_by, ...) are erased too. For a group only chat-id columns are.
        """
        result = Erased()
        async with self.db.transaction() as conn:
            columns = await id_columns(conn)
            tables = {c.table for c in columns}
            if person and "broadcasts" in tables:
                # An announcement made by replying keeps (chat id, message id) of the source in
                # its JSON payload; finished ones (and drafts) that copy from this chat go.
                cur = await conn.execute(
                    "DELETE FROM broadcasts WHERE status IN ('draft', 'done', 'stopped',"
                    " 'cancelled') AND json_valid(payload)"
                    " AND json_extract(payload, '$.copy_from[0]') = ?",
                    (chat_id,),
                )
                if cur.rowcount > 0:
                    result.deleted["broadcasts"] = cur.rowcount
            for col in columns:
                about_user = col.column == "user_id" or col.column.endswith(("_user_id", "_by"))
                if about_user and not person:
                    continue
                if col.subject:
                    cur = await conn.execute(
                        f"DELETE FROM {_q(col.table)} WHERE {_q(col.column)} = ?", (chat_id,)
                    )
                    if cur.rowcount:
                        result.deleted[col.table] = result.deleted.get(col.table, 0) + cur.rowcount
                else:
                    sets = f"{_q(col.column)} = NULL"
                    if col.partner:
                        sets += f", {_q(col.partner)} = NULL"
                    cur = await conn.execute(
                        f"UPDATE {_q(col.table)} SET {sets} WHERE {_q(col.column)} = ?",
                        (chat_id,),
                    )
                    if cur.rowcount:
                        key = f"{col.table}.{col.column}"
                        result.cleared[key] = result.cleared.get(key, 0) + cur.rowcount
        return result

    async def mentions(self, some_id: int) -> list[str]:
        """table.column names where some_id still appears (for tests and `check`)."""
        found: list[str] = []
        for col in await id_columns(self.db.conn):
            cur = await self.db.conn.execute(
                f"SELECT 1 FROM {_q(col.table)} WHERE {_q(col.column)} = ? LIMIT 1", (some_id,)
            )
            if await cur.fetchone() is not None:
                found.append(f"{col.table}.{col.column}")
        return found

    async def prune(self, now: datetime, retention: timedelta) -> Pruned:
        """Delete delivery records, finished broadcasts, reminder logs and RSVPs older than
        the retention period. Pending work is never touched."""
        cutoff = (now - retention).isoformat()
        out = Pruned()
        async with self.db.transaction() as conn:
            tables = await _tables(conn)
            if "broadcasts" in tables:
                cur = await conn.execute(
                    "DELETE FROM broadcasts WHERE status IN ('done', 'stopped', 'cancelled')"
                    " AND coalesce(finished_at, created_at) < ?",
                    (cutoff,),
                )
                out.broadcasts += max(cur.rowcount, 0)
                cur = await conn.execute(
                    "DELETE FROM broadcasts WHERE status = 'draft' AND created_at < ?", (cutoff,)
                )
                out.broadcasts += max(cur.rowcount, 0)
            if "deliveries" in tables:
                cur = await conn.execute(
                    "DELETE FROM deliveries WHERE state != 'pending' AND updated_at < ?", (cutoff,)
                )
                out.deliveries = max(cur.rowcount, 0)
            if "reminder_log" in tables:
                cur = await conn.execute("DELETE FROM reminder_log WHERE due_at < ?", (cutoff,))
                out.reminder_log = max(cur.rowcount, 0)
            for answers in ("rsvps", "rsvp_declines"):
                if answers in tables and "demos" in tables:
                    cur = await conn.execute(
                        f"DELETE FROM {answers} WHERE demo_id IN"
                        " (SELECT id FROM demos WHERE starts_at < ?)",
                        (cutoff,),
                    )
                    out.rsvps += max(cur.rowcount, 0)
        return out


async def _tables(conn: aiosqlite.Connection) -> set[str]:
    cur = await conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
    return {str(r[0]) for r in await cur.fetchall()}
