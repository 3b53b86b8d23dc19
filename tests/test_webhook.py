"""Webhook mode end to end through the fake Bot API: setWebhook with the secret, 403 without it."""

from __future__ import annotations

import asyncio
import json
import socket
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.app import build_application, start_application, stop_application
from bot.clock import FakeClock
from bot.config import Settings
from bot.emulator import BotApiCore, FakeBotApiServer
from bot.ops.health import MODE_KEY
from bot.ops.webhook import load_webhook_options, secret_path_for, webhook_kwargs
from tests.test_lock import TOKEN, bot_env, wait_until

USER = 2001
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
async def fake() -> AsyncIterator[tuple[BotApiCore, str]]:
    core = BotApiCore(token=TOKEN)
    server = FakeBotApiServer(core)
    url = await server.start()
    try:
        yield core, url
    finally:
        await server.stop()


async def test_webhook_in_process(tmp_path: Path, fake: tuple[BotApiCore, str]) -> None:
    core, api_url = fake
    port = free_port()
    settings = Settings(token=TOKEN, api_base_url=api_url, db_path=tmp_path / "bot.sqlite3")
    options = load_webhook_options(
        url=f"http://127.0.0.1:{port}/telegram/hook",
        listen=None,
        port=str(port),
        db_path=settings.db_path,
        api_base_url=api_url,
        env={},
    )
    # Generated once, kept beside the database (owner-only), and reused.
    kept = secret_path_for(settings.db_path)
    assert kept.read_text().strip() == options.secret
    assert kept.stat().st_mode & 0o077 == 0
    assert options.secret not in repr(options)
    again = load_webhook_options(
        url=options.url,
        listen=None,
        port=str(port),
        db_path=settings.db_path,
        api_base_url=api_url,
        env={},
    )
    assert again.secret == options.secret
    assert (options.listen, options.url_path) == ("127.0.0.1", "telegram/hook")

    app = build_application(settings, clock=FakeClock())
    app.bot_data[MODE_KEY] = "webhook"
    await start_application(app, polling=False)
    try:
        assert app.updater is not None
        await app.updater.start_webhook(**webhook_kwargs(options))
        (call,) = core.calls_for("setWebhook")
        assert call.params["url"] == options.url
        assert call.params["secret_token"] == options.secret
        assert core.webhook_url == options.url

        update = core.push_message(USER, USER, "/start")
        core.drop_pending_updates()  # nobody polls: the test delivers it like Telegram would
        async with httpx.AsyncClient(timeout=10) as client:
            no_secret = await client.post(options.url, json=update)
            wrong = await client.post(options.url, json=update, headers={SECRET_HEADER: "nope"})
            assert (no_secret.status_code, wrong.status_code) == (403, 403)
            assert core.sent_to(USER) == []
            ok = await client.post(
                options.url, json=update, headers={SECRET_HEADER: options.secret}
            )
            assert ok.status_code == 200
        await core.wait_for(lambda: bool(core.sent_to(USER)), timeout=10)
        assert "occupation is a crime" in (core.sent_to(USER)[-1].text or "")
    finally:
        await stop_application(app)


async def _get_json(url: str) -> tuple[int, dict[str, Any]]:
    async with httpx.AsyncClient(timeout=5) as client:
        resp = await client.get(url)
    return resp.status_code, resp.json()


async def test_run_webhook_subprocess_with_health(
    tmp_path: Path, fake: tuple[BotApiCore, str]
) -> None:
    core, api_url = fake
    port, health_port = free_port(), free_port()
    hook = f"http://127.0.0.1:{port}/tg"
    db = tmp_path / "bot.sqlite3"
    env = bot_env(
        db, api_url, BOT_WEBHOOK_SECRET="s3cret-from-env_123", BOT_HEALTH_PORT=str(health_port)
    )
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        "--webhook",
        hook,
        "--port",
        str(port),
        "--json-logs",
        env=env,
        cwd=tmp_path,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        await wait_until(lambda: core.calls_for("setWebhook") or proc.returncode is not None)
        assert proc.returncode is None
        assert core.calls_for("setWebhook")[-1].params["secret_token"] == "s3cret-from-env_123"
        assert not secret_path_for(db).exists()  # from the environment: nothing kept
        update = core.push_message(USER, USER, "/start")
        core.drop_pending_updates()
        async with httpx.AsyncClient(timeout=10) as client:
            assert (await client.post(hook, json=update)).status_code == 403
            ok = await client.post(
                hook, json=update, headers={SECRET_HEADER: "s3cret-from-env_123"}
            )
            assert ok.status_code == 200
        await core.wait_for(lambda: bool(core.sent_to(USER)), timeout=15)
        status, doc = await _get_json(f"http://127.0.0.1:{health_port}/health")
        assert status == 200, doc
        assert doc["mode"] == "webhook" and doc["ok"] is True
        assert doc["database"]["reachable"] is True
        assert doc["updates"]["last_update_at"] is not None
        assert doc["updates"]["last_get_updates_at"] is None  # webhooks never poll
        check = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "check",
            "--live",
            env=env,
            cwd=tmp_path,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, _ = await asyncio.wait_for(check.communicate(), 20)
        assert check.returncode == 0 and "health: ok" in out.decode()
    finally:
        if proc.returncode is None:
            proc.terminate()
        _, err = await asyncio.wait_for(proc.communicate(), 20)
    assert proc.returncode == 0
    lines = [json.loads(line) for line in err.decode().splitlines() if line.startswith("{")]
    assert lines and all({"time", "level", "logger", "message"} <= set(x) for x in lines)
    # No message text (the user's "/start" or the bot's reply) ever reaches the logs.
    assert "/start" not in err.decode() and "occupation" not in err.decode()
    assert "s3cret-from-env_123" not in err.decode() and TOKEN not in err.decode()
