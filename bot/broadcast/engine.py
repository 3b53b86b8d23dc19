"""The outbox engine: feeder, worker pool, outcomes, progress (public API: bot/broadcast/outbox.py).

A feeder task chooses the next delivery (highest priority first, round-robin between broadcasts
of equal priority) and hands it to a bounded pool of workers; each outcome is group-committed
before that worker sends again. All tasks are owned here and cancelled on stop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from typing import Any

from telegram import Bot

from bot.broadcast.budget import SendBudget
from bot.broadcast.delivery import Job, Renderer, Result, backoff, placeholder_chat
from bot.broadcast.delivery import transmit as _transmit
from bot.broadcast.progress import Progress, Reporter, StatusEdits
from bot.broadcast.ratelimit import OutboxLimits
from bot.broadcast.runs import OutboxOptions, Run, progress_of, send_args
from bot.clock import Clock
from storage.chats import ChatRepo
from storage.db import Database
from storage.outbox import OutboxRepo, Outcome

log = logging.getLogger(__name__)

__all__ = ["Engine", "OutboxOptions", "Progress", "Reporter"]


class Engine:
    """Scheduling and sending; subclassed by bot.broadcast.outbox.Outbox (the public API)."""

    def __init__(
        self,
        db: Database,
        chats: ChatRepo,
        bot: Bot,
        clock: Clock,
        limits: OutboxLimits | None = None,
        options: OutboxOptions | None = None,
        budget: SendBudget | None = None,
    ) -> None:
        self.db, self.chats, self.bot, self.clock = db, chats, bot, clock
        self.repo = OutboxRepo(db)
        self.limits = limits or OutboxLimits()
        self.options = options or OutboxOptions()
        # The bot's rate limiter paces every send (bot/broadcast/budget.py); the outbox sets
        # its limits, since they are the outbox's settings (OUTBOX_*).
        self.budget = budget
        if budget is not None:
            o = self.options
            budget.configure(self.limits, o.sleep, now=o.pace_now, wait=o.pace_wait)
        self.stats: dict[str, int] = {"sent": 0, "retries": 0, "floods": 0, "gone": 0}
        self._renderers: dict[str, Renderer] = {}
        self._reporter: Reporter | None = None
        self._runs: dict[int, Run] = {}
        self._finishing: dict[int, Run] = {}  # done sending, final report not yet out
        self._jobs: asyncio.Queue[Job | None] = asyncio.Queue(maxsize=self.options.workers)
        self._wake = asyncio.Event()
        self._dirty = True
        self._tasks: set[asyncio.Task[Any]] = set()
        self._workers: list[asyncio.Task[None]] = []
        self._feeder: asyncio.Task[None] | None = None
        self._batch: list[Outcome] = []
        self._batch_done: asyncio.Future[None] | None = None
        self._flusher: asyncio.Task[None] | None = None
        self._finished: dict[int, asyncio.Event] = {}
        self._held: set[int] = set()  # broadcasts whose status message the caller still edits
        self._holding: dict[int, StatusEdits] = {}  # their status editors, until released
        self._sending: dict[int, int] = {}  # chat id -> deliveries to it under way
        self._dropped: set[tuple[int, int]] = set()  # (broadcast, chat) erased by /forget
        self._chat_idle: dict[int, asyncio.Event] = {}  # set when no send to the chat is left
        self._rng = random.Random(self.options.seed)

    # --- public API ------------------------------------------------------------------------------

    def wake(self) -> None:
        """Look for new broadcasts (call after enqueue_in's transaction commits)."""
        self._dirty = True
        self._wake.set()

    async def start(self) -> None:
        """Start the engine; unfinished broadcasts are picked up by the feeder (resumption)."""
        if self._feeder is not None:
            return
        self.wake()
        self._workers = [
            asyncio.create_task(self._work(), name=f"outbox-worker-{i}")
            for i in range(self.options.workers)
        ]
        self._feeder = asyncio.create_task(self._feed(), name="outbox-feeder")

    async def stop(self) -> None:
        """Stop the engine: in-flight sends get a grace period, the rest stays pending."""
        if self._feeder is None:
            return
        feeder, self._feeder = self._feeder, None
        feeder.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await feeder
        while not self._jobs.empty():  # queued but not started: stays pending in the database
            self._jobs.get_nowait()
        for _ in self._workers:
            self._jobs.put_nowait(None)
        _, late = await asyncio.wait(self._workers, timeout=self.options.shutdown_grace)
        for run in (*self._runs.values(), *self._finishing.values()):
            if run.status is not None:
                run.status.cancel()
        for task in (*late, *self._tasks):
            task.cancel()
        await asyncio.gather(*self._workers, *self._tasks, return_exceptions=True)
        if self._flusher is not None:
            with contextlib.suppress(Exception):
                await self._flusher
        self._workers, self._tasks = [], set()
        self._runs.clear()

    async def forget_chat(self, chat_id: int, timeout: float = 10.0) -> None:
        """Before a chat's data is erased: no live broadcast sends to it any more, and a send
        to it already under way is waited for, so that the erasure is the chat's last word."""
        self._dropped.update((run_id, chat_id) for run_id in self._runs)
        if self._sending.get(chat_id):
            idle = self._chat_idle.setdefault(chat_id, asyncio.Event())
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(idle.wait(), timeout)

    # --- scheduling ----------------------------------------------------------------------------
    async def _feed(self) -> None:
        while True:
            try:
                if self._dirty:
                    self._dirty = False
                    await self._refresh()
                job = await self._next_job()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("outbox feeder error; retrying shortly")
                await asyncio.sleep(1)
                continue
            if job is None:
                self._wake.clear()
                if not self._dirty:
                    await self._wake.wait()
                continue
            await self._jobs.put(job)

    async def _refresh(self) -> None:
        for row in await self.repo.live():
            if row.id in self._runs or row.id in self._finishing:
                continue
            counts = {"sent": row.sent, "failed": row.failed, "gone": row.gone}
            counts["skipped"] = row.skipped
            run = self._runs[row.id] = Run(
                row.id,
                row.kind,
                row.payload,
                row.priority,
                row.total,
                counts,
                row.created_by,
                row.status_chat_id,
                row.status_message_id,
            )
            if self._reporter is not None and row.status_chat_id is not None:
                interval = self.options.status_interval
                run.status = StatusEdits(self._reporter, interval, self._clock_seconds)
                if row.id in self._held:
                    run.status.hold()
                    self._holding[row.id] = run.status
            if row.status == "pending":
                await self.repo.mark_running(row.id, self.clock.now())

    async def _next_job(self) -> Job | None:
        """Highest priority first; among equals the broadcast served least so far."""
        candidates = sorted(
            (r for r in self._runs.values() if r.kind in self._renderers and not r.stopping),
            key=lambda r: (-r.priority, r.served),
        )
        for run in candidates:
            if not run.retry and not run.queue and not run.exhausted:
                page = await self.repo.pending(run.id, run.cursor, self.options.page_size)
                if len(page) < self.options.page_size:
                    run.exhausted = True
                if page:
                    run.cursor = page[-1].chat_id
                    run.queue.extend(
                        Job(d.broadcast_id, d.chat_id, d.thread_id, d.attempts, d.chat)
                        for d in page
                    )
            if run.idle():
                await self._maybe_finish(run)
                continue
            source = run.retry or run.queue
            if source:
                run.served += 1
                run.busy += 1
                if run.started is None:
                    run.started = self.clock.now().timestamp()
                return source.popleft()
        return None

    # --- sending -----------------------------------------------------------------------------
    async def _work(self) -> None:
        while True:
            job = await self._jobs.get()
            if job is None:
                return
            run = self._runs.get(job.broadcast_id)
            if run is None:
                continue
            try:
                await self._deliver(run, job)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("outbox: delivery to chat %s failed unexpectedly", job.chat_id)
                try:
                    await self._settle(run, job, "failed", "internal")
                except Exception:  # the database is unwell: leave it pending for a resume
                    log.exception("outbox: could not record the failure")

    async def _deliver(self, run: Run, job: Job) -> None:
        chat_id = job.chat_id
        self._sending[chat_id] = self._sending.get(chat_id, 0) + 1
        try:
            await self._deliver_one(run, job)
        finally:
            left = self._sending.pop(chat_id) - 1
            if left:
                self._sending[chat_id] = left
            elif (idle := self._chat_idle.pop(chat_id, None)) is not None:
                idle.set()

    async def _deliver_one(self, run: Run, job: Job) -> None:
        if run.stopping or (run.id, job.chat_id) in self._dropped:
            # Stopped, or the chat erased its data: its row is cancelled or deleted.
            run.busy -= 1
            await self._maybe_finish(run)
            return
        chat = job.chat or placeholder_chat(job.chat_id)
        if not chat.active:
            await self._settle(run, job, "gone", "inactive")
            return
        try:
            out = await self._renderers[run.kind](run.payload, chat)
        except Exception:
            log.exception("outbox: renderer %r failed for chat %s", run.kind, job.chat_id)
            await self._settle(run, job, "failed", "render")
            return
        if out is None:
            await self._settle(run, job, "skipped", None)
            return
        result = await _transmit(
            self.bot, job, out, how=send_args(run.priority), send_timeout=self.options.send_timeout
        )
        await self._handle(run, job, result)

    async def _handle(self, run: Run, job: Job, result: Result) -> None:
        now = self.clock.now()
        if result.verdict == "sent":
            self.stats["sent"] += 1
            await self._settle(run, job, "sent", None)
        elif result.verdict == "gone":
            self.stats["gone"] += 1
            await self.chats.set_active(job.chat_id, False, now)
            await self._settle(run, job, "gone", result.error)
        elif result.verdict == "retry_after":
            self.stats["floods"] += 1  # the budget paused every sender for retry_after
            job.floods += 1
            if job.floods > self.options.max_floods:
                await self._settle(run, job, "failed", "flood")
            else:
                self._later(run, job, result.retry_after)
        elif result.verdict == "migrated" and result.new_chat_id is not None:
            await self.chats.migrate(job.chat_id, result.new_chat_id, now)
            if await self.repo.move_delivery(run.id, job.chat_id, result.new_chat_id, now):
                job.chat_id = result.new_chat_id
                job.chat = await self.chats.get(result.new_chat_id)
                self._later(run, job, 0.0)
            else:  # the new chat already had its own delivery in this broadcast
                run.counts["skipped"] += 1
                self._release(run)
        elif result.verdict == "retry" and job.attempts + 1 < self.options.max_attempts:
            job.attempts += 1
            self.stats["retries"] += 1
            await self._record(Outcome(run.id, job.chat_id, "pending", job.attempts, result.error))
            delay = backoff(
                job.attempts, self.options.backoff_base, self.options.backoff_cap, self._rng
            )
            self._later(run, job, delay)
        else:
            job.attempts += 1
            await self._settle(run, job, "failed", result.error)

    def _later(self, run: Run, job: Job, delay: float) -> None:
        """Retry job after delay (without holding a worker); it stays counted as busy."""

        async def requeue() -> None:
            if delay > 0:
                await self.options.sleep(delay)
            if run.stopping:
                self._release(run)
                await self._maybe_finish(run)
                return
            run.retry.append(job)
            run.busy -= 1  # _next_job counts it again when it is handed out
            self._wake.set()

        task = asyncio.create_task(requeue(), name=f"outbox-retry-{job.chat_id}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # --- bookkeeping ---------------------------------------------------------------------------
    async def _settle(self, run: Run, job: Job, state: str, error: str | None) -> None:
        attempts = job.attempts + (1 if state == "sent" else 0)
        await self._record(Outcome(run.id, job.chat_id, state, attempts, error))
        run.counts[state] = run.counts.get(state, 0) + 1
        run.done_here += 1
        self._release(run)
        await self._maybe_finish(run)
        self._report_soon(run)

    def _release(self, run: Run) -> None:
        run.busy -= 1
        if run.idle():
            self._wake.set()

    async def _record(self, outcome: Outcome) -> None:
        """Group commit: returns once this outcome (and whatever came with it) is committed."""
        self._batch.append(outcome)
        if self._batch_done is None:
            self._batch_done = asyncio.get_running_loop().create_future()
        done = self._batch_done
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush(), name="outbox-flush")
        await asyncio.shield(done)

    async def _flush(self) -> None:
        while self._batch:
            batch, done = self._batch, self._batch_done
            self._batch, self._batch_done = [], None
            try:
                await self.repo.record(batch, self.clock.now())
            except Exception as exc:
                if done is not None and not done.done():
                    done.set_exception(exc)
            else:
                if done is not None and not done.done():
                    done.set_result(None)

    async def _maybe_finish(self, run: Run) -> None:
        if not run.idle() or self._runs.get(run.id) is not run:
            return
        # Until its final report is out no refresh may pick it up again, and waiters wait.
        del self._runs[run.id]
        self._finishing[run.id] = run
        status = "stopped" if run.stopping else "done"
        row = await self.repo.finish(run.id, status, self.clock.now())
        if row is not None:
            run.counts = {"sent": row.sent, "failed": row.failed, "gone": row.gone}
            run.counts["skipped"] = row.skipped
            run.total = row.total
        self._dropped = {key for key in self._dropped if key[0] != run.id}
        log.info("broadcast %s %s: %s", run.id, status, run.counts)
        try:
            await self._report(run, final=True)
        finally:
            self._finishing.pop(run.id, None)
        self._finished.setdefault(run.id, asyncio.Event()).set()

    def _clock_seconds(self) -> float:
        return self.clock.now().timestamp()

    def _report_soon(self, run: Run) -> None:
        if run.status is not None and run.status.due():
            progress = self._progress(run, final=False)
            if progress is not None:
                run.status.offer(progress)

    async def _report(self, run: Run, *, final: bool) -> None:
        progress = self._progress(run, final=final)
        if run.status is not None and progress is not None:
            await run.status.finish(progress)

    def _progress(self, run: Run, *, final: bool) -> Progress | None:
        return progress_of(run, self.limits, self._clock_seconds(), final=final)
