"""The overall limit as a gate: evenly spaced slots, handed out by priority with fixed shares.

Every message the bot posts or edits takes one slot. Slots come at ``1 / (limit x GLOBAL_PACE)``
intervals, and at most the limit count in any one-second window as Telegram may see it:
Telegram counts a request when it arrives, somewhere between its slot and its answer, so a
send counts from its slot until one second after its answer came. However late a request
reaches Telegram (a slow network, a busy machine), it cannot be judged over the limit; the
price is the round trip (a 50 ms round trip costs about 5% of the rate). With ``jitter`` set,
a send stops counting one second after its slot plus ``jitter`` if that is sooner: safe for
requests that reach Telegram at most that much later than the others (``jitter=0`` is a plain
sliding window of the slots).

When several sends wait, the next slot goes to a class chosen by stride scheduling: each class
has a pass value that grows by ``1 / SHARES[class]`` per slot it takes, the lowest pass wins
and ties go to the higher priority. So a lone reply always takes the very next slot; while
replies, reminders and announcements all wait, they get 6, 3 and 1 of every 10 slots; a class
alone gets them all. A class that was idle starts level with the others (no credit saved up).
"""

from __future__ import annotations

import asyncio
import heapq
import math
from collections import deque
from collections.abc import Awaitable, Callable
from enum import IntEnum

#: fraction of the overall limit admitted (evenly spaced, see bot/broadcast/ratelimit.py)
GLOBAL_PACE = 0.985
#: admissions a late wake-up may make up for at once (bounds bursts after a loop stall)
_CATCH_UP = 2


class Priority(IntEnum):
    """Who waits for whom: a reply to a person, then reminders, then announcements."""

    REPLY = 0
    REMINDER = 1
    ANNOUNCE = 2


#: slots each class gets per round while every class has sends waiting
SHARES: dict[Priority, int] = {Priority.REPLY: 6, Priority.REMINDER: 3, Priority.ANNOUNCE: 1}

Now = Callable[[], float]
Wait = Callable[[float], Awaitable[None]]


class PriorityGate:
    """Admits one send per slot of the overall limit, by priority (see the module docstring)."""

    def __init__(
        self, per_second: float, now: Now, wait: Wait, jitter: float | None = None
    ) -> None:
        self._now, self._wait = now, wait
        self._jitter = jitter
        self._interval = 1.0 / (per_second * GLOBAL_PACE)
        self._cap = max(1, math.floor(per_second))
        self._next = 0.0
        self._window: list[float] = []  # a heap: when finished sends stop counting
        self._in_flight = 0
        self._finished = asyncio.Event()
        self._queues: dict[Priority, deque[asyncio.Future[float]]] = {p: deque() for p in Priority}
        self._pass = {p: 0.0 for p in Priority}
        self._vtime = 0.0
        self._dispatcher: asyncio.Task[None] | None = None
        self.resumed: asyncio.Event | None = None  # set by the limiter: cleared during a 429 pause

    def _slot_wait(self, now: float) -> float:
        """Seconds until the next send may go (infinite: until one in flight finishes)."""
        window = self._window
        while window and window[0] <= now:
            heapq.heappop(window)
        wait = self._next - now
        if len(window) + self._in_flight >= self._cap:
            wait = max(wait, window[0] - now if window else math.inf)
        return wait

    def release(self, admitted: float) -> None:
        """The send admitted at ``admitted`` (acquire's value) has its answer, or failed."""
        self._in_flight -= 1
        done = self._now()
        if self._jitter is not None:
            done = min(done, admitted + self._jitter)
        heapq.heappush(self._window, done + 1.0)
        self._finished.set()

    def _admit(self, now: float, priority: Priority) -> None:
        self._in_flight += 1
        slot = max(self._next, now - _CATCH_UP * self._interval)
        self._next = slot + self._interval
        self._vtime = self._pass[priority]
        self._pass[priority] += 1.0 / SHARES[priority]

    def _queued(self) -> bool:
        return any(self._queues.values())

    async def acquire(self, priority: Priority) -> float:
        """Wait for a slot; returns the moment it was given, for release()."""
        now = self._now()
        idle = self._dispatcher is None or self._dispatcher.done()
        if idle and not self._queued() and self._slot_wait(now) <= 0:
            self._pass[priority] = max(self._pass[priority], self._vtime)
            self._admit(now, priority)
            return now
        queue = self._queues[priority]
        if not queue:
            self._pass[priority] = max(self._pass[priority], self._vtime)
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        queue.append(future)
        if idle:
            self._dispatcher = asyncio.create_task(self._dispatch(), name="send-gate")
        try:
            return await future
        except asyncio.CancelledError:
            if future.done() and not future.cancelled():  # admitted just as it was cancelled
                self.release(future.result())
            raise

    async def _dispatch(self) -> None:
        while True:
            for queue in self._queues.values():
                while queue and queue[0].done():  # the waiter was cancelled
                    queue.popleft()
            if not self._queued():
                return
            if self.resumed is not None and not self.resumed.is_set():
                await self.resumed.wait()
                continue
            now = self._now()
            wait = self._slot_wait(now)
            if wait == math.inf:
                self._finished.clear()
                await self._finished.wait()
                continue
            if wait > 0:
                await self._wait(wait)
                continue
            priority = min(
                (p for p, q in self._queues.items() if q), key=lambda p: (self._pass[p], p)
            )
            future = self._queues[priority].popleft()
            if future.done():
                continue
            self._admit(now, priority)
            future.set_result(now)

    def close(self) -> None:
        if self._dispatcher is not None:
            self._dispatcher.cancel()
        for queue in self._queues.values():
            for future in queue:
                future.cancel()
            queue.clear()
