"""One bot per database: the second `python -m bot run` refuses with one line and status 1."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import pytest

from bot.emulator import BotApiCore, FakeBotApiServer
from bot.ops.lock import AlreadyLocked, InstanceLock, is_locked
from tests import harness

TOKEN = "123456:TEST-TOKEN-abcdefghijklmnop"


def test_lock_is_exclusive_and_released(tmp_path: Path) -> None:
    db = tmp_path / "bot.sqlite3"
    assert not is_locked(db)
    first = InstanceLock(db).acquire()
    assert is_locked(db)
    with pytest.raises(AlreadyLocked, match="another solidarity-bot is running"):
        InstanceLock(db).acquire()
    first.release()
    assert not is_locked(db)
    with InstanceLock(db):
        assert is_locked(db)
    assert not is_locked(db)


def bot_env(db: Path, api_url: str, **extra: str) -> dict[str, str]:
    env = harness.bot_env(
        TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=api_url, BOT_DB_PATH=str(db)
    )
    return env | extra  # a case may override any of them


async def wait_until(predicate: object, timeout: float = 20.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():  # type: ignore[operator]
        if loop.time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.05)


async def test_second_process_on_the_same_database_refuses(tmp_path: Path) -> None:
    core = BotApiCore(token=TOKEN)
    server = FakeBotApiServer(core)
    url = await server.start()
    db = tmp_path / "bot.sqlite3"
    first = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        env=bot_env(db, url),
        cwd=tmp_path,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        # The first bot is up once it polls the fake Telegram.
        await wait_until(lambda: core.calls_for("getUpdates") or first.returncode is not None)
        assert first.returncode is None
        second = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "run",
            env=bot_env(db, url),
            cwd=tmp_path,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        _out, err = await asyncio.wait_for(second.communicate(), 20)
        assert second.returncode == 1
        lines = err.decode().strip().splitlines()
        assert lines == ["solidarity-bot: another solidarity-bot is running on this database"]
        assert first.returncode is None  # the first one is unharmed
    finally:
        if first.returncode is None:
            first.terminate()
        await asyncio.wait_for(first.wait(), 20)
        await server.stop()
    assert first.returncode == 0  # SIGTERM is a clean stop
    assert not is_locked(db)


def test_bad_values_exit_2_with_one_line(tmp_path: Path) -> None:
    db = tmp_path / "bot.sqlite3"
    cases = [
        (["run", "--webhook", "ftp://x"], {}, "--webhook is malformed"),
        (["run", "--webhook", "https://bot.example.org/tg", "--port", "99999"], {}, "--port"),
        (["run", "--webhook", "https://bot.example.org/tg", "--listen", "nope"], {}, "--listen"),
        (
            ["run", "--webhook", "https://bot.example.org/tg"],
            {"BOT_WEBHOOK_PORT": "x"},
            "BOT_WEBHOOK_PORT",
        ),
        (
            ["run", "--webhook", "https://bot.example.org/tg"],
            {"BOT_WEBHOOK_SECRET": "no spaces"},
            "BOT_WEBHOOK_SECRET",
        ),
        (
            ["run", "--webhook", "http://bot.example.org/tg"],
            {"TELEGRAM_API_BASE_URL": ""},
            "https://",
        ),
        (["run", "--health-port", "0"], {}, "--health-port"),
        (["run"], {"BOT_HEALTH_PORT": "abc"}, "BOT_HEALTH_PORT"),
        (["run", "--port", "8443"], {}, "only apply with --webhook"),
    ]
    for argv, extra, needle in cases:
        env = bot_env(db, "http://127.0.0.1:9", **extra)
        proc = subprocess.run(
            [sys.executable, "-m", "bot", *argv],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=30,
        )
        lines = proc.stderr.strip().splitlines()
        assert proc.returncode == 2, (argv, proc.stderr)
        assert len(lines) == 1 and lines[0].startswith("solidarity-bot: "), lines
        assert needle in lines[0], (needle, lines)
    assert not db.exists()  # nothing was started
