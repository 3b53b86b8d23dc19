"""Configuration: every variable validated, one clear line and exit status 2 on a bad value."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import DEFAULT_API_BASE_URL, ConfigError, load_settings
from tests.harness import bot_env

GOOD_TOKEN = "123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def test_defaults() -> None:
    s = load_settings({"TELEGRAM_BOT_TOKEN": GOOD_TOKEN})
    assert s.api_base_url == DEFAULT_API_BASE_URL
    assert str(s.db_path) == "solidarity-bot.sqlite3"
    assert s.admin_ids == frozenset()
    assert s.timezone == "UTC"
    assert GOOD_TOKEN not in repr(s)


def test_all_values_parsed(tmp_path: Path) -> None:
    s = load_settings(
        {
            "TELEGRAM_BOT_TOKEN": GOOD_TOKEN,
            "TELEGRAM_API_BASE_URL": "http://127.0.0.1:8081/",
            "BOT_DB_PATH": str(tmp_path / "x.sqlite3"),
            "BOT_ADMIN_IDS": " 12, 34 ,",
            "BOT_TIMEZONE": "Europe/Kyiv",
        }
    )
    assert s.api_base_url == "http://127.0.0.1:8081"
    assert s.bot_base_url == "http://127.0.0.1:8081/bot"
    assert s.admin_ids == frozenset({12, 34})
    assert s.timezone == "Europe/Kyiv"
    assert s.is_admin(12) and not s.is_admin(99) and not s.is_admin(None)


@pytest.mark.parametrize(
    ("env", "name"),
    [
        ({}, "TELEGRAM_BOT_TOKEN"),
        ({"TELEGRAM_BOT_TOKEN": "nope"}, "TELEGRAM_BOT_TOKEN"),
        ({"TELEGRAM_API_BASE_URL": "ftp://x"}, "TELEGRAM_API_BASE_URL"),
        ({"BOT_ADMIN_IDS": "12,abc"}, "BOT_ADMIN_IDS"),
        ({"BOT_TIMEZONE": "Mars/Olympus"}, "BOT_TIMEZONE"),
        ({"BOT_DB_PATH": "/no/such/folder/db.sqlite3"}, "BOT_DB_PATH"),
        ({"OUTBOX_PER_SECOND": "fast"}, "OUTBOX_PER_SECOND"),
        ({"OUTBOX_PER_MINUTE_GROUP": "-1"}, "OUTBOX_PER_MINUTE_GROUP"),
        ({"OUTBOX_PER_SECOND_CHAT": "nan"}, "OUTBOX_PER_SECOND_CHAT"),
        ({"BOT_FEEDS_INTERVAL_MINUTES": "abc"}, "BOT_FEEDS_INTERVAL_MINUTES"),
        ({"BOT_FEEDS_INTERVAL_MINUTES": "2"}, "BOT_FEEDS_INTERVAL_MINUTES"),
        ({"BOT_FEEDS_ALLOW_PRIVATE": "maybe"}, "BOT_FEEDS_ALLOW_PRIVATE"),
        ({"BOT_RETENTION_DAYS": "0"}, "BOT_RETENTION_DAYS"),
        ({"BOT_FLOOD_LIMIT": "lots"}, "BOT_FLOOD_LIMIT"),
        ({"BOT_HEALTH_PORT": "99999"}, "BOT_HEALTH_PORT"),
        ({"BOT_HEALTH_LISTEN": "localhost:80"}, "BOT_HEALTH_LISTEN"),
        ({"BOT_WEBHOOK_PORT": "http"}, "BOT_WEBHOOK_PORT"),
        ({"BOT_WEBHOOK_LISTEN": "everywhere"}, "BOT_WEBHOOK_LISTEN"),
        ({"BOT_WEBHOOK_SECRET": "has spaces"}, "BOT_WEBHOOK_SECRET"),
    ],
)
def test_bad_values_name_the_variable(env: dict[str, str], name: str) -> None:
    full = {"TELEGRAM_BOT_TOKEN": GOOD_TOKEN, **env} if name != "TELEGRAM_BOT_TOKEN" else env
    with pytest.raises(ConfigError) as info:
        load_settings(full)
    assert str(info.value).startswith(name)


def _cli(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        env=bot_env(**env),
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_run_without_token_exits_2_with_one_line() -> None:
    proc = _cli(["run"], {})
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "TELEGRAM_BOT_TOKEN" in lines[0]
    assert "Traceback" not in proc.stderr


def test_bad_timezone_exits_2_with_one_line() -> None:
    proc = _cli(["check"], {"BOT_TIMEZONE": "Nowhere/Land"})
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [proc.stderr.strip()]
    assert "BOT_TIMEZONE" in proc.stderr


def test_check_without_token_validates_config() -> None:
    proc = _cli(["check"], {"BOT_TIMEZONE": "Europe/London"})
    assert proc.returncode == 0, proc.stderr
    assert "configuration ok" in proc.stdout


async def test_check_with_token_calls_get_me() -> None:
    import asyncio

    from bot.emulator import BotApiCore, FakeBotApiServer

    core = BotApiCore(token=GOOD_TOKEN, bot_username="campaign_bot")
    async with FakeBotApiServer(core) as server:
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "check",
            env=bot_env(TELEGRAM_BOT_TOKEN=GOOD_TOKEN, TELEGRAM_API_BASE_URL=server.url),
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode == 0, err.decode()
    assert "@campaign_bot" in out.decode()
    assert [c.method for c in core.calls] == ["getMe"]


def test_check_with_token_and_no_api_says_so_in_one_line() -> None:
    import socket

    with socket.socket() as sock:  # a port that was free a moment ago and has no listener
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {"TELEGRAM_BOT_TOKEN": GOOD_TOKEN, "TELEGRAM_API_BASE_URL": f"http://127.0.0.1:{port}"}
    proc = _cli(["check"], env)
    assert proc.returncode == 1
    assert "cannot reach the Bot API" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert GOOD_TOKEN not in proc.stderr + proc.stdout


@pytest.mark.parametrize(
    ("name", "value"),
    [("OUTBOX_PER_SECOND", "fast"), ("BOT_FEEDS_INTERVAL_MINUTES", "abc")],
)
def test_check_refuses_what_run_would_refuse(name: str, value: str) -> None:
    """`check` used to say "configuration ok" while `run` printed a 30-line traceback (and
    exit 1, so systemd restarted it for ever) or quietly used the default."""
    for command in ("check", "run"):
        proc = _cli([command], {"TELEGRAM_BOT_TOKEN": GOOD_TOKEN, name: value})
        assert proc.returncode == 2, (command, proc.stderr)
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"solidarity-bot: {name}"), lines
        assert "configuration ok" not in proc.stdout


def test_settings_carry_every_parsed_value() -> None:
    s = load_settings(
        {
            "TELEGRAM_BOT_TOKEN": GOOD_TOKEN,
            "OUTBOX_PER_SECOND": "off",
            "OUTBOX_PER_MINUTE_GROUP": "12.5",
            "BOT_FEEDS_INTERVAL_MINUTES": "15",
            "BOT_FEEDS_ALLOW_PRIVATE": "1",
            "BOT_HEALTH_PORT": "8081",
            "BOT_WEBHOOK_PORT": "9443",
        }
    )
    assert (s.outbox_per_second, s.outbox_per_minute_group, s.outbox_per_second_chat) == (
        None,
        12.5,
        1.0,
    )
    assert (s.feeds_interval_minutes, s.feeds_allow_private) == (15, True)
    assert (s.health_port, s.health_listen, s.webhook_port) == (8081, "127.0.0.1", 9443)
