"""Unit tests of the outbox's pieces: limits configuration, the flood limiter, parsing, errors."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.app import build_application
from bot.broadcast.announce import format_duration, parse_announce
from bot.broadcast.delivery import classify
from bot.broadcast.outbox import build_outbox
from bot.broadcast.ratelimit import FloodLimiter, OutboxLimits, Priority
from bot.clock import SystemClock
from bot.config import ConfigError, Settings
from storage.db import Database
from tests.harness import TOKEN


def test_limits_from_env() -> None:
    assert OutboxLimits.from_env({}) == OutboxLimits()
    limits = OutboxLimits.from_env(
        {
            "OUTBOX_PER_SECOND": "1000",
            "OUTBOX_PER_MINUTE_GROUP": "off",
            "OUTBOX_PER_SECOND_CHAT": "2",
        }
    )
    assert (limits.per_second, limits.per_minute_group, limits.per_second_chat) == (1000, None, 2)
    for bad in ("fast", "-3", "nan", "inf"):
        with pytest.raises(ConfigError, match="OUTBOX_PER_SECOND"):
            OutboxLimits.from_env({"OUTBOX_PER_SECOND": bad})


async def test_flood_limiter_keeps_every_one_second_window_within_the_limit() -> None:
    limiter = FloodLimiter(
        # jitter 0: each send counts one second from its slot (the plain sliding window)
        OutboxLimits(per_second=200, per_minute_group=None, per_second_chat=None, jitter=0.0)
    )
    loop = asyncio.get_running_loop()
    stamps: list[float] = []

    async def send(i: int) -> None:
        admitted = await limiter.acquire(i)
        stamps.append(loop.time())
        limiter.release(admitted)

    await asyncio.gather(*(send(i) for i in range(300)))
    stamps.sort()
    for i, t in enumerate(stamps):
        in_window = sum(1 for s in stamps[i:] if s < t + 1.0)
        assert in_window <= 200
    rate = (len(stamps) - 1) / (stamps[-1] - stamps[0])
    assert 160 <= rate <= 200  # 197 when the machine is idle; late wake-ups cost a little


async def test_flood_limiter_spaces_messages_to_one_chat_and_pauses_for_everyone() -> None:
    waits: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        waits.append(seconds)
        await asyncio.sleep(0.05)

    limiter = FloodLimiter(OutboxLimits(per_second=None, per_second_chat=20), sleep=fake_sleep)
    loop = asyncio.get_running_loop()
    start = loop.time()
    await limiter.acquire(5, Priority.ANNOUNCE)
    await limiter.acquire(5, Priority.ANNOUNCE)
    assert loop.time() - start >= 1 / 20  # spacing per chat (at 97% of the limit)
    limiter.pause(7)
    assert limiter.paused
    await limiter.acquire(6)
    assert waits == [7] and not limiter.paused


def test_parse_announce() -> None:
    assert parse_announce("/announce", None) is None
    assert parse_announce("/announce   ", None) is None
    req = parse_announce("/announce@solidarity_bot <b>March</b> on Saturday", None)
    assert req is not None and req.html == "<b>March</b> on Saturday" and req.region is None
    req = parse_announce("/announce region=North-London Hello\nall", None)
    assert req is not None and (req.region, req.html) == ("north london", "Hello\nall")
    req = parse_announce("/announce region=leeds", (10, 20))
    assert req is not None and req.copy_from == (10, 20) and req.region == "leeds"
    assert req.payload == {"region": "leeds", "copy_from": [10, 20]}


def test_classify_errors() -> None:
    assert classify(RetryAfter(timedelta(seconds=4))).retry_after == 4
    assert classify(RetryAfter(timedelta(seconds=4))).verdict == "retry_after"
    assert classify(Forbidden("Forbidden: bot was blocked by the user")).verdict == "gone"
    assert classify(BadRequest("Bad Request: chat not found")).verdict == "gone"
    assert classify(BadRequest("Bad Request: message text is empty")).verdict == "failed"
    assert classify(TimedOut()).verdict == "retry"
    assert classify(NetworkError("Bad Gateway")).verdict == "retry"
    migrated = classify(ChatMigrated(-1009))
    assert (migrated.verdict, migrated.new_chat_id) == ("migrated", -1009)


def test_format_duration() -> None:
    assert format_duration(None) == "…"
    assert format_duration(42.4) == "42 sec"
    assert format_duration(125) == "2 min"
    assert format_duration(3 * 3600 + 65) == "3 hr"
    # In the reader's language, not English abbreviations.
    assert format_duration(125, "uk") == "2 хв"
    assert format_duration(125, "de") == "2 Min."


async def test_outbox_limits_come_from_the_settings(tmp_path: Path) -> None:
    """build_application's settings set the limits (benchmarks and tests pass Settings, not env)."""
    settings = Settings(
        token=TOKEN,
        api_base_url="http://127.0.0.1:9",
        db_path=tmp_path / "bot.sqlite3",
        outbox_per_second=7.0,
        outbox_per_minute_group=None,
        outbox_per_second_chat=None,
    )
    app = build_application(settings)
    db = await Database.open(settings.db_path)
    try:
        outbox = build_outbox(app, db, SystemClock(), settings=settings)
        limits = outbox.limits
        assert (limits.per_second, limits.per_minute_group, limits.per_second_chat) == (
            7.0,
            None,
            None,
        )
    finally:
        await db.close()
