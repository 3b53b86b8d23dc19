"""Fault injection and Telegram-like flood limits for the Bot API emulator.

Both are consulted by :class:`bot.emulator.core.BotApiCore` before a call is handled:

* :class:`Faults` holds one-shot (or repeated) failures keyed by method and/or chat;
* :class:`RateLimiter` enforces :class:`RateLimits` with sliding windows on the core's clock
  and answers ``429 Too Many Requests: retry after N`` like Telegram.
"""

from __future__ import annotations

import math
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

FaultKind = Literal[
    "429", "500", "502", "timeout", "403", "chat_not_found", "migrate", "drop", "malformed"
]

#: What a ``malformed`` fault answers with status 200: JSON cut off mid-way (a broken proxy).
MALFORMED_BODY = b'{"ok": true, "result": [{"update_id": '


#: Methods that count against Telegram's flood limits (everything that produces a message).
LIMITED_METHODS = frozenset(
    {
        "sendmessage",
        "sendphoto",
        "senddocument",
        "copymessage",
        "forwardmessage",
        "editmessagetext",
        "editmessagereplymarkup",
    }
)


class ConnectionDropped(Exception):
    """Raised by ``BotApiCore.call`` when the transport must close the connection unanswered."""


class MalformedAnswer(ConnectionDropped):
    """Raised by ``BotApiCore.call`` when the transport must answer 200 with ``body`` (not
    JSON). A transport that does not know this fault drops the connection instead."""

    def __init__(self, body: bytes = MALFORMED_BODY) -> None:
        super().__init__("malformed")
        self.body = body


@dataclass
class Fault:
    """One injected failure. ``times == -1`` means "forever"."""

    kind: FaultKind
    method: str | None = None
    chat_id: int | None = None
    times: int = 1
    retry_after: int = 1
    delay: float = 0.0
    migrate_to: int | None = None
    hits: int = 0

    def matches(self, method: str, chat_id: int | None) -> bool:
        if self.times == 0:
            return False
        if self.method is not None and self.method.lower() != method.lower():
            return False
        return self.chat_id is None or self.chat_id == chat_id

    def error_body(self) -> tuple[int, dict[str, Any]]:
        """The (HTTP status, JSON body) Telegram would answer for this fault."""
        if self.kind == "429":
            return _error(
                429,
                f"Too Many Requests: retry after {self.retry_after}",
                {"retry_after": self.retry_after},
            )
        if self.kind == "500":
            return _error(500, "Internal Server Error")
        if self.kind == "502":
            return _error(502, "Bad Gateway")
        if self.kind == "403":
            return _error(403, "Forbidden: bot was blocked by the user")
        if self.kind == "chat_not_found":
            return _error(400, "Bad Request: chat not found")
        if self.kind == "migrate":
            target = self.migrate_to if self.migrate_to is not None else -1000000000000
            return _error(
                400,
                "Bad Request: group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": target},
            )
        raise ValueError(f"fault kind {self.kind!r} has no error body")


class Faults:
    """Registry of injected faults; the first matching fault is consumed per call."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []

    def add(
        self,
        method: str | None = None,
        chat_id: int | None = None,
        kind: FaultKind = "500",
        times: int = 1,
        retry_after: int = 1,
        delay: float = 0,
        migrate_to: int | None = None,
    ) -> Fault:
        """Inject a fault for calls of ``method`` (any if None) to ``chat_id`` (any if None).

        ``times`` is how many calls fail (-1: every call). ``delay`` seconds pass before the
        answer; for ``kind="timeout"`` the request is held ``delay`` seconds and then handled
        normally (the effect happens, the client has usually given up), or with ``delay=0``
        held until the server stops. ``kind="drop"`` closes the connection without an answer;
        ``kind="malformed"`` answers 200 with a body that is not valid JSON.
        """
        fault = Fault(kind, method, chat_id, times, retry_after, float(delay), migrate_to)
        self._faults.append(fault)
        return fault

    def take(self, method: str, chat_id: int | None) -> Fault | None:
        """Return and consume the first fault matching this call, if any."""
        for fault in self._faults:
            if fault.matches(method, chat_id):
                fault.hits += 1
                if fault.times > 0:
                    fault.times -= 1
                return fault
        return None

    def clear(self) -> None:
        self._faults.clear()

    @property
    def pending(self) -> list[Fault]:
        return [f for f in self._faults if f.times != 0]


@dataclass(frozen=True)
class RateLimits:
    """Flood limits like Telegram's: ~30 msg/s overall, 20 msg/min per group, ~1 msg/s per chat.

    ``None`` disables a limit. ``burst_private`` lets a private chat take that many messages at
    once before the per-chat rate applies again (a token bucket), as Telegram allows short
    bursts; ``None`` keeps the strict one-second window.
    """

    per_second_global: float | None = None
    per_minute_group: int | None = None
    per_second_chat: float | None = None
    burst_private: int | None = None


@dataclass
class _Window:
    stamps: deque[float] = field(default_factory=deque)

    def retry_after(self, now: float, span: float, capacity: float) -> float | None:
        """Seconds to wait if adding an event now would exceed ``capacity`` per ``span``."""
        while self.stamps and self.stamps[0] <= now - span:
            self.stamps.popleft()
        allowed = max(1, math.floor(capacity))
        if len(self.stamps) < allowed:
            return None
        return self.stamps[len(self.stamps) - allowed] + span - now


class RateLimiter:
    """Sliding-window limiter; ``check`` records the call when it is allowed."""

    def __init__(self, time_fn: Callable[[], float]) -> None:
        self.time_fn = time_fn
        self._global = _Window()
        self._group: defaultdict[int, _Window] = defaultdict(_Window)
        self._chat: defaultdict[int, _Window] = defaultdict(_Window)
        self._due: dict[int, float] = {}  # private chats with a burst: when the bucket is full

    def check(self, limits: RateLimits, method: str, chat_id: int | None) -> int | None:
        """Return ``retry_after`` (whole seconds, >= 1) if the call must be refused."""
        if method.lower() not in LIMITED_METHODS:
            return None
        now = self.time_fn()
        checks: list[tuple[_Window, float, float]] = []
        if limits.per_second_global is not None:
            # A fractional rate like 0.5/s is expressed as 1 call per 2 s.
            rate = limits.per_second_global
            checks.append((self._global, max(1.0, 1 / rate), max(1.0, rate)))
        bucket = chat_id is not None and chat_id > 0 and limits.burst_private is not None
        if chat_id is not None and limits.per_second_chat is not None and not bucket:
            rate = limits.per_second_chat
            checks.append((self._chat[chat_id], max(1.0, 1 / rate), max(1.0, rate)))
        if chat_id is not None and chat_id < 0 and limits.per_minute_group is not None:
            checks.append((self._group[chat_id], 60.0, float(limits.per_minute_group)))
        waits = [w for win, span, cap in checks if (w := win.retry_after(now, span, cap))]
        spacing = 0.0
        if bucket and chat_id is not None and limits.per_second_chat is not None:
            # GCRA: each message moves "due" one spacing on; up to burst-1 spacings ahead is fine
            spacing = 1.0 / limits.per_second_chat
            early = (max(1, limits.burst_private or 1) - 1) * spacing
            due = max(now, self._due.get(chat_id, now))
            if due - early > now:
                waits.append(due - early - now)
        if waits:
            return max(1, math.ceil(max(waits)))
        for win, _span, _cap in checks:
            win.stamps.append(now)
        if spacing and chat_id is not None:
            self._due[chat_id] = max(now, self._due.get(chat_id, now)) + spacing
        return None


@dataclass
class CoreStats:
    """Counters kept by the core."""

    calls: int = 0
    too_many_requests: int = 0
    faults_injected: int = 0
    errors: int = 0
    by_method: dict[str, int] = field(default_factory=dict)


def _error(
    code: int, description: str, parameters: dict[str, Any] | None = None
) -> tuple[int, dict[str, Any]]:
    body: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
    if parameters:
        body["parameters"] = parameters
    return code, body
