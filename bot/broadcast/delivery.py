"""One delivery attempt: render for the chat, send within the limits, classify what happened.

The outbox (bot/broadcast/outbox.py) schedules deliveries; this module performs one and says
what to do next, without touching the database.
"""

from __future__ import annotations

import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from telegram import Bot, InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
)

from bot.broadcast.budget import SendArgs, retry_seconds
from bot.telegram.render import split_message
from storage.chats import Chat


@dataclass(frozen=True)
class Target:
    """A chat (and forum topic) to deliver to."""

    chat_id: int
    thread_id: int | None = None


@dataclass(frozen=True)
class Outgoing:
    """What one chat receives: an HTML text, or a copy of an existing message."""

    html: str | None = None
    reply_markup: InlineKeyboardMarkup | None = None
    copy_from: tuple[int, int] | None = None  # (from_chat_id, message_id) -> copyMessage


Renderer = Callable[[dict[str, Any], Chat], Awaitable[Outgoing | None]]

Verdict = Literal["sent", "gone", "failed", "retry", "retry_after", "migrated"]


@dataclass
class Job:
    """A pending delivery in memory (the database row is the truth)."""

    broadcast_id: int
    chat_id: int
    thread_id: int | None
    attempts: int
    chat: Chat | None
    parts_sent: int = 0  # of a long text, how many parts already went out (never resent)
    floods: int = 0  # 429s met on this delivery (bounded, not counted as attempts)


@dataclass
class Result:
    verdict: Verdict
    error: str | None = None
    retry_after: float = 0.0
    new_chat_id: int | None = None
    message_ids: list[int] = field(default_factory=list)


def placeholder_chat(chat_id: int) -> Chat:
    """Settings for a target the chats table does not know (e.g. an admin's private chat)."""
    return Chat(
        chat_id=chat_id,
        kind="private" if chat_id > 0 else "supergroup",
        active=True,
        subscribed=False,
        thread_id=None,
        timezone=None,
        lead_minutes=None,
        region=None,
        language=None,
    )


_GONE_PHRASES = (
    "chat not found",
    "user not found",
    "bot was kicked",
    "not a member",
    "chat was deleted",
    "group chat was deactivated",
    "peer_id_invalid",
)


def classify(exc: TelegramError) -> Result:
    """Map a Bot API error to what the outbox should do about it."""
    if isinstance(exc, ChatMigrated):
        return Result("migrated", "migrated", new_chat_id=int(exc.new_chat_id))
    if isinstance(exc, RetryAfter):
        return Result("retry_after", "flood", retry_after=retry_seconds(exc))
    if isinstance(exc, Forbidden):
        return Result("gone", "forbidden")
    if isinstance(exc, BadRequest):  # a NetworkError subclass in PTB: test it first
        message = str(exc).lower()
        if any(p in message for p in _GONE_PHRASES):
            return Result("gone", "chat_not_found")
        return Result("failed", "bad_request")
    if isinstance(exc, NetworkError):  # 5xx, TimedOut, connection errors
        return Result("retry", "timeout" if "timed out" in str(exc).lower() else "network")
    return Result("failed", type(exc).__name__.lower()[:40])


def backoff(attempt: int, base: float, cap: float, rng: random.Random) -> float:
    """Bounded exponential backoff with jitter for the attempt-th failure (1-based)."""
    delay: float = min(cap, base * 2 ** max(0, attempt - 1))
    return delay * (0.5 + rng.random() / 2)


def limited_args(bot: Bot, how: SendArgs) -> dict[str, Any]:
    """``rate_limit_args`` for bot's calls, when bot has a rate limiter to take them."""
    return {"rate_limit_args": how} if getattr(bot, "rate_limiter", None) is not None else {}


async def transmit(
    bot: Bot,
    job: Job,
    out: Outgoing,
    *,
    how: SendArgs,
    send_timeout: float | None = None,
) -> Result:
    """Send out to job's chat, part by part for long texts; never raises a TelegramError.

    The bot's rate limiter (bot/broadcast/budget.py) paces each message by ``how.priority``.
    """
    extra: dict[str, Any] = limited_args(bot, how)
    if send_timeout is not None:
        extra.update(read_timeout=send_timeout, write_timeout=send_timeout)
    ids: list[int] = []
    try:
        if out.copy_from is not None:
            copied = await bot.copy_message(
                chat_id=job.chat_id,
                from_chat_id=out.copy_from[0],
                message_id=out.copy_from[1],
                message_thread_id=job.thread_id,
                reply_markup=out.reply_markup,
                **extra,
            )
            ids.append(copied.message_id)
        else:
            parts = split_message(out.html or "")
            for i, part in enumerate(parts):
                if i < job.parts_sent:
                    continue
                data: dict[str, Any] = {
                    "chat_id": job.chat_id,
                    "text": part,
                    "parse_mode": ParseMode.HTML,
                    "reply_markup": out.reply_markup if i == len(parts) - 1 else None,
                    "message_thread_id": job.thread_id,
                }
                # The raw answer: only its message_id is read, and building a telegram.Message
                # from each answer was a large part of a broadcast's CPU time.
                sent = await bot.do_api_request("sendMessage", api_kwargs=data, **extra)
                job.parts_sent = i + 1
                ids.append(int(sent["message_id"]))
    except TelegramError as exc:
        return classify(exc)
    return Result("sent", message_ids=ids)
