"""End-to-end test harness: the real Application talking HTTP to the fake Bot API on 127.0.0.1."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from telegram import Update
from telegram.ext import Application

from bot.app import build_application, start_application, stop_application
from bot.broadcast.outbox import OutboxOptions
from bot.broadcast.ratelimit import OutboxLimits
from bot.clock import FakeClock
from bot.config import Settings
from bot.content.service import ContentService
from bot.emulator import BotApiCore, FakeBotApiServer
from bot.emulator.state import SentMessage
from bot.services import SERVICES_KEY, Services
from storage.demos import NewDemo

ADMIN_ID = 1000
USER_ID = 2001
OTHER_ID = 2002
GROUP_ID = -1001234500
FORUM_ID = -1009876500
TOKEN = "123456:TEST-TOKEN-abcdefghijklmnop"
#: an admin's upload: the first two paragraphs of "Why we carry this banner" in Ukrainian
UK_BANNER_TRANSLATION = (
    "---\ntitle: Чому ми несемо цей банер\nlanguage: uk\n"
    "translation_of: why-we-carry-this-banner\n---\n\n"
    "Ми вже півтора року виходимо на антивоєнні демонстрації з банером.\n\n"
    "Україна і Палестина: дві малі нації, що опираються жорстокій колоніальній силі.\n"
)


class TrackingApplication(Application):  # type: ignore[type-arg]
    """The real Application, which also tells the harness when an update is fully handled."""

    processed: set[int]
    on_processed: asyncio.Condition

    async def process_update(self, update: object) -> None:
        try:
            await super().process_update(update)
        finally:
            if isinstance(update, Update):
                tracker: UpdateTracker | None = self.bot_data.get("_tracker")
                if tracker is not None:
                    await tracker.done(update.update_id)


ROOT = Path(__file__).resolve().parent.parent
# Outbox engine options for every Application the harness builds (None: the defaults);
# tests.outbox_helpers.fast_options sets them for one test.
OUTBOX_OPTIONS: OutboxOptions | None = None


def bot_env(**settings: str) -> dict[str, str]:
    """The environment for a child `python -m bot`: ours minus every TELEGRAM_*/BOT_* variable
    (a developer's real token must never reach a test), the project importable, plus settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "BOT_"))}
    env["PYTHONPATH"] = str(ROOT)
    env.update(settings)
    return env


class UpdateTracker:
    """Remembers which update ids the Application has finished processing."""

    def __init__(self) -> None:
        self.done_ids: set[int] = set()
        self.cond = asyncio.Condition()

    async def done(self, update_id: int) -> None:
        async with self.cond:
            self.done_ids.add(update_id)
            self.cond.notify_all()

    async def wait(self, update_id: int, timeout: float = 10.0) -> None:
        async with self.cond:
            await asyncio.wait_for(self.cond.wait_for(lambda: update_id in self.done_ids), timeout)


@dataclass
class BotHarness:
    """A fake Telegram, a real bot on a temporary database, and a clock tests move by hand."""

    db_path: Path
    admin_ids: frozenset[int] = frozenset({ADMIN_ID})
    timezone: str = "UTC"
    core: BotApiCore = field(default_factory=lambda: BotApiCore(token=TOKEN))
    clock: FakeClock = field(default_factory=FakeClock)
    server: FakeBotApiServer | None = None
    app: Any = None
    tracker: UpdateTracker = field(default_factory=UpdateTracker)
    settings: Settings | None = None
    # Flood control off by default: a FakeClock that tests do not move makes every command
    # simultaneous. tests/test_flood.py and the hardening suites turn it on.
    flood_limit: int = 0

    async def start(self) -> None:
        if self.server is None:
            self.server = FakeBotApiServer(self.core)
            await self.server.start()
        self.settings = Settings(
            token=TOKEN,
            api_base_url=self.server.url,
            db_path=self.db_path,
            admin_ids=self.admin_ids,
            timezone=self.timezone,
            flood_limit=self.flood_limit,
        )
        self.tracker = UpdateTracker()
        # The fake Telegram enforces no limits unless a test sets them, so neither does the
        # bot's send budget: tests of the limits set OUTBOX_* (tests/outbox_helpers.py).
        limits_set = any(name.startswith("OUTBOX_") for name in os.environ)
        self.app = build_application(
            self.settings,
            clock=self.clock,
            application_class=TrackingApplication,
            outbox_limits=OutboxLimits.from_env() if limits_set else OutboxLimits.off(),
            # A fresh copy each time: tests adjust their Application's options in place.
            outbox_options=dataclasses.replace(OUTBOX_OPTIONS) if OUTBOX_OPTIONS else None,
        )
        self.app.bot_data["_tracker"] = self.tracker
        await start_application(self.app)

    async def stop(self) -> None:
        if self.app is not None:
            await stop_application(self.app)
            self.app = None

    async def close(self) -> None:
        await self.stop()
        if self.server is not None:
            await self.server.stop()
            self.server = None

    async def restart(self) -> None:
        """Stop the Application and start a brand-new one on the same database and server."""
        await self.stop()
        await self.start()

    @property
    def services(self) -> Services:
        services = self.app.bot_data[SERVICES_KEY]
        assert isinstance(services, Services)
        return services

    async def processed(self, update: dict[str, Any], timeout: float = 10.0) -> None:
        await self.tracker.wait(int(update["update_id"]), timeout)

    async def send(self, chat_id: int, user_id: int, text: str, **kwargs: Any) -> dict[str, Any]:
        """A user sends text (or a command); returns once the bot has fully handled it."""
        update = self.core.push_message(chat_id, user_id, text, **kwargs)
        await self.processed(update)
        return update

    async def press(self, chat_id: int, user_id: int, message_id: int, data: str) -> str:
        """A user presses an inline button; returns the callback query id once handled."""
        query_id = self.core.push_callback(chat_id, user_id, message_id, data)
        await self.processed(self._pending("callback_query", query_id))
        return query_id

    async def inline(self, user_id: int, query: str) -> str:
        """A user types ``@bot query``; returns the inline query id once handled."""
        query_id = self.core.push_inline_query(user_id, query)
        await self.processed(self._pending("inline_query", query_id))
        return query_id

    def _pending(self, kind: str, object_id: str) -> dict[str, Any]:
        # Just pushed and not yet confirmed by getUpdates, so it is still in the queue.
        for update in reversed(self.core.pending):
            if update.get(kind, {}).get("id") == object_id:
                return update
        raise AssertionError(f"{kind} {object_id} was not queued")

    async def push(self, update: dict[str, Any]) -> dict[str, Any]:
        """Wait for any already-pushed update (my_chat_member, migration, inline...)."""
        await self.processed(update)
        return update

    def replies(self, chat_id: int) -> list[SentMessage]:
        return self.core.sent_to(chat_id)

    def last(self, chat_id: int) -> SentMessage:
        sent = self.core.sent_to(chat_id)
        assert sent, f"the bot sent nothing to {chat_id}"
        return sent[-1]


class ErrorLog(logging.Handler):
    """Records the error handler's reports (handlers/errors.py logs every one)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextlib.contextmanager
def error_log() -> Iterator[ErrorLog]:
    """What the error handler (handlers/errors.py) reports while the block runs."""
    handler = ErrorLog()
    logger = logging.getLogger("handlers.errors")
    logger.addHandler(handler)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)


def buttons(message: object) -> list[tuple[str, str]]:
    """The (label, callback data) of every inline button under a sent message."""
    markup = getattr(message, "reply_markup", None) or {}
    return [
        (b["text"], b.get("callback_data", ""))
        for row in markup.get("inline_keyboard", [])
        for b in row
    ]


def texts_of(h: BotHarness, chat_id: int) -> list[str]:
    """The texts of every message the bot sent to ``chat_id``, oldest first."""
    return [m.text or "" for m in h.replies(chat_id)]


async def add_demo(h: BotHarness, hours: float, **kw: object) -> int:
    """Store a demonstration starting ``hours`` from the harness clock's now; its id."""
    values: dict[str, object] = {"place": "Parliament Square", "title": "March"}
    values.update(kw)
    return await h.services.reminders.add_demo(
        NewDemo(starts_at=h.clock.now() + timedelta(hours=hours), **values)  # type: ignore[arg-type]
    )


async def snapshot(h: BotHarness) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, each table's rows in a stable order: compare before/after."""
    db = h.services.db
    cur = await db.conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    )
    out = {}
    for (name,) in await cur.fetchall():
        rows = await (await db.conn.execute(f'SELECT * FROM "{name}"')).fetchall()
        out[str(name)] = sorted((tuple(r) for r in rows), key=repr)
    return out


async def hit_rates(svc: ContentService, queries: list[dict[str, Any]]) -> tuple[float, float]:
    """Share of queries (each with "query" and "expected" [{slug, idx}]) whose expected
    passage is first, and in the first three, of the search's answer."""
    top1 = top3 = 0
    for q in queries:
        expected = {(e["slug"], e["idx"]) for e in q["expected"]}
        page = await svc.search(q["query"], limit=3)
        got = [(h.statement.slug, h.paragraph.index) for h in page.hits]
        top1 += bool(got) and got[0] in expected
        top3 += any(g in expected for g in got)
    return top1 / len(queries), top3 / len(queries)
