"""Helpers for the outbox and announcement tests: fast engine options, subscribed chats."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterable

import pytest

import tests.harness as harness_module
from bot.broadcast.outbox import OutboxOptions, Target
from tests.harness import BotHarness


class SleepRecorder:
    """An injectable sleep that returns at once and remembers what it was asked to wait."""

    def __init__(self) -> None:
        self.calls: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)
        await asyncio.sleep(0)


def fast_options(monkeypatch: pytest.MonkeyPatch, **overrides: object) -> SleepRecorder:
    """Make every Outbox the application builds use an instant sleep and short timeouts."""
    sleep = SleepRecorder()
    kwargs: dict[str, object] = {
        "sleep": sleep,
        "send_timeout": 0.5,
        "shutdown_grace": 0.3,
        "seed": 7,
        "workers": 8,
    }
    kwargs.update(overrides)
    monkeypatch.setattr(harness_module, "OUTBOX_OPTIONS", OutboxOptions(**kwargs))  # type: ignore[arg-type]
    # Limits scaled up so tests are quick; tests of the limits set their own.
    monkeypatch.setenv("OUTBOX_PER_SECOND", "2000")
    monkeypatch.setenv("OUTBOX_PER_SECOND_CHAT", "off")
    monkeypatch.setenv("OUTBOX_PER_MINUTE_GROUP", "off")
    return sleep


async def subscribe(h: BotHarness, chat_ids: Iterable[int], region: str | None = None) -> None:
    """Declare chats in the fake Telegram and store them as subscribed in the bot's database."""
    services = h.services
    now = h.clock.now()
    for chat_id in chat_ids:
        if chat_id > 0:
            h.core.private_chat(chat_id)
        else:
            h.core.group_chat(chat_id)
        await services.chats.ensure(chat_id, "private" if chat_id > 0 else "supergroup", now)
        await services.chats.set_subscribed(chat_id, True, now)
        if region:
            await services.chats.set_region(chat_id, region, now)


def received(h: BotHarness, chat_ids: Iterable[int], text: str | None = None) -> Counter[int]:
    """How many bot messages (optionally containing text) each chat has received."""
    counts: Counter[int] = Counter()
    for chat_id in chat_ids:
        for m in h.core.sent_to(chat_id):
            if text is None or (m.text or "").find(text) >= 0 or text in str(m.raw):
                counts[chat_id] += 1
    return counts


async def broadcast(h: BotHarness, chat_ids: Iterable[int], html: str, priority: int = 0) -> int:
    return await h.services.outbox.enqueue(
        kind="announce",
        payload={"html": html},
        targets=[Target(c) for c in chat_ids],
        priority=priority,
    )
