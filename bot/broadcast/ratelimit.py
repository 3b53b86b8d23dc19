"""Telegram's flood limits, enforced on the sending side so the outbox never sees a 429.

* overall: ``per_second`` messages a second (Telegram: about 30), admitted one at a time at
  evenly spaced moments (``GLOBAL_PACE`` of the limit, no bursts), and never more than
  ``GLOBAL_PACE`` x the limit in *any* one-second window (a local copy of Telegram's window);
* per chat: ``per_second_chat`` (about 1 a second) — a minimum spacing per chat;
* per group: ``per_minute_group`` (20 a minute) — a sliding window per group chat;
* a global pause: after a 429 every sender waits out ``retry_after`` before sending again.

``headroom`` (default 0.97) keeps a little below each limit: requests leave here and arrive at
Telegram a few milliseconds apart from when they were admitted, so a limiter running exactly
at the limit would now and then be judged over it. The overall limit is the one a broadcast
runs into, so it uses the finer ``GLOBAL_PACE``: admissions are evenly spaced (a late wake-up
may catch up at most ``_CATCH_UP`` slots), which leaves the server's sliding window a few
messages of slack for network jitter while wasting little of the allowed rate.
"""

from __future__ import annotations

import asyncio
import math
import os
from collections import deque
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

from bot.config import parse_rate as _rate

#: fraction of the overall limit the outbox admits at (evenly spaced, see the module docstring)
GLOBAL_PACE = 0.985
#: admissions a late wake-up may make up for at once (bounds bursts after a loop stall)
_CATCH_UP = 2


@dataclass(frozen=True)
class OutboxLimits:
    """The limits the outbox keeps to; ``None`` switches one off, ``enabled=False`` all."""

    per_second: float | None = 30.0
    per_minute_group: float | None = 20.0
    per_second_chat: float | None = 1.0
    headroom: float = 0.97
    enabled: bool = True

    @classmethod
    def off(cls) -> OutboxLimits:
        return cls(enabled=False)

    def scaled(self, factor: float) -> OutboxLimits:
        """The same limits factor times faster (benchmarks and tests)."""

        def mul(v: float | None) -> float | None:
            return None if v is None else v * factor

        return OutboxLimits(
            mul(self.per_second),
            mul(self.per_minute_group),
            mul(self.per_second_chat),
            self.headroom,
            self.enabled,
        )

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> OutboxLimits:
        """OUTBOX_PER_SECOND, OUTBOX_PER_MINUTE_GROUP, OUTBOX_PER_SECOND_CHAT ('off' disables)."""
        env = os.environ if env is None else env
        base = cls()
        return cls(
            per_second=_rate(env, "OUTBOX_PER_SECOND", base.per_second),
            per_minute_group=_rate(env, "OUTBOX_PER_MINUTE_GROUP", base.per_minute_group),
            per_second_chat=_rate(env, "OUTBOX_PER_SECOND_CHAT", base.per_second_chat),
        )


class FloodLimiter:
    """Admits one message at a time for a chat, waiting as long as the limits require."""

    def __init__(
        self, limits: OutboxLimits, sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    ) -> None:
        self.limits = limits
        self.sleep = sleep
        self._pauses: set[asyncio.Task[None]] = set()
        self._resumed = asyncio.Event()
        self._resumed.set()
        self._global: asyncio.Lock | None = None  # the gate of the overall limit, FIFO
        self._interval = 0.0
        self._global_cap = 0
        self._next_global = 0.0
        self._global_window: deque[float] = deque()
        if limits.enabled and limits.per_second:
            self._global = asyncio.Lock()
            self._interval = 1.0 / (limits.per_second * GLOBAL_PACE)
            self._global_cap = max(1, math.floor(limits.per_second * GLOBAL_PACE))
        self._chat_spacing = (
            1.0 / (limits.per_second_chat * limits.headroom)
            if limits.enabled and limits.per_second_chat
            else 0.0
        )
        self._next_chat: dict[int, float] = {}
        self._group_window: dict[int, deque[float]] = {}

    @staticmethod
    def _now() -> float:
        return asyncio.get_running_loop().time()

    def pause(self, seconds: float) -> None:
        """Hold every sender for ``seconds`` (a 429's retry_after applies to the whole bot).

        Overlapping pauses end with the last of them; ``sleep`` is injectable for tests.
        """
        self._resumed.clear()
        task = asyncio.create_task(self._pause(seconds), name="outbox-flood-pause")
        self._pauses.add(task)

    async def _pause(self, seconds: float) -> None:
        try:
            await self.sleep(seconds)
        finally:
            self._pauses.discard(asyncio.current_task())
            if not self._pauses:
                self._resumed.set()

    @property
    def paused(self) -> bool:
        return not self._resumed.is_set()

    def close(self) -> None:
        for task in list(self._pauses):
            task.cancel()

    async def acquire(self, chat_id: int | None) -> None:
        """Wait until one more message to chat_id keeps within every limit, then count it."""
        if chat_id is not None and self.limits.enabled:
            await self._acquire_chat(chat_id)
        await self._resumed.wait()
        if self._global is not None:
            await self._acquire_global(self._global)

    async def _acquire_global(self, gate: asyncio.Lock) -> None:
        """One admission at a time: at the next even slot, within the one-second window."""
        async with gate:
            window = self._global_window
            while True:
                now = self._now()
                while window and window[0] <= now - 1.0:
                    window.popleft()
                wait = self._next_global - now
                if len(window) >= self._global_cap:
                    wait = max(wait, window[0] + 1.0 - now)
                if wait <= 0:
                    break
                await asyncio.sleep(wait)
            window.append(now)
            slot = max(self._next_global, now - _CATCH_UP * self._interval)
            self._next_global = slot + self._interval

    async def _acquire_chat(self, chat_id: int) -> None:
        if self._chat_spacing:
            now = self._now()
            slot = max(now, self._next_chat.get(chat_id, 0.0))
            self._next_chat[chat_id] = slot + self._chat_spacing
            if slot > now:
                await asyncio.sleep(slot - now)
        per_minute = self.limits.per_minute_group
        if chat_id < 0 and per_minute:
            capacity = max(1, math.floor(per_minute * self.limits.headroom))
            span = 60.0 / self.limits.headroom
            window = self._group_window.setdefault(chat_id, deque())
            while True:
                now = self._now()
                while window and window[0] <= now - span:
                    window.popleft()
                if len(window) < capacity:
                    window.append(now)
                    break
                await asyncio.sleep(window[0] + span - now)
        if len(self._next_chat) > 50_000:
            self._forget_idle()

    def _forget_idle(self) -> None:
        now = self._now()
        self._next_chat = {c: t for c, t in self._next_chat.items() if t > now}
        span = 60.0 / self.limits.headroom
        self._group_window = {
            c: w for c, w in self._group_window.items() if w and w[-1] > now - span
        }
