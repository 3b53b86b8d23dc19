"""One send budget for the whole bot: PTB's rate limiter, built on bot/broadcast/ratelimit.py.

Installed with ``ApplicationBuilder().rate_limiter(SendBudget())`` (bot/app.py), so every Bot
API call of the bot passes here: command replies, button answers and edits from handlers, and
the outbox's broadcasts alike. Calls that post or edit a message wait for their turn within
Telegram's limits, by priority (``SendArgs.priority``; a call without arguments is a reply to a
person). A 429 pauses every sender for ``retry_after``; the call is then tried again, at most
``max_attempts`` times and ``max_wait`` seconds of 429 pauses in all. A call that still cannot
go raises :class:`SendAbandoned`, logged once here at WARNING with the chat id only. The
outbox asks for ``retry_floods=False``: it re-queues its deliveries itself, freeing the worker.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from telegram.error import RetryAfter, TelegramError
from telegram.ext import BaseRateLimiter

from bot.broadcast.ratelimit import FloodLimiter, OutboxLimits, Priority

log = logging.getLogger(__name__)

__all__ = ["Priority", "SendAbandoned", "SendArgs", "SendBudget", "counts_against_limits"]


@dataclass(frozen=True)
class SendArgs:
    """``rate_limit_args`` of a Bot API call: its priority and whether a 429 is retried here."""

    priority: Priority = Priority.REPLY
    retry_floods: bool = True


REPLY = SendArgs()


class SendAbandoned(TelegramError):
    """A message that Telegram kept refusing with 429 (already logged by the budget)."""


#: methods that post or edit without a ``send``/``copy``/``forward``/``editMessage`` name
_OTHER_COUNTED = frozenset({"stopPoll"})


def counts_against_limits(endpoint: str) -> bool:
    """Whether a Bot API method counts as a message (answers to queries and reads do not)."""
    if endpoint == "sendChatAction":
        return False
    return endpoint.startswith(("send", "copyMessage", "forwardMessage", "editMessage")) or (
        endpoint in _OTHER_COUNTED
    )


def retry_seconds(exc: RetryAfter) -> float:
    with warnings.catch_warnings():  # PTB warns that the int form is deprecated
        warnings.simplefilter("ignore")
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def _chat_of(data: dict[str, Any]) -> int | None:
    chat_id = data.get("chat_id")
    if isinstance(chat_id, int) and not isinstance(chat_id, bool):
        return chat_id
    if isinstance(chat_id, str) and chat_id.lstrip("-").isdigit():
        return int(chat_id)
    return None  # an @channel username, an inline message, a query answer


Result = bool | dict[str, Any] | list[dict[str, Any]]


class SendBudget(BaseRateLimiter[SendArgs]):
    """The bot's rate limiter (see the module docstring); ``limiter`` holds the pacing."""

    def __init__(
        self,
        limits: OutboxLimits | None = None,
        *,
        max_attempts: int = 4,
        max_wait: float = 120.0,
    ) -> None:
        self.limiter = FloodLimiter(limits if limits is not None else OutboxLimits.from_env())
        self.max_attempts = max_attempts
        self.max_wait = max_wait
        self.floods = 0  # 429s met, by any call
        self.abandoned = 0  # calls given up after repeated 429s

    def configure(
        self,
        limits: OutboxLimits,
        sleep: Callable[[float], Awaitable[None]] | None = None,
        **timing: Any,
    ) -> None:
        """Replace the limits (before anything is sent: at start, from the outbox settings)."""
        self.limiter.close()
        kwargs: dict[str, Any] = dict(timing)
        if sleep is not None:
            kwargs["sleep"] = sleep
        self.limiter = FloodLimiter(limits, **kwargs)

    @property
    def limits(self) -> OutboxLimits:
        return self.limiter.limits

    def snapshot(self) -> dict[str, Any]:
        """The figures /health and /metrics show: waiting sends, 429s met, longest waits."""
        limiter = self.limiter
        return {
            "waiting": {p.name.lower(): n for p, n in limiter.waiting().items()},
            "too_many_requests": self.floods,
            "abandoned": self.abandoned,
            "longest_wait_seconds": {
                p.name.lower(): round(w, 3) for p, w in limiter.longest_wait.items()
            },
            "oldest_waiting_seconds": round(limiter.oldest_wait(), 3),
        }

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        self.limiter.close()

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Result]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: SendArgs | None,
    ) -> Result:
        how = rate_limit_args if isinstance(rate_limit_args, SendArgs) else REPLY
        counted = counts_against_limits(endpoint)
        chat_id = _chat_of(data)
        attempts, paused = 0, 0.0
        while True:
            limiter, admitted = self.limiter, None
            if counted:
                admitted = await limiter.acquire(chat_id, how.priority)
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                seconds = retry_seconds(exc)
                self.floods += 1
                self.limiter.pause(seconds)
                attempts += 1
                paused += seconds
                if not how.retry_floods:
                    raise
                if attempts >= self.max_attempts or paused > self.max_wait:
                    self.abandoned += 1
                    log.warning(
                        "%s to chat %s not sent: still rate limited after %d tries",
                        endpoint,
                        chat_id,
                        attempts,
                    )
                    raise SendAbandoned("Flood control: the message was not sent") from exc
                if not counted:  # counted calls wait out the pause in acquire()
                    await self.limiter.sleep(seconds)
            finally:
                if counted:
                    limiter.release(admitted, chat_id)
