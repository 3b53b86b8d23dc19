"""Operational SQL: online backup, file validation, and the figures /health reports.

The synchronous functions are for the command line (`backup`, `restore`, `check`), which runs
beside a live bot: they open their own short-lived sqlite3 connections and never migrate.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from storage.db import Database, migration_files, split_sql

# Tables every solidarity-bot database has had since migration 0001.
_REQUIRED_TABLES = ("chats",)


@cache
def expected_schema(version: int) -> dict[str, frozenset[str]]:
    """Table -> columns of a database at that schema version: the migrations 1..version
    applied to an empty in-memory database (what the bot will rely on)."""
    conn = sqlite3.connect(":memory:")
    try:
        for number, _, sql in migration_files():
            if number > version:
                break
            for statement in split_sql(sql):
                conn.execute(statement)
        return _schema(conn)
    finally:
        conn.close()


def _schema(conn: sqlite3.Connection) -> dict[str, frozenset[str]]:
    names = [
        str(r[0])
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    return {
        name: frozenset(
            str(r[1]) for r in conn.execute("SELECT * FROM pragma_table_info(?)", (name,))
        )
        for name in names
    }


def schema_problems(conn: sqlite3.Connection, version: int) -> list[str]:
    """What the database lacks for its schema version: missing tables, missing columns."""
    found = _schema(conn)
    expected = expected_schema(version)
    problems: list[str] = []
    absent = sorted(t for t in expected if t not in found)
    if absent:
        problems.append(f"missing tables {', '.join(absent)}")
    for table, columns in sorted(expected.items()):
        lacking = sorted(columns - found.get(table, columns))
        if lacking:
            more = f" (+{len(lacking) - 4})" if len(lacking) > 4 else ""
            problems.append(f"{table} lacks {', '.join(lacking[:4])}{more}")
    return problems


class NotABotDatabase(Exception):
    """The file is not a healthy solidarity-bot database; the message says why."""


@dataclass(frozen=True)
class DbReport:
    """What a database file holds, as far as `check` and `restore` care."""

    schema_version: int
    latest_version: int
    tables: dict[str, int]  # table name -> row count (ordinary tables only)


def latest_schema_version() -> int:
    files = migration_files()
    return files[-1][0] if files else 0


def _connect_ro(path: Path) -> sqlite3.Connection:
    # mode=ro: never create or change the file; WAL readers still see committed pages.
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=5.0)
    conn.execute("PRAGMA busy_timeout = 5000")
    return conn


def online_backup(source: Path, dest: Path) -> None:
    """Copy source to dest (a new file) with SQLite's online backup API.

    pages=-1 copies everything inside one read transaction: with WAL, writers keep going and
    the copy is the database exactly as of the moment the backup started.
    """
    src = _connect_ro(source)
    try:
        dst = sqlite3.connect(str(dest))
        try:
            src.backup(dst, pages=-1)
            # A backup is a single file: no -wal beside it to lose when it is copied around.
            dst.execute("PRAGMA journal_mode = DELETE")
        finally:
            dst.close()
    finally:
        src.close()


def inspect_database(path: Path, *, full: bool = True) -> DbReport:
    """Check integrity and that path is a solidarity-bot database; raise NotABotDatabase if not.

    full=False runs quick_check (O(n) but skips index cross-checks) for routine health checks.
    """
    if not path.is_file():
        raise NotABotDatabase(f"{str(path)!r} does not exist or is not a file")
    try:
        with path.open("rb") as fh:
            header = fh.read(16)
    except OSError as exc:
        raise NotABotDatabase(f"cannot read {str(path)!r}: {exc.strerror}") from None
    if header != b"SQLite format 3\x00":
        raise NotABotDatabase(f"{str(path)!r} is not an SQLite database")
    try:
        conn = _connect_ro(path)
    except sqlite3.Error as exc:
        raise NotABotDatabase(f"cannot open {str(path)!r}: {exc}") from None
    try:
        pragma = "integrity_check" if full else "quick_check"
        problems = [str(r[0]) for r in conn.execute(f"PRAGMA {pragma}").fetchall()]
        if problems != ["ok"]:
            raise NotABotDatabase(f"{str(path)!r} is damaged: {'; '.join(problems[:3])}")
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        rows = conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        ).fetchall()
        ordinary = [
            str(name)
            for name, sql in rows
            if not str(sql or "").upper().startswith("CREATE VIRTUAL TABLE")
        ]
        # Shadow tables of virtual (FTS) tables are internal: skip "<vtable>_..." names.
        virtual = {str(n) for n, s in rows if str(s or "").upper().startswith("CREATE VIRTUAL")}
        ordinary = [n for n in ordinary if not any(n.startswith(v + "_") for v in virtual)]
        counts: dict[str, int] = {}
        for name in ordinary:
            quoted = '"' + name.replace('"', '""') + '"'
            counts[name] = int(conn.execute(f"SELECT count(*) FROM {quoted}").fetchone()[0])
        latest = latest_schema_version()
        # A hollow file (the right user_version, the tables missing) would pass every other
        # check here and only fail once the bot runs ("no such table: statements").
        problems = schema_problems(conn, version) if 1 <= version <= latest else []
    except sqlite3.DatabaseError as exc:
        raise NotABotDatabase(f"{str(path)!r} is not usable: {exc}") from None
    finally:
        conn.close()
    missing = [t for t in _REQUIRED_TABLES if t not in counts]
    if version < 1 or missing:
        raise NotABotDatabase(
            f"{str(path)!r} is an SQLite file but not a solidarity-bot database"
            f" (schema version {version}, missing tables: {', '.join(missing) or 'none'})"
        )
    if version > latest:
        raise NotABotDatabase(
            f"{str(path)!r} has schema version {version}, newer than this bot knows ({latest});"
            " upgrade the bot first"
        )
    if problems:
        raise NotABotDatabase(
            f"{str(path)!r} does not have the tables of schema version {version}:"
            f" {'; '.join(problems)}"
        )
    return DbReport(schema_version=version, latest_version=latest, tables=counts)


def checkpoint(path: Path) -> None:
    """Fold the -wal file into the database and remove it (only when no bot has it open)."""
    conn = sqlite3.connect(str(path), timeout=5.0)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute("PRAGMA journal_mode = DELETE")
    finally:
        conn.close()


# -- async figures for /health -------------------------------------------------------------


async def ping(db: Database) -> bool:
    """True if the bot's own connection can read the database."""
    try:
        row = await (await db.conn.execute("SELECT count(*) FROM sqlite_master")).fetchone()
    except Exception:
        return False
    return row is not None


async def _columns(db: Database, table: str) -> set[str]:
    cur = await db.conn.execute("SELECT name FROM pragma_table_info(?)", (table,))
    return {str(r[0]) for r in await cur.fetchall()}


async def broadcast_backlog(db: Database) -> int | None:
    """Outbox deliveries still to send, or None while there is no outbox table (yet)."""
    cols = await _columns(db, "deliveries")
    if "state" not in cols:
        return None
    if "status" in await _columns(db, "broadcasts"):
        # Drafts have deliveries too, but nobody is waiting for them until they are sent.
        sql = (
            "SELECT count(*) FROM deliveries d JOIN broadcasts b ON b.id = d.broadcast_id"
            " WHERE d.state = 'pending' AND b.status IN ('pending', 'running')"
        )
    else:
        sql = "SELECT count(*) FROM deliveries WHERE state = 'pending'"
    row = await (await db.conn.execute(sql)).fetchone()
    return int(row[0]) if row else 0
