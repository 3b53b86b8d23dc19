"""The database misbehaving: locked by another process, read-only, full, corrupt at start."""

from __future__ import annotations

import asyncio
import logging
import os
import sqlite3
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.emulator import BotApiCore, FakeBotApiServer
from bot.i18n import texts
from bot.i18n.translate import t
from storage.db import Database
from tests.harness import ROOT, TOKEN, USER_ID, BotHarness, bot_env

SORRY = t("en", texts.INTERNAL_ERROR)

HOLDER = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("PRAGMA busy_timeout = 5000")
conn.execute("BEGIN IMMEDIATE")
conn.execute("UPDATE chats SET updated_at = updated_at")
print("locked", flush=True)
hold = float(sys.argv[2])
if hold < 0:
    sys.stdin.read()
else:
    time.sleep(hold)
conn.execute("COMMIT")
print("released", flush=True)
"""


class LockHolder:
    """Another process holding the database's write lock (BEGIN IMMEDIATE)."""

    def __init__(self, db_path: Path, hold: float) -> None:
        self.db_path, self.hold = db_path, hold
        self.proc: asyncio.subprocess.Process | None = None

    async def __aenter__(self) -> LockHolder:
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            HOLDER,
            str(self.db_path),
            str(self.hold),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
        )
        assert self.proc.stdout is not None
        line = await asyncio.wait_for(self.proc.stdout.readline(), 10)
        assert line.strip() == b"locked"
        return self

    async def release(self) -> None:
        assert self.proc is not None and self.proc.stdin is not None
        if self.proc.returncode is None:
            self.proc.stdin.close()
            await asyncio.wait_for(self.proc.wait(), 10)

    async def __aexit__(self, *exc: object) -> None:
        await self.release()


async def _rows(db: Database, sql: str) -> int:
    row = await (await db.conn.execute(sql)).fetchone()
    return int(row[0]) if row else 0


async def _integrity(path: Path) -> str:
    conn = sqlite3.connect(path)
    try:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        conn.close()


def _error_logs(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "handlers.errors" and r.levelno >= 40]


async def test_short_write_lock_elsewhere_is_waited_out(harness: BotHarness) -> None:
    """busy_timeout: a write waits for another process's transaction, then succeeds."""
    await harness.send(USER_ID, USER_ID, "/start")  # the chats table has a row to lock
    async with LockHolder(harness.db_path, 0.6):
        await harness.send(USER_ID + 1, USER_ID + 1, "/start")
    assert "Solidarity Bot" in (harness.core.last_text(USER_ID + 1) or "")
    assert await harness.services.chats.get(USER_ID + 1) is not None


async def test_long_write_lock_fails_politely_then_recovers(
    harness: BotHarness, caplog: pytest.LogCaptureFixture
) -> None:
    await harness.send(USER_ID, USER_ID, "/start")
    db = harness.services.db
    await db.conn.execute("PRAGMA busy_timeout = 200")  # instead of waiting 5 s here
    before = await _rows(db, "SELECT count(*) FROM chats")
    async with LockHolder(harness.db_path, -1) as holder:
        # reads still work under another process's write lock (WAL)
        await harness.send(USER_ID, USER_ID, "/help")
        assert "/start" in (harness.core.last_text(USER_ID) or "")
        # a write gives up after busy_timeout: the user hears a polite apology
        await harness.send(USER_ID + 1, USER_ID + 1, "/start")
        assert harness.core.last_text(USER_ID + 1) == SORRY
        await holder.release()
    assert await _rows(db, "SELECT count(*) FROM chats") == before  # nothing half-written
    assert len(_error_logs(caplog)) == 1
    await harness.send(USER_ID + 1, USER_ID + 1, "/start")
    assert "Solidarity Bot" in (harness.core.last_text(USER_ID + 1) or "")
    assert not [c for c in harness.core.calls if not c.ok and c.method == "sendMessage"]


async def test_read_only_database_fails_writes_politely(harness: BotHarness) -> None:
    db = harness.services.db
    await db.conn.execute("PRAGMA query_only = ON")  # as if the file became read-only
    await harness.send(USER_ID, USER_ID, "/start")
    assert harness.core.last_text(USER_ID) == SORRY
    await harness.send(USER_ID, USER_ID, "/help")
    assert "/start" in (harness.core.last_text(USER_ID) or "")
    await db.conn.execute("PRAGMA query_only = OFF")
    await harness.send(USER_ID, USER_ID, "/start")
    assert "Solidarity Bot" in (harness.core.last_text(USER_ID) or "")


async def test_full_disk_fails_politely_and_leaves_no_half_rows(harness: BotHarness) -> None:
    db = harness.services.db
    pages = await _rows(db, "PRAGMA page_count")
    await db.conn.execute(f"PRAGMA max_page_count = {pages}")  # the disk is full now
    users = range(300_001, 300_151)
    for user in users:
        await harness.send(user, user, "/start")
    answers = [harness.core.last_text(u) for u in users]
    assert all(a is not None for a in answers)  # everyone was answered
    failed = [u for u, a in zip(users, answers, strict=True) if a == SORRY]
    assert failed, "the disk never filled up"
    for user in failed:
        assert await harness.services.chats.get(user) is None
    # a multi-row transaction that hits the full disk is rolled back entirely
    before = await _rows(db, "SELECT count(*) FROM chats")
    with pytest.raises(sqlite3.OperationalError, match="full"):
        async with db.transaction() as conn:
            for i in range(5000):
                await conn.execute(
                    "INSERT INTO chats (chat_id, kind, created_at, updated_at)"
                    " VALUES (?, 'private', 'x', 'x')",
                    (400_000 + i,),
                )
    assert await _rows(db, "SELECT count(*) FROM chats") == before
    # space again: the bot works without a restart
    await db.conn.execute(f"PRAGMA max_page_count = {pages * 100}")
    await harness.send(failed[0], failed[0], "/start")
    assert "Solidarity Bot" in (harness.core.last_text(failed[0]) or "")
    assert await _integrity(harness.db_path) == "ok"


# --- start-up on an unusable database: one line, exit status 1, no traceback ------------------


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApiServer]:
    async with FakeBotApiServer(BotApiCore(token=TOKEN)) as server:
        yield server


async def _run(server: FakeBotApiServer, db_path: Path) -> tuple[int, str]:
    env = bot_env(
        TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=server.url, BOT_DB_PATH=str(db_path)
    )
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        cwd=ROOT,
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    _, err = await asyncio.wait_for(proc.communicate(), 30)
    assert proc.returncode is not None
    return proc.returncode, err.decode()


@pytest.mark.parametrize("damage", ["random", "page1", "newer"])
async def test_unusable_database_at_start(
    api: FakeBotApiServer, tmp_path: Path, damage: str
) -> None:
    path = tmp_path / "bot.sqlite3"
    if damage == "random":
        path.write_bytes(os.urandom(16384))
    else:
        db = await Database.open(path)
        if damage == "newer":
            await db.conn.execute("PRAGMA user_version = 999")
        await db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        await db.close()
        if damage == "page1":
            data = bytearray(path.read_bytes())
            data[100:4096] = os.urandom(3996)  # the schema page, after the file header
            path.write_bytes(bytes(data))
    status, err = await _run(api, path)
    lines = err.strip().splitlines()
    assert status == 1, err
    assert len(lines) == 1 and "Traceback" not in err, err
    assert lines[0].startswith("solidarity-bot: ") and "database" in lines[0]
    assert not api.core.calls_for("getUpdates")  # it never started polling
