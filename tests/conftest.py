"""Shared fixtures: a running bot against the fake Bot API, on a fresh database per test."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.harness import BotHarness


@pytest.fixture
async def harness(tmp_path: Path) -> AsyncIterator[BotHarness]:
    h = BotHarness(db_path=tmp_path / "bot.sqlite3")
    await h.start()
    try:
        yield h
    finally:
        await h.close()
