"""Shared fixtures: a running bot against the fake Bot API, on a fresh database per test."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.clock import FakeClock
from bot.content.service import ContentService
from storage.db import Database
from tests.feedserver import FeedServer
from tests.harness import BotHarness, ErrorLog, error_log
from tests.outbox_helpers import SleepRecorder, fast_options


@pytest.fixture
async def harness(tmp_path: Path) -> AsyncIterator[BotHarness]:
    h = BotHarness(db_path=tmp_path / "bot.sqlite3")
    await h.start()
    try:
        yield h
    finally:
        await h.close()


@pytest.fixture
async def svc(tmp_path: Path) -> AsyncIterator[ContentService]:
    """The content service alone (no bot) on a fresh database with the built-in corpus."""
    db = await Database.open(tmp_path / "t.db")
    service = ContentService(db, clock=FakeClock(datetime(2026, 1, 1, tzinfo=UTC)))
    await service.load()
    try:
        yield service
    finally:
        await db.close()


@pytest.fixture
def errors() -> Iterator[ErrorLog]:
    """What the error handler (handlers/errors.py) reported during the test."""
    with error_log() as log:
        yield log


@pytest.fixture
async def server() -> AsyncIterator[FeedServer]:
    """A calendar feed server on 127.0.0.1 (tests/feedserver.py); test modules may override."""
    s = FeedServer()
    await s.start()
    try:
        yield s
    finally:
        await s.stop()


@pytest.fixture
def fast(monkeypatch: pytest.MonkeyPatch) -> SleepRecorder:
    """Outbox pacing and retries on the fast test settings (tests/outbox_helpers.py)."""
    return fast_options(monkeypatch)
