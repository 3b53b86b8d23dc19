"""SIGKILL a real `solidarity-bot run` in the middle of a fan-out, three times, and restart it.

After the last restart every subscribed chat has the announcement (or the reminder), copies
beyond one are at most the messages in flight at each kill (the outbox's worker pool), nothing
is pending, and `PRAGMA integrity_check` is ok. The bot runs as a subprocess on the real clock
against the fake Bot API served by this test.
"""

from __future__ import annotations

import asyncio
import signal
import sqlite3
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.broadcast.outbox import OutboxOptions
from bot.emulator import BotApiCore, FakeBotApiServer
from storage.db import Database
from tests.harness import ADMIN_ID, ROOT, TOKEN, bot_env

CHATS = [600_000 + i for i in range(120)]
KILLS = 3
IN_FLIGHT = OutboxOptions().workers  # at most this many messages can be sent twice per kill
MARK = "Kill-test marker"


class Bot:
    """`python -m bot run` as a subprocess on one database."""

    def __init__(self, server: FakeBotApiServer, db: Path) -> None:
        self.server, self.db = server, db
        self.proc: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        env = bot_env(
            TELEGRAM_BOT_TOKEN=TOKEN,
            TELEGRAM_API_BASE_URL=self.server.url,
            BOT_DB_PATH=str(self.db),
            BOT_ADMIN_IDS=str(ADMIN_ID),
            OUTBOX_PER_SECOND="60",
        )
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "run",
            cwd=ROOT,
            env=env,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )

    async def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        assert await asyncio.wait_for(self.proc.wait(), 10) == -signal.SIGKILL

    async def stop(self) -> None:
        if self.proc is not None and self.proc.returncode is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.proc.wait(), 15)
            except TimeoutError:
                self.proc.kill()
                await self.proc.wait()


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[tuple[BotApiCore, FakeBotApiServer, Path]]:
    core = BotApiCore(token=TOKEN)
    core.private_chat(ADMIN_ID, "Admin")
    for chat_id in CHATS:
        core.private_chat(chat_id)
    db_path = tmp_path / "bot.sqlite3"
    db = await Database.open(db_path)
    now = datetime.now(UTC).replace(microsecond=0).isoformat()
    async with db.transaction() as conn:
        await conn.executemany(
            "INSERT INTO chats (chat_id, kind, subscribed, created_at, updated_at)"
            " VALUES (?, 'private', 1, ?, ?)",
            [(c, now, now) for c in CHATS],
        )
    await db.close()
    async with FakeBotApiServer(core) as server:
        yield core, server, db_path


def copies(core: BotApiCore, marker: str) -> dict[int, int]:
    out = dict.fromkeys(CHATS, 0)
    for chat_id in CHATS:
        out[chat_id] = sum(1 for m in core.sent_to(chat_id) if marker in (m.text or ""))
    return out


def delivered(core: BotApiCore, marker: str) -> int:
    return sum(1 for n in copies(core, marker).values() if n)


def check_database(path: Path) -> tuple[str, int]:
    conn = sqlite3.connect(path)
    try:
        integrity = str(conn.execute("PRAGMA integrity_check").fetchone()[0])
        pending = int(
            conn.execute("SELECT count(*) FROM deliveries WHERE state = 'pending'").fetchone()[0]
        )
        return integrity, pending
    finally:
        conn.close()


async def kill_during_fanout(
    core: BotApiCore, server: FakeBotApiServer, db: Path, marker: str, begin: object
) -> dict[int, int]:
    """Start; `begin` (a coroutine function) starts the fan-out; kill mid-way, KILLS times."""
    for round_ in range(KILLS):
        bot = Bot(server, db)
        await bot.start()
        if round_ == 0:
            await begin()  # type: ignore[operator]
        target = delivered(core, marker) + len(CHATS) // (KILLS + 2)
        await core.wait_for(lambda t=target: delivered(core, marker) >= t, 60, "progress")
        await bot.kill()
        assert delivered(core, marker) < len(CHATS), "the fan-out finished before the kill"
    bot = Bot(server, db)
    await bot.start()
    try:
        await core.wait_for(lambda: delivered(core, marker) == len(CHATS), 60, "all delivered")
        await asyncio.sleep(0.5)  # anything still in flight lands (and would be counted)
    finally:
        await bot.stop()
    return copies(core, marker)


def assert_everyone_once(counts: dict[int, int], db: Path) -> None:
    assert all(n >= 1 for n in counts.values()), [c for c, n in counts.items() if n == 0]
    extra = sum(n - 1 for n in counts.values())
    assert extra <= IN_FLIGHT * KILLS, f"{extra} duplicate messages"
    # A chat's one message can be in flight at a kill and so sent twice; never more.
    assert max(counts.values()) <= 2, {c: n for c, n in counts.items() if n > 2}
    integrity, pending = check_database(db)
    assert integrity == "ok"
    assert pending == 0


async def test_kill_during_an_announcement(
    world: tuple[BotApiCore, FakeBotApiServer, Path],
) -> None:
    core, server, db = world

    async def begin() -> None:
        core.push_message(ADMIN_ID, ADMIN_ID, f"/announce {MARK}: <b>march on Saturday</b>")
        await core.wait_for(lambda: _send_button(core) is not None, 30, "announce preview")
        message_id, data = _send_button(core)  # type: ignore[misc]
        core.push_callback(ADMIN_ID, ADMIN_ID, message_id, data)

    counts = await kill_during_fanout(core, server, db, MARK, begin)
    assert_everyone_once(counts, db)


def _send_button(core: BotApiCore) -> tuple[int, str] | None:
    for message in core.sent_to(ADMIN_ID):
        for row in (message.raw.get("reply_markup") or {}).get("inline_keyboard") or []:
            for button in row:
                if str(button.get("callback_data", "")).startswith("ann:send:"):
                    return message.message_id, button["callback_data"]
    return None


async def test_kill_during_a_reminder_fanout(
    world: tuple[BotApiCore, FakeBotApiServer, Path],
) -> None:
    core, server, db = world
    # Due now: the default 2-hour reminder of a demonstration starting in 1 h 55 min.
    starts = (datetime.now(UTC) + timedelta(hours=1, minutes=55)).replace(microsecond=0)
    conn = sqlite3.connect(db)
    now = datetime.now(UTC).replace(microsecond=0).isoformat()
    conn.execute(
        "INSERT INTO demos (uid, starts_at, place, title, created_at, updated_at)"
        " VALUES ('kill-test', ?, 'Square', ?, ?, ?)",
        (starts.isoformat(), MARK, now, now),
    )
    conn.commit()
    conn.close()

    async def begin() -> None:
        return None  # the start-up catch-up pass finds the reminder due

    counts = await kill_during_fanout(core, server, db, MARK, begin)
    assert_everyone_once(counts, db)
    conn = sqlite3.connect(db)
    try:
        logged = conn.execute("SELECT count(*) FROM reminder_log WHERE state = 'sent'").fetchone()
    finally:
        conn.close()
    assert logged[0] == len(CHATS)  # at most once per (demo, chat, lead)
