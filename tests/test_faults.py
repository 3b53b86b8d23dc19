"""The fake Bot API misbehaving during getUpdates: the bot keeps polling and recovers.

PTB's Updater retries getUpdates forever, waiting 1 s after the first failure and 1.5x longer
after each further one (up to 30 s), and back to no wait after a success. Those waits are real
``asyncio.sleep`` calls inside PTB: the tests record the asked-for waits and shorten them 100x,
so the backoff is checked exactly without the suite sleeping for it.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from telegram.ext._utils import networkloop

from bot.emulator.faults import MALFORMED_BODY, FaultKind, MalformedAnswer
from tests.harness import USER_ID, BotHarness


class FastSleep:
    """Stands in for the asyncio module inside PTB's network loop: sleeps are recorded, short."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(asyncio, name)

    async def sleep(self, delay: float) -> None:
        self.waits.append(delay)
        await asyncio.sleep(min(delay / 100, 0.05))


@pytest.fixture
def fast_backoff(monkeypatch: pytest.MonkeyPatch) -> Iterator[FastSleep]:
    fake = FastSleep()
    monkeypatch.setattr(networkloop, "asyncio", fake)
    yield fake


async def _send(h: BotHarness, text: str, timeout: float = 15) -> None:
    update = h.core.push_message(USER_ID, USER_ID, text)
    await h.processed(update, timeout)


async def _arm(h: BotHarness, kind: FaultKind, times: int, **kw: Any) -> None:
    """Add the fault, then let the long poll in flight return, so the next getUpdates fails."""
    h.core.faults.add("getUpdates", kind=kind, times=times, **kw)
    await h.send(USER_ID, USER_ID, "hello")  # ends the current long poll


def _error_handler_calls(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "handlers.errors"]


@pytest.mark.parametrize(
    ("kind", "extra"),
    [
        ("502", {}),
        ("500", {}),
        ("drop", {}),
        ("malformed", {}),
        ("429", {"retry_after": 2}),
    ],
)
async def test_polling_recovers_from_failing_get_updates(
    harness: BotHarness,
    fast_backoff: FastSleep,
    caplog: pytest.LogCaptureFixture,
    kind: FaultKind,
    extra: dict[str, Any],
) -> None:
    caplog.set_level(logging.INFO)
    before = harness.core.stats.faults_injected
    await _arm(harness, kind, 3, **extra)
    await _send(harness, "/start")
    assert harness.core.stats.faults_injected - before == 3
    assert "Solidarity Bot" in (harness.core.last_text(USER_ID) or "")
    if kind == "429":
        assert fast_backoff.waits[-3:] == [2.5, 2.5, 2.5]  # retry_after + PTB's 0.5 s slack
    else:
        assert fast_backoff.waits[-3:] == [1, 1.5, 2.25]  # growing backoff
    # and it keeps working without new waits after recovering
    waits = len(fast_backoff.waits)
    for _ in range(3):
        await harness.send(USER_ID, USER_ID, "/help")
    assert len(fast_backoff.waits) == waits
    assert not _error_handler_calls(caplog)


async def test_a_failing_start_up_is_retried(
    tmp_path: Path, fast_backoff: FastSleep, caplog: pytest.LogCaptureFixture
) -> None:
    """deleteWebhook (PTB's bootstrap) answering 502 or dropping: the start-up retries."""
    caplog.set_level(logging.INFO)
    h = BotHarness(db_path=tmp_path / "bot.sqlite3")
    h.core.faults.add("deleteWebhook", kind="502", times=2)
    # At start-up deleteWebhook goes through PTB's httpx transport (bot/telegram/transport.py):
    # each drop is one more failure, retried with the same growing backoff.
    h.core.faults.add("deleteWebhook", kind="drop", times=2)
    try:
        await h.start()
        await h.send(USER_ID, USER_ID, "/start")
        assert "Solidarity Bot" in (h.core.last_text(USER_ID) or "")
    finally:
        await h.close()
    assert fast_backoff.waits[:3] == [1.5, 2.25, 3.375]  # bootstrap backs off from 1 s
    assert not _error_handler_calls(caplog)


async def test_slow_get_updates_answers_are_just_waited_for(
    harness: BotHarness, fast_backoff: FastSleep
) -> None:
    # held 0.5 s, then answered normally (well inside the long-poll read timeout)
    await _arm(harness, "timeout", 2, delay=0.5)
    await _send(harness, "/start")
    assert fast_backoff.waits == []
    assert harness.core.last_text(USER_ID)


async def test_long_outage_then_recovery_without_restart(
    harness: BotHarness, fast_backoff: FastSleep
) -> None:
    """Sixteen faults in a row, mixed kinds: the waits grow to PTB's 30 s cap, then reset."""
    # A drop on a kept-alive connection is sent once more at once
    # (bot/telegram/aiohttp_request.py), so a drop and the fault after it can make one failure:
    # 16 faults are at least 12 failures.
    kinds: list[FaultKind] = ["502", "drop", "malformed", "500"] * 4
    harness.core.faults.add("getUpdates", kind="timeout", times=1, delay=0.01)
    await harness.send(USER_ID, USER_ID, "hello")
    for kind in kinds:
        harness.core.faults.add("getUpdates", kind=kind, times=1)
    await harness.send(USER_ID, USER_ID, "hello again")  # returns the held poll
    app_before = harness.app
    await _send(harness, "/start", 30)
    assert harness.app is app_before  # no restart
    assert max(fast_backoff.waits) == 30
    assert fast_backoff.waits == sorted(fast_backoff.waits)
    assert harness.core.faults.pending == []


async def test_polling_errors_are_logged_as_one_line(
    harness: BotHarness, fast_backoff: FastSleep, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    await _arm(harness, "502", 2)
    await _send(harness, "/start")
    updater = [r for r in caplog.records if r.name == "telegram.ext.Updater"]
    failures = [r for r in updater if "getUpdates failed" in r.getMessage()]
    assert len(failures) == 2
    assert all(r.levelno == logging.WARNING for r in failures)
    assert "(NetworkError: Bad Gateway)" in failures[0].getMessage()
    assert all(r.exc_info is None for r in updater if r.levelno >= logging.WARNING)


def test_malformed_fault_body_is_not_json() -> None:
    assert MalformedAnswer().body == MALFORMED_BODY
    with pytest.raises(ValueError):
        json.loads(MALFORMED_BODY)
