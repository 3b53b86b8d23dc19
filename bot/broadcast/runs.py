"""The outbox's working state: tuning options, one running broadcast, its progress snapshot."""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from bot.broadcast.budget import Priority, SendArgs
from bot.broadcast.delivery import Job
from bot.broadcast.progress import Progress, StatusEdits
from bot.broadcast.ratelimit import OutboxLimits

Sleep = Callable[[float], Awaitable[None]]


@dataclass
class OutboxOptions:
    """Tuning of the engine; tests inject ``sleep`` so backoff and 429 pauses cost no time."""

    workers: int = 12  # concurrent sends; more only adds HTTP-pool overhead (bench.broadcast)
    max_attempts: int = 5
    backoff_base: float = 0.5
    backoff_cap: float = 30.0
    max_floods: int = 20  # 429s on one delivery before it counts as failed
    send_timeout: float | None = None  # per-request read/write timeout (None: PTB's default)
    page_size: int = 500
    status_interval: float = 3.0  # seconds (by the injected clock) between progress reports
    shutdown_grace: float = 5.0  # real seconds in-flight sends may finish when stopping
    sleep: Sleep = asyncio.sleep
    seed: int | None = None
    # The clock and wait that pace the limits (None: the event loop's); tests run them faster.
    pace_now: Callable[[], float] | None = None
    pace_wait: Sleep | None = None


#: broadcast priorities at or above this are reminders and notices for the send budget
REMINDER_LEVEL = 1


def send_args(priority: int) -> SendArgs:
    """How the send budget treats a broadcast of this priority (it re-queues 429s itself)."""
    level = Priority.REMINDER if priority >= REMINDER_LEVEL else Priority.ANNOUNCE
    return SendArgs(level, retry_floods=False)


@dataclass
class Run:
    """A broadcast this process is working on (the database row is the truth)."""

    id: int
    kind: str
    payload: dict[str, Any]
    priority: int
    total: int
    counts: dict[str, int]
    created_by: int | None
    status_chat_id: int | None
    status_message_id: int | None
    queue: deque[Job] = field(default_factory=deque)
    retry: deque[Job] = field(default_factory=deque)
    cursor: int | None = None
    exhausted: bool = False
    busy: int = 0  # queued for or held by a worker, or waiting to retry
    served: int = 0
    stopping: bool = False
    started: float | None = None  # clock seconds when this process began working on it
    done_here: int = 0
    status: StatusEdits | None = None

    @property
    def done(self) -> int:
        return sum(self.counts.values())

    def idle(self) -> bool:
        return self.exhausted and not self.queue and not self.retry and self.busy == 0


def progress_of(run: Run, limits: OutboxLimits, now: float, *, final: bool) -> Progress | None:
    """The snapshot a status message shows (None without a status message)."""
    if run.status_chat_id is None or run.status_message_id is None:
        return None
    eta: float | None = None
    remaining = max(0, run.total - run.done)
    if run.started is not None and run.done_here and now > run.started:
        eta = remaining * (now - run.started) / run.done_here
    elif limits.enabled and limits.per_second:
        eta = remaining / (limits.per_second * limits.headroom)
    return Progress(
        run.id,
        run.kind,
        run.total,
        run.counts.get("sent", 0),
        run.counts.get("failed", 0),
        run.counts.get("gone", 0),
        run.counts.get("skipped", 0),
        eta,
        run.status_chat_id,
        run.status_message_id,
        run.created_by,
        final,
        run.stopping,
    )
