"""One send budget: replies, announcements and reminders within Telegram's limits, none lost.

The fake Bot API enforces the limits (bot/emulator/faults.py). Tests that need the per-minute
group window run both sides on a clock ``FAST`` times faster than real time.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterator

import httpx
import pytest

from bot.broadcast.budget import Priority, SendBudget
from bot.emulator import RateLimits
from bot.ops.health import HEALTH_CONFIG_KEY, HealthConfig, start_health_server
from tests.harness import ADMIN_ID, BotHarness, ErrorLog
from tests.outbox_helpers import broadcast, fast_options, received, subscribe

pytestmark = pytest.mark.asyncio

FAST = 40.0


class FastTime:
    """A monotonic clock running ``factor`` times faster than the event loop's, and its wait."""

    def __init__(self, factor: float) -> None:
        self.factor = factor
        self.start = time.monotonic()

    def now(self) -> float:
        return (time.monotonic() - self.start) * self.factor

    async def wait(self, seconds: float) -> None:
        await asyncio.sleep(seconds / self.factor)


@pytest.fixture
def errors() -> Iterator[ErrorLog]:
    handler = ErrorLog()
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield handler
    finally:
        root.removeHandler(handler)


async def _limits_on(
    harness: BotHarness,
    monkeypatch: pytest.MonkeyPatch,
    *,
    per_second: float = 30,
    clock: FastTime | None = None,
    burst: int | None = 3,
    **options: object,
) -> None:
    """Telegram's limits on both sides (the bot's at their defaults), then a fresh bot."""
    timing: dict[str, object] = {}
    if clock is not None:
        timing = {"pace_now": clock.now, "pace_wait": clock.wait}
        harness.core.time_fn = clock.now
    fast_options(monkeypatch, **timing, **options)
    monkeypatch.setenv("OUTBOX_PER_SECOND", str(per_second))
    monkeypatch.setenv("OUTBOX_PER_SECOND_CHAT", "1")
    monkeypatch.setenv("OUTBOX_PER_MINUTE_GROUP", "20")
    harness.core.limits = RateLimits(
        per_second_global=per_second,
        per_minute_group=20,
        per_second_chat=1,
        burst_private=burst,
    )
    await harness.restart()


def _budget(harness: BotHarness) -> SendBudget:
    budget = harness.app.bot.rate_limiter
    assert isinstance(budget, SendBudget)
    return budget


async def test_25_commands_in_one_group_get_25_replies(
    harness: BotHarness, monkeypatch: pytest.MonkeyPatch, errors: ErrorLog
) -> None:
    clock = FastTime(FAST)
    await _limits_on(harness, monkeypatch, clock=clock)
    group = -1002500
    harness.core.group_chat(group)
    updates = [harness.core.push_message(group, 4000 + i, "/facts") for i in range(25)]
    for update in updates:
        await harness.processed(update, timeout=30)
    replies = harness.replies(group)
    assert len(replies) == 25
    assert harness.core.stats.too_many_requests == 0
    assert errors.records == []
    budget = _budget(harness)
    assert budget.floods == 0 and budget.abandoned == 0
    # 20 a minute into one group: the last replies waited (on the fast clock) for the minute.
    stamps = [c.at for c in harness.core.calls_for("sendMessage")]
    assert len(stamps) == 25 and stamps[-1] - stamps[0] > 60
    assert budget.limiter.longest_wait[Priority.REPLY] > 0


@pytest.mark.parametrize("burst", [3, None])
async def test_announce_preview_and_prompt_arrive_in_a_chat_limited_to_one_a_second(
    burst: int | None, harness: BotHarness, monkeypatch: pytest.MonkeyPatch, errors: ErrorLog
) -> None:
    """With a short burst allowed both go at once; where the server allows none, its 429 to
    the prompt is waited out and the prompt still arrives."""
    await _limits_on(harness, monkeypatch, burst=burst, sleep=asyncio.sleep)
    await subscribe(harness, [7301, 7302])
    update = harness.core.push_message(ADMIN_ID, ADMIN_ID, "/announce Gather at noon")
    await harness.processed(update, timeout=20)
    sent = harness.replies(ADMIN_ID)
    assert [m.text for m in sent][:1] == ["Gather at noon"]  # the preview ...
    assert len(sent) == 2 and "ann:send:" in str(sent[1].raw)  # ... and the Send/Cancel prompt
    assert errors.records == []
    assert harness.core.stats.too_many_requests == (0 if burst else 1)


async def test_broadcast_of_300_with_50_commands_meanwhile(
    harness: BotHarness, monkeypatch: pytest.MonkeyPatch, errors: ErrorLog
) -> None:
    # Telegram's limits with the overall one scaled to 100/s (the test takes about 3 s).
    await _limits_on(harness, monkeypatch, per_second=100)
    chats = [8000 + i for i in range(270)] + [-1008000 - i for i in range(30)]
    await subscribe(harness, chats)
    askers = [9000 + i for i in range(50)]
    for chat_id in askers:
        harness.core.private_chat(chat_id)
    outbox = harness.services.outbox
    bid = await broadcast(harness, chats, "Solidarity")
    await harness.core.wait_for(lambda: sum(received(harness, chats).values()) >= 60, 20)
    updates = [harness.core.push_message(c, c, "/facts") for c in askers]
    for update in updates:
        await harness.processed(update, timeout=20)
    await outbox.wait_finished(bid, 30)
    assert all(len(harness.replies(c)) == 1 for c in askers)
    assert received(harness, chats, "Solidarity") == {c: 1 for c in chats}
    assert sum(received(harness, chats).values()) < 300 + 1  # nothing doubled
    assert harness.core.stats.too_many_requests == 0
    assert errors.records == []
    row = await outbox.repo.get(bid)
    assert row is not None and (row.status, row.sent) == ("done", 300)


async def test_a_reply_refused_again_and_again_is_logged_once_as_a_warning(
    harness: BotHarness,
    monkeypatch: pytest.MonkeyPatch,
    errors: ErrorLog,
    caplog: pytest.LogCaptureFixture,
) -> None:
    fast_options(monkeypatch)  # 429 pauses take no time
    await harness.restart()
    harness.core.faults.add("sendMessage", chat_id=7401, kind="429", times=-1, retry_after=2)
    with caplog.at_level(logging.WARNING, logger="bot.broadcast.budget"):
        await harness.send(7401, 7401, "/start")
    budget = _budget(harness)
    tries = [c for c in harness.core.calls_for("sendMessage") if c.params["chat_id"] == 7401]
    assert len(tries) == budget.max_attempts == 4
    warnings = [r for r in caplog.records if r.name == "bot.broadcast.budget"]
    assert len(warnings) == 1 and warnings[0].levelno == logging.WARNING
    assert "7401" in warnings[0].getMessage()
    assert errors.records == []  # not "error while handling an update"
    assert budget.floods == 4 and budget.abandoned == 1
    # The next reply goes out once Telegram accepts again.
    harness.core.faults.clear()
    await harness.send(7401, 7401, "/help")
    assert len(harness.replies(7401)) == 1


async def test_health_and_metrics_show_the_budget(
    harness: BotHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    fast_options(monkeypatch)
    await harness.restart()
    harness.core.faults.add("sendMessage", chat_id=7501, kind="429", retry_after=3)
    await harness.send(7501, 7501, "/start")  # one 429, waited out
    assert len(harness.replies(7501)) == 1
    harness.app.bot_data[HEALTH_CONFIG_KEY] = HealthConfig(host="127.0.0.1", port=0)
    server = await start_health_server(harness.app)
    assert server is not None
    base = f"http://127.0.0.1:{server.port}"
    async with httpx.AsyncClient(timeout=5) as client:
        health = (await client.get(base + "/health")).json()
        metrics = (await client.get(base + "/metrics")).text
    budget = health["send_budget"]
    assert budget["waiting"] == {"reply": 0, "reminder": 0, "announce": 0}
    assert budget["too_many_requests"] == 1 and budget["abandoned"] == 0
    assert set(budget["longest_wait_seconds"]) == {"reply", "reminder", "announce"}
    assert "solidarity_bot_send_429_total 1.0" in metrics
    assert 'solidarity_bot_sends_waiting{priority="reply"} 0.0' in metrics
    assert 'solidarity_bot_send_longest_wait_seconds{priority="announce"}' in metrics
