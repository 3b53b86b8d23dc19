"""The outbox: the one sending path for announcements, reminders and notices.

Broadcasts and their per-chat deliveries are persisted (storage/outbox.py) before anything is
sent; each outcome is committed before that worker sends again (group commit), so after a crash
or restart only the messages that were in flight can be sent twice and none is lost. The engine
is a feeder task choosing the next delivery (highest priority first, round-robin between
broadcasts of equal priority) and a bounded pool of workers, all owned by the Outbox and
cancelled on stop, so nothing here can keep the bot from answering commands.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

import aiosqlite

from bot.broadcast.budget import SendBudget
from bot.broadcast.delivery import Outgoing, Renderer, Target
from bot.broadcast.engine import Engine, OutboxOptions, Progress, Reporter
from bot.broadcast.ratelimit import OutboxLimits
from bot.clock import Clock
from bot.config import Settings
from storage.chats import ChatRepo
from storage.db import Database

__all__ = ["Outbox", "OutboxLimits", "OutboxOptions", "Outgoing", "Progress", "Renderer", "Target"]


class Outbox(Engine):
    """Persistent, rate-limited, resumable broadcast engine (see docs/broadcasts.md)."""

    def register_renderer(self, kind: str, renderer: Renderer) -> None:
        self._renderers[kind] = renderer
        self.wake()

    def set_reporter(self, reporter: Reporter | None) -> None:
        """Called (throttled) with the progress of broadcasts that have a status message."""
        self._reporter = reporter

    async def enqueue(
        self,
        *,
        kind: str,
        payload: dict[str, Any],
        targets: Sequence[Target],
        priority: int = 0,
        created_by: int | None = None,
    ) -> int:
        async with self.db.transaction() as conn:
            broadcast_id = await self.enqueue_in(
                conn,
                kind=kind,
                payload=payload,
                targets=targets,
                priority=priority,
                created_by=created_by,
            )
        self.wake()
        return broadcast_id

    async def enqueue_in(
        self,
        conn: aiosqlite.Connection,
        *,
        kind: str,
        payload: dict[str, Any],
        targets: Sequence[Target],
        priority: int = 0,
        created_by: int | None = None,
    ) -> int:
        """Like enqueue, inside the caller's open transaction; call wake() after the commit."""
        return await self.repo.create(
            conn,
            kind=kind,
            payload=payload,
            targets=[(t.chat_id, t.thread_id) for t in targets],
            priority=priority,
            created_by=created_by,
            now=self.clock.now(),
        )

    async def create_draft(
        self, *, kind: str, payload: dict[str, Any], created_by: int | None, priority: int = 0
    ) -> int:
        """A broadcast that is previewed but not sent until launch()."""
        async with self.db.transaction() as conn:
            return await self.repo.create(
                conn,
                kind=kind,
                payload=payload,
                targets=(),
                priority=priority,
                created_by=created_by,
                now=self.clock.now(),
                status="draft",
            )

    async def launch(
        self,
        draft_id: int,
        targets: Sequence[Target],
        *,
        status_at: tuple[int, int] | None = None,
        hold_status: bool = False,
    ) -> bool:
        """Send a draft to targets, reporting progress at status_at (chat id, message id).

        With hold_status, progress edits wait until release_status(draft_id): the caller edits
        the status message first.
        """
        if hold_status:
            self._held.add(draft_id)
        ok = await self.repo.launch_draft(
            draft_id,
            [(t.chat_id, t.thread_id) for t in targets],
            self.clock.now(),
            status_chat_id=status_at[0] if status_at else None,
            status_message_id=status_at[1] if status_at else None,
        )
        if ok:
            self.wake()
        else:
            self._held.discard(draft_id)
        return ok

    def release_status(self, broadcast_id: int) -> None:
        """Let the outbox edit the status message of a broadcast launched with hold_status."""
        self._held.discard(broadcast_id)
        status = self._holding.pop(broadcast_id, None)
        if status is not None:
            status.release()

    async def stop_broadcast(self, broadcast_id: int) -> bool:
        """Stop sending a broadcast; what is in flight completes, the rest is cancelled."""
        if broadcast_id in self._finishing:  # everything was sent already
            return False
        run = self._runs.get(broadcast_id)
        if run is None:
            row = await self.repo.get(broadcast_id)
            if row is None or row.status not in ("pending", "running"):
                return False
            await self.repo.finish(broadcast_id, "stopped", self.clock.now())
            return True
        run.stopping = True
        run.exhausted = True
        run.queue.clear()
        run.retry.clear()
        await self._maybe_finish(run)
        return True

    async def wait_finished(self, broadcast_id: int, timeout: float | None = None) -> None:
        """Wait until broadcast_id is done or stopped (tests, benchmarks)."""
        row = await self.repo.get(broadcast_id)
        live = broadcast_id in self._runs or broadcast_id in self._finishing
        if row is not None and row.status in ("done", "stopped") and not live:
            return
        event = self._finished.setdefault(broadcast_id, asyncio.Event())
        await asyncio.wait_for(event.wait(), timeout)

    @property
    def active_ids(self) -> list[int]:
        return sorted(self._runs)

    # --- lifecycle ---------------------------------------------------------------------------


def build_outbox(
    app: Any,
    db: Database,
    clock: Clock,
    limits: OutboxLimits | None = None,
    options: OutboxOptions | None = None,
    settings: Settings | None = None,
) -> Outbox:
    """The application's Outbox: the limits given to build_application, else the settings'.

    They are given to the bot's send budget (its rate limiter), which paces replies too.
    """
    budget = getattr(app.bot, "rate_limiter", None)
    return Outbox(
        db,
        ChatRepo(db),
        app.bot,
        clock,
        limits
        if limits is not None
        else OutboxLimits.from_settings(settings)
        if settings is not None
        else OutboxLimits.from_env(),
        options if options is not None else OutboxOptions(),
        budget if isinstance(budget, SendBudget) else None,
    )
