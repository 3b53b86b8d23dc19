"""Every upgrade path: from each schema version k (0..latest) to the latest, nothing is lost.

Generic on purpose: for each version k the test builds a database at k, seeds every ordinary
table that exists at k with two rows of simple per-column values (from PRAGMA table_info,
honouring `CHECK (col IN (...))` lists and foreign keys), migrates to the latest version and
checks every seeded row is still there with the same values in every column that still exists.
A migration added later is covered without touching this file. If a new table needs a value
this cannot guess, add it to OVERRIDES; if a migration renames a table, add it to RENAMED.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from storage.db import Database, migration_files

LATEST = migration_files()[-1][0]

# (table, column) -> value for row i (1 or 2), for columns whose constraints are too clever.
OVERRIDES: dict[tuple[str, str], Any] = {}
# old table name -> new table name, for migrations that rename tables.
RENAMED: dict[str, str] = {}

_ROWS = 2


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


async def _tables(db: Database) -> dict[str, str]:
    """Ordinary tables (name -> CREATE sql), without virtual tables and their shadow tables."""
    cur = await db.conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    )
    rows = [(str(r[0]), str(r[1] or "")) for r in await cur.fetchall()]
    virtual = {n for n, s in rows if s.upper().startswith("CREATE VIRTUAL TABLE")}
    return {
        n: s
        for n, s in rows
        if n not in virtual and not any(n.startswith(v + "_") for v in virtual)
    }


def _check_choices(create_sql: str, column: str) -> list[Any] | None:
    m = re.search(
        rf"CHECK\s*\(\s*\"?{re.escape(column)}\"?\s+IN\s*\(([^)]*)\)", create_sql, re.I | re.S
    )
    if not m:
        return None
    choices: list[Any] = []
    for literal in re.findall(r"'((?:[^']|'')*)'|(-?\d+)", m.group(1)):
        text, number = literal
        choices.append(int(number) if number else text.replace("''", "'"))
    return choices or None


def _value(table: str, create_sql: str, col: dict[str, Any], i: int) -> Any:
    name = str(col["name"])
    if (table, name) in OVERRIDES:
        override = OVERRIDES[(table, name)]
        return override(i) if callable(override) else override
    choices = _check_choices(create_sql, name)
    if choices:
        return choices[(i - 1) % len(choices)]
    decl = str(col["type"] or "").upper()
    default = col["dflt_value"]
    if "INT" in decl:
        return i
    if any(k in decl for k in ("REAL", "FLOA", "DOUB")):
        return i + 0.5
    if "BLOB" in decl:
        return bytes([i]) * 4
    if isinstance(default, str) and default.strip("'") in ("{}", "[]"):
        return default.strip("'")  # JSON columns keep valid JSON
    if name.endswith("_at") or name.endswith("_time"):
        return f"2026-0{i}-0{i}T10:00:00+00:00"
    return f"{name}-{i}"


async def _seed(db: Database) -> dict[str, list[dict[str, Any]]]:
    """Two rows in every ordinary table, parents before children; returns what was written."""
    tables = await _tables(db)
    fks: dict[str, list[tuple[str, str, str | None]]] = {}
    for table in tables:
        cur = await db.conn.execute(f"PRAGMA foreign_key_list({_quote(table)})")
        fks[table] = [(str(r["from"]), str(r["table"]), r["to"]) for r in await cur.fetchall()]
    order: list[str] = []
    pending = sorted(tables)
    while pending:
        ready = [
            t for t in pending if all(p in order or p == t or p not in tables for _, p, _ in fks[t])
        ]
        assert ready, f"foreign keys form a cycle among {pending}"
        order.extend(ready)
        pending = [t for t in pending if t not in ready]
    seeded: dict[str, list[dict[str, Any]]] = {}
    for table in order:
        cur = await db.conn.execute(f"PRAGMA table_info({_quote(table)})")
        columns = [dict(r) for r in await cur.fetchall()]
        rows: list[dict[str, Any]] = []
        for i in range(1, _ROWS + 1):
            row = {c["name"]: _value(table, tables[table], c, i) for c in columns}
            for column, parent, target in fks[table]:
                parent_rows = seeded.get(parent)
                if parent_rows:
                    key = target or _pk_of(parent_rows[0])
                    row[column] = parent_rows[i - 1][key]
            names = ", ".join(_quote(n) for n in row)
            marks = ", ".join("?" for _ in row)
            try:
                async with db.transaction() as conn:
                    await conn.execute(
                        f"INSERT INTO {_quote(table)} ({names}) VALUES ({marks})",
                        tuple(row.values()),
                    )
            except Exception as exc:
                pytest.fail(
                    f"cannot seed {table} with {row}: {exc} -- add an OVERRIDES entry for it"
                )
            rows.append(row)
        seeded[table] = rows
    return seeded


def _pk_of(row: dict[str, Any]) -> str:
    return "id" if "id" in row else next(iter(row))


@pytest.mark.parametrize("start", range(LATEST + 1))
async def test_upgrade_from_every_version_keeps_every_row(tmp_path: Path, start: int) -> None:
    path = tmp_path / f"at-{start}.sqlite3"
    db = await Database.open(path, migrate=False)
    try:
        assert await db.migrate(target=start) == start
        assert await db.schema_version() == start
        seeded = await _seed(db)
        assert set(seeded) == set(await _tables(db))
        assert await db.migrate() == LATEST
        assert await db.schema_version() == LATEST
        after = await _tables(db)
        for table, rows in seeded.items():
            now_named = RENAMED.get(table, table)
            assert now_named in after, f"table {table} (present at v{start}) vanished"
            cur = await db.conn.execute(f"PRAGMA table_info({_quote(now_named)})")
            surviving = {str(r["name"]) for r in await cur.fetchall()}
            cur = await db.conn.execute(f"SELECT * FROM {_quote(now_named)}")
            present = [dict(r) for r in await cur.fetchall()]
            for row in rows:
                expected = {k: v for k, v in row.items() if k in surviving}
                assert any(all(p.get(k) == v for k, v in expected.items()) for p in present), (
                    f"a row of {table} changed or was lost going v{start} -> v{LATEST}: {expected}"
                )
        cur = await db.conn.execute("PRAGMA integrity_check")
        assert [r[0] for r in await cur.fetchall()] == ["ok"]
        cur = await db.conn.execute("PRAGMA foreign_key_check")
        assert await cur.fetchall() == []
    finally:
        await db.close()


async def test_reopening_a_latest_database_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    db = await Database.open(path)
    seeded = await _seed(db)
    await db.close()
    db = await Database.open(path)  # migrations on start are a no-op now
    try:
        assert await db.schema_version() == LATEST
        for table, rows in seeded.items():
            cur = await db.conn.execute(f"SELECT count(*) FROM {_quote(table)}")
            row = await cur.fetchone()
            assert row is not None and row[0] == len(rows)
    finally:
        await db.close()


async def test_a_newer_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    db = await Database.open(path)
    await db.conn.execute(f"PRAGMA user_version = {LATEST + 1}")
    await db.close()
    from storage.db import DatabaseError

    with pytest.raises(DatabaseError, match="newer than this bot knows"):
        await Database.open(path)
