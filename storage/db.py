"""Open the SQLite database (WAL), apply numbered migrations, and run transactions."""

from __future__ import annotations

import asyncio
import logging
import re
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

import aiosqlite


def db_time(when: datetime) -> str:
    """The one stored time format: UTC, whole seconds, ISO 8601 ("2026-12-05T14:00:00+00:00"),
    so that text comparisons in SQL order times correctly."""
    if when.tzinfo is None:
        raise ValueError("aware datetime required")
    return when.astimezone(UTC).replace(microsecond=0).isoformat()


def parse_db_time(text: str) -> datetime:
    """A stored time back as an aware UTC datetime."""
    return datetime.fromisoformat(text).astimezone(UTC)


log = logging.getLogger(__name__)

_MIGRATION_RE = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


class DatabaseError(Exception):
    """The database cannot be used (corrupt, read-only, newer schema, ...)."""


def migration_files() -> list[tuple[int, str, str]]:
    """The packaged migrations as (version, name, sql), in order."""
    found: list[tuple[int, str, str]] = []
    for entry in resources.files("storage.migrations").iterdir():
        m = _MIGRATION_RE.match(entry.name)
        if m:
            found.append((int(m.group(1)), entry.name, entry.read_text(encoding="utf-8")))
    found.sort()
    versions = [v for v, _, _ in found]
    if versions != list(range(1, len(versions) + 1)):
        raise DatabaseError(f"migrations are not numbered 1..n without gaps: {versions}")
    return found


class Database:
    """One aiosqlite connection shared by the whole bot, with a write lock for transactions."""

    def __init__(self, conn: aiosqlite.Connection, path: str) -> None:
        self.conn = conn
        self.path = path
        self._tx_lock = asyncio.Lock()
        self._tx_ends = 0  # transactions ended (committed or rolled back) on this connection

    def change_marker(self) -> tuple[int, int]:
        """A value that differs after any write made through this connection.

        SQLite's count of rows changed by every statement on the connection (also the writes
        that bypass transaction(), and migrations) plus the transactions ended here (a rollback
        undoes changes without un-counting them). While the bot runs it is the database's only
        writer (bot/ops/lock.py; import/restore refuse to run beside it), so a cache that is
        dropped whenever this changes can never serve a stale value. Cheap: no thread hop.
        """
        return (self.conn.total_changes, self._tx_ends)

    @classmethod
    async def open(cls, path: str | Path, *, migrate: bool = True) -> Database:
        path_str = str(path)
        try:
            conn = await aiosqlite.connect(path_str, isolation_level=None)
        except sqlite3.Error as exc:
            raise DatabaseError(f"cannot open database {path_str!r}: {exc}") from exc
        conn.row_factory = aiosqlite.Row
        db = cls(conn, path_str)
        try:
            await db._configure()
            if migrate:
                await db.migrate()
        except BaseException:
            await conn.close()
            raise
        return db

    async def _configure(self) -> None:
        try:
            await self.conn.execute("PRAGMA busy_timeout = 5000")
            if self.path != ":memory:":
                row = await (await self.conn.execute("PRAGMA journal_mode = WAL")).fetchone()
                if row is None or str(row[0]).lower() != "wal":
                    log.warning("database journal mode is %s, not WAL", row[0] if row else None)
            await self.conn.execute("PRAGMA foreign_keys = ON")
            await self.conn.execute("PRAGMA synchronous = NORMAL")
            await (await self.conn.execute("SELECT count(*) FROM sqlite_master")).fetchone()
        except sqlite3.DatabaseError as exc:
            raise DatabaseError(f"database {self.path!r} is not usable: {exc}") from exc

    async def schema_version(self) -> int:
        row = await (await self.conn.execute("PRAGMA user_version")).fetchone()
        return int(row[0]) if row else 0

    async def migrate(self, target: int | None = None) -> int:
        """Apply every migration above the stored version (up to target), each atomically."""
        files = migration_files()
        latest = files[-1][0] if files else 0
        current = await self.schema_version()
        if current > latest:
            raise DatabaseError(
                f"database schema version {current} is newer than this bot knows ({latest});"
                " upgrade the bot"
            )
        for version, name, sql in files:
            if version <= current or (target is not None and version > target):
                continue
            log.info("applying migration %s", name)
            # executescript would commit on its own; run statements one by one inside BEGIN.
            await self.conn.execute("BEGIN IMMEDIATE")
            try:
                for statement in split_sql(sql):
                    await self.conn.execute(statement)
                await self.conn.execute(f"PRAGMA user_version = {int(version)}")
                await self.conn.commit()
            except BaseException:
                await self.conn.rollback()
                raise
            finally:
                self._tx_ends += 1
            current = version
        return current

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """BEGIN IMMEDIATE ... COMMIT, rolled back on any error; serialised within the process."""
        async with self._tx_lock:
            await self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
            except BaseException:
                try:
                    await self.conn.rollback()
                finally:
                    self._tx_ends += 1
                raise
            else:
                try:
                    await self.conn.commit()
                finally:
                    self._tx_ends += 1

    async def close(self) -> None:
        await self.conn.close()


def split_sql(script: str) -> list[str]:
    """Split a migration script into statements, keeping triggers (BEGIN ... END;) whole."""
    statements: list[str] = []
    buf: list[str] = []
    for line in script.splitlines():
        stripped = line.strip()
        if stripped.startswith("--") and not buf:
            continue
        buf.append(line)
        candidate = "\n".join(buf)
        if stripped.endswith(";") and sqlite3.complete_statement(candidate):
            statements.append(candidate.strip())
            buf = []
    tail = "\n".join(buf).strip()
    if tail:
        statements.append(tail)
    return statements
