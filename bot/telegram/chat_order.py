"""Concurrent update processing that keeps each chat's updates in the order they arrived.

PTB handles updates one at a time by default: a slow command in one chat (a table rendered to
PNG, a calendar feed fetched) holds up every other chat, and each update waits for the previous
one's reply to travel to Telegram and back. PTB's own concurrent mode fixes that but gives up
ordering, which conversations (/adddemo, /addstatement) and button presses rely on.

This processor does both: updates of different chats run concurrently, updates of one chat run
strictly one after another, in arrival order. The key is the chat; an update without one
(inline queries, chosen inline results, callback queries from inline messages) uses the user, so
a person's own updates are ordered too; an update with neither (polls) has no key.

Why ordering holds: PTB starts one task per update in arrival order and each task reaches
:meth:`do_process_update` before its first suspension (PTB's semaphore, sized far above any
backlog here, never makes it wait), where it joins the tail of its chat's chain at once.
Waiting in a chain costs no processing slot, so a chat flooding the bot cannot starve the others:
only ``max_running`` updates are processed at any moment.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import Application, BaseUpdateProcessor

# PTB's own semaphore only counts tasks here (chained ones included): keep it out of the way.
_UNBOUNDED = 1 << 20


def order_key(update: object) -> int | None:
    """The chat whose updates must stay in order (the user's, for updates without a chat)."""
    if not isinstance(update, Update):
        return None
    if update.effective_chat is not None:
        return update.effective_chat.id
    if update.effective_user is not None:
        return update.effective_user.id
    return None


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """Concurrent across chats, sequential within a chat; at most ``max_running`` at once."""

    def __init__(self, max_running: int = 64) -> None:
        super().__init__(_UNBOUNDED)
        self.max_running = max_running
        self._running = asyncio.Semaphore(max_running)
        self._tails: dict[int, asyncio.Future[None]] = {}
        self.pending = 0  # updates taken in and not yet fully handled (running or queued)

    @property
    def waiting_chats(self) -> int:
        """Chats with an update in progress or queued (for tests and metrics)."""
        return len(self._tails)

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        self.pending += 1
        try:
            await self._process(update, coroutine)
        finally:
            self.pending -= 1

    async def _process(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = order_key(update)
        if key is None:
            async with self._running:
                await coroutine
            return
        # Join the chain synchronously (no await before this point): arrival order is kept.
        previous = self._tails.get(key)
        mine: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._tails[key] = mine
        started = False
        try:
            if previous is not None:
                await asyncio.shield(previous)  # it always ends with a result, never raises
            async with self._running:
                started = True
                await coroutine
        finally:
            if not started and asyncio.iscoroutine(coroutine):
                coroutine.close()  # cancelled while queued (shutdown): never run, no warning
            mine.set_result(None)
            if self._tails.get(key) is mine:
                del self._tails[key]

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass


def pending_updates(app: Application[Any, Any, Any, Any, Any, Any]) -> int | None:
    """Updates app has taken in and not yet handled, if it runs this processor."""
    processor = app.update_processor
    return processor.pending if isinstance(processor, PerChatUpdateProcessor) else None
