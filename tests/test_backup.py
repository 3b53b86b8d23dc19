"""Online backup while the bot writes, restore validation and its refusal while a bot runs."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.ops.backup import BackupError, BackupResult, backup, restore
from bot.ops.lock import InstanceLock
from storage.db import Database
from storage.maintenance import NotABotDatabase, inspect_database

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


async def _insert_chat(db: Database, chat_id: int) -> None:
    async with db.transaction() as conn:
        await conn.execute(
            "INSERT INTO chats (chat_id, kind, created_at, updated_at) VALUES (?, 'group', ?, ?)",
            (chat_id, NOW.isoformat(), NOW.isoformat()),
        )


def _count(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return int(conn.execute("SELECT count(*) FROM chats").fetchone()[0])
    finally:
        conn.close()


async def test_backup_while_another_connection_writes(tmp_path: Path) -> None:
    db_path = tmp_path / "live.sqlite3"
    db = await Database.open(db_path)
    # Enough rows that the copy takes a while compared to one insert.
    async with db.transaction() as conn:
        await conn.executemany(
            "INSERT INTO chats (chat_id, kind, region, created_at, updated_at)"
            " VALUES (?, 'group', ?, ?, ?)",
            [(-i, "x" * 200, NOW.isoformat(), NOW.isoformat()) for i in range(1, 5001)],
        )
    stop = asyncio.Event()
    warmed_up = asyncio.Event()
    written = 0

    async def writer() -> None:
        nonlocal written
        while not stop.is_set():
            written += 1
            await _insert_chat(db, written)
            if written >= 20:
                warmed_up.set()
            await asyncio.sleep(0)

    task = asyncio.create_task(writer())
    try:
        await asyncio.wait_for(warmed_up.wait(), 10)  # the writer really runs before backups
        results = []
        for i in range(3):
            dest = tmp_path / f"copy{i}.sqlite3"
            results.append(await asyncio.to_thread(backup, db_path, dest, NOW))
    finally:
        stop.set()
        await asyncio.wait_for(task, 5)
    await db.close()
    assert written > 20
    _check_copies(results, written, tmp_path)


def _check_copies(results: list[BackupResult], written: int, folder: Path) -> None:
    counts = []
    for result in results:
        report = inspect_database(result.path)  # integrity_check passes
        assert report.schema_version >= 1
        counts.append(report.tables["chats"])
        assert not Path(f"{result.path}-wal").exists()
    assert all(5000 < c <= 5000 + written for c in counts)
    assert counts == sorted(counts)
    assert not list(folder.glob(".*partial*"))


def test_backup_into_a_folder_and_cli(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    db_path = tmp_path / "bot.sqlite3"
    asyncio.run(_fresh(db_path, chats=3))
    folder = tmp_path / "backups"
    folder.mkdir()
    monkeypatch.setenv("BOT_DB_PATH", str(db_path))
    assert main(["backup", str(folder)]) == 0
    out = capsys.readouterr().out
    assert "backup written" in out and "3 chats" in out
    (copy,) = folder.glob("solidarity-bot-*.sqlite3")
    assert _count(copy) == 3
    assert main(["backup", str(tmp_path / "missing" / "x.sqlite3")]) == 1
    assert "does not exist" in capsys.readouterr().err


async def _fresh(path: Path, chats: int) -> None:
    db = await Database.open(path)
    for i in range(chats):
        await _insert_chat(db, 100 + i)
    await db.close()


def test_restore_replaces_atomically_and_keeps_the_old_db(tmp_path: Path) -> None:
    live = tmp_path / "bot.sqlite3"
    other = tmp_path / "other.sqlite3"
    asyncio.run(_fresh(live, chats=2))
    asyncio.run(_fresh(other, chats=5))
    report, previous = restore(live, other)
    assert report.tables["chats"] == 5
    assert _count(live) == 5
    assert previous is not None and _count(previous) == 2
    assert not Path(f"{live}-wal").exists()
    assert not list(tmp_path.glob(".*restore*"))


def test_restore_refuses_while_a_bot_holds_the_lock(tmp_path: Path) -> None:
    live = tmp_path / "bot.sqlite3"
    other = tmp_path / "other.sqlite3"
    asyncio.run(_fresh(live, chats=2))
    asyncio.run(_fresh(other, chats=5))
    with InstanceLock(live), pytest.raises(BackupError, match="another solidarity-bot is running"):
        restore(live, other)
    assert _count(live) == 2
    restore(live, other)  # once the bot has stopped, it works
    assert _count(live) == 5


def test_restore_cli_refusal_status(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    live = tmp_path / "bot.sqlite3"
    other = tmp_path / "other.sqlite3"
    asyncio.run(_fresh(live, chats=1))
    asyncio.run(_fresh(other, chats=4))
    monkeypatch.setenv("BOT_DB_PATH", str(live))
    with InstanceLock(live):
        assert main(["restore", str(other)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "another solidarity-bot is running" in err[0]
    assert main(["restore", str(other)]) == 0
    assert _count(live) == 4


def test_restore_validates_the_file(tmp_path: Path) -> None:
    live = tmp_path / "bot.sqlite3"
    asyncio.run(_fresh(live, chats=2))
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    foreign = tmp_path / "foreign.sqlite3"
    conn = sqlite3.connect(foreign)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    newer = tmp_path / "newer.sqlite3"
    asyncio.run(_fresh(newer, chats=1))
    conn = sqlite3.connect(newer)
    conn.execute("PRAGMA user_version = 9999")
    conn.close()
    damaged = tmp_path / "damaged.sqlite3"
    asyncio.run(_fresh(damaged, chats=300))
    conn = sqlite3.connect(damaged)
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.close()
    raw = bytearray(damaged.read_bytes())
    page = 4096
    for offset in range(page * 2, len(raw) - 16, page):  # scribble over every page's header
        raw[offset : offset + 8] = b"\xff" * 8
    damaged.write_bytes(bytes(raw))
    for bad, reason in (
        (text, "not an SQLite database"),
        (foreign, "not a solidarity-bot database"),
        (newer, "newer than this bot knows"),
        (damaged, "damaged|not usable"),
        (tmp_path / "absent.sqlite3", "does not exist"),
    ):
        with pytest.raises(BackupError, match=reason):
            restore(live, bad)
        assert _count(live) == 2
    with pytest.raises(NotABotDatabase):
        inspect_database(foreign)


def test_restore_and_check_refuse_a_hollow_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The right schema version and a `chats` table, but none of the rest: restoring it used
    to succeed, `check --live` said "database ok", and `run` then failed ("no such table")."""
    live = tmp_path / "bot.sqlite3"
    asyncio.run(_fresh(live, chats=2))
    hollow = tmp_path / "hollow.sqlite3"
    conn = sqlite3.connect(hollow)
    conn.execute("CREATE TABLE chats (x)")
    conn.execute("PRAGMA user_version = 6")
    conn.commit()
    conn.close()
    with pytest.raises(BackupError, match="does not have the tables of schema version 6"):
        restore(live, hollow)
    assert _count(live) == 2
    # A real database missing one column is refused too.
    lacking = tmp_path / "lacking.sqlite3"
    asyncio.run(_fresh(lacking, chats=1))
    conn = sqlite3.connect(lacking)
    conn.execute("ALTER TABLE chats DROP COLUMN app_language")
    conn.commit()
    conn.close()
    with pytest.raises(BackupError, match="chats lacks app_language"):
        restore(live, lacking)
    monkeypatch.setenv("BOT_DB_PATH", str(hollow))
    capsys.readouterr()
    assert main(["check", "--live"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "missing tables" in err[0] and "statements" in err[0], err
    monkeypatch.setenv("BOT_DB_PATH", str(live))
    assert main(["check", "--live"]) == 0
