"""Telegram's flood limits, kept on the sending side for every message the bot posts or edits.

* overall: ``per_second`` messages a second (Telegram: about 30), admitted one at a time at
  evenly spaced moments (``GLOBAL_PACE`` of the limit, no bursts), and never more than the
  limit in *any* one-second window as Telegram counts it, by priority (bot/broadcast/gate.py);
* per chat: ``per_second_chat`` (about 1 a second) — a minimum spacing per chat, except that a
  reply into a private chat may use a short burst (``burst_private`` messages at once, then the
  spacing again), as Telegram allows;
* per group: ``per_minute_group`` (20 a minute) — a sliding window per group chat;
* a global pause: after a 429 every sender waits out ``retry_after`` before sending again.

``headroom`` (default 0.97) keeps a little below the per-chat and per-group limits: requests
leave here and arrive at Telegram a few milliseconds apart from when they were admitted, so a
limiter running exactly at the limit would now and then be judged over it. The overall limit,
the one a broadcast runs into, is kept exactly instead (bot/broadcast/gate.py counts each send
until a second after its answer), at evenly spaced admissions of ``GLOBAL_PACE`` of it.
"""

from __future__ import annotations

import asyncio
import itertools
import math
import os
from collections import deque
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

from bot.broadcast.gate import GLOBAL_PACE, Now, Priority, PriorityGate, Wait
from bot.config import Settings
from bot.config import parse_rate as _rate

__all__ = ["GLOBAL_PACE", "FloodLimiter", "OutboxLimits", "Priority"]


@dataclass(frozen=True)
class OutboxLimits:
    """The limits the outbox keeps to; ``None`` switches one off, ``enabled=False`` all."""

    per_second: float | None = 30.0
    per_minute_group: float | None = 20.0
    per_second_chat: float | None = 1.0
    headroom: float = 0.97
    enabled: bool = True
    burst_private: int = 3  # replies a private chat may get at once before the spacing applies
    jitter: float | None = None  # see bot/broadcast/gate.py (None: a send counts until answered)

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
            self.burst_private,
            self.jitter,
        )

    @classmethod
    def from_settings(cls, settings: Settings) -> OutboxLimits:
        """The OUTBOX_* limits as bot/config.py parsed and validated them."""
        return cls(
            per_second=settings.outbox_per_second,
            per_minute_group=settings.outbox_per_minute_group,
            per_second_chat=settings.outbox_per_second_chat,
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
    """Admits one message at a time for a chat, waiting as long as the limits require.

    ``now`` and ``wait`` (the loop's clock and ``asyncio.sleep`` by default) pace the limits;
    tests run them on a faster clock. ``sleep`` waits out 429 pauses (tests make it instant).
    """

    def __init__(
        self,
        limits: OutboxLimits,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        *,
        now: Now | None = None,
        wait: Wait | None = None,
    ) -> None:
        self.limits = limits
        self.sleep = sleep
        self._now: Now = now or (lambda: asyncio.get_running_loop().time())
        self._wait: Wait = wait or asyncio.sleep
        self._pauses: set[asyncio.Task[None]] = set()
        self._resumed = asyncio.Event()
        self._resumed.set()
        self._gate: PriorityGate | None = None
        if limits.enabled and limits.per_second:
            self._gate = PriorityGate(limits.per_second, self._now, self._wait, limits.jitter)
            self._gate.resumed = self._resumed
        self._chat_spacing = (
            1.0 / (limits.per_second_chat * limits.headroom)
            if limits.enabled and limits.per_second_chat
            else 0.0
        )
        self._burst = max(0, limits.burst_private - 1) * self._chat_spacing
        self._next_chat: dict[int, float] = {}  # per chat: when its spacing is used up
        self._answered: dict[int, float] = {}  # per chat: when its last message was answered
        self._chat_rate = limits.per_second_chat or 1.0
        self._group_window: dict[int, deque[float]] = {}
        self._waiting: dict[Priority, dict[int, float]] = {p: {} for p in Priority}
        self._tickets = itertools.count()
        self.longest_wait: dict[Priority, float] = {p: 0.0 for p in Priority}

    def pause(self, seconds: float) -> None:
        """Hold every sender for ``seconds`` (a 429's retry_after applies to the whole bot).

        Overlapping pauses end with the last of them.
        """
        self._resumed.clear()
        task = asyncio.create_task(self._pause(seconds), name="send-flood-pause")
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
        if self._gate is not None:
            self._gate.close()

    def waiting(self) -> dict[Priority, int]:
        """Sends waiting for their turn now, by priority."""
        return {p: len(w) for p, w in self._waiting.items()}

    def oldest_wait(self) -> float:
        """How long the longest-waiting send now has waited (0 when none waits)."""
        starts = [t for w in self._waiting.values() for t in w.values()]
        return max(0.0, self._now() - min(starts)) if starts else 0.0

    def release(self, admitted: float | None, chat_id: int | None = None) -> None:
        """The message admitted by acquire() got its answer (or failed): call once for each."""
        if self._gate is not None and admitted is not None:
            self._gate.release(admitted)
        if chat_id is not None and self._chat_spacing:
            self._answered[chat_id] = self._now()

    async def acquire(
        self, chat_id: int | None, priority: Priority = Priority.REPLY
    ) -> float | None:
        """Wait until one more message to chat_id keeps within every limit, then count it.

        Returns the moment of its overall slot (None without an overall limit): pass it to
        release() once the message has its answer.
        """
        start = self._now()
        ticket = next(self._tickets)
        waiting = self._waiting[priority]
        waiting[ticket] = start
        admitted: float | None = None
        try:
            if chat_id is not None and self.limits.enabled:
                await self._acquire_chat(chat_id, priority)
            await self._resumed.wait()
            if self._gate is not None:
                admitted = await self._gate.acquire(priority)
        finally:
            del waiting[ticket]
        waited = self._now() - start
        if waited > self.longest_wait[priority]:
            self.longest_wait[priority] = waited
        return admitted

    async def _acquire_chat(self, chat_id: int, priority: Priority) -> None:
        spacing = self._chat_spacing
        if spacing:
            # GCRA: "due" is when the chat's spacing is used up; a reply into a private chat
            # may come up to burst early, everything else waits until then.
            now = self._now()
            due = self._next_chat.get(chat_id, now)
            early = self._burst if priority == Priority.REPLY and chat_id > 0 else 0.0
            slot = max(now, due - early)
            self._next_chat[chat_id] = max(due, slot) + spacing
            if not early and chat_id in self._answered:
                # Telegram counts the previous message when it arrived, at the latest when
                # its answer came: one full spacing after that answer is safe however late
                # it arrived (the headroom alone covers 3% of the spacing of lateness).
                slot = max(slot, self._answered[chat_id] + 1.0 / self._chat_rate)
            if slot > now:
                await self._wait(slot - now)
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
                await self._wait(window[0] + span - now)
        if len(self._next_chat) > 50_000:
            self._forget_idle()

    def _forget_idle(self) -> None:
        now = self._now()
        self._next_chat = {c: t for c, t in self._next_chat.items() if t > now}
        recent = now - 1.0 / self._chat_rate
        self._answered = {c: t for c, t in self._answered.items() if t > recent}
        span = 60.0 / self.limits.headroom
        self._group_window = {
            c: w for c, w in self._group_window.items() if w and w[-1] > now - span
        }
