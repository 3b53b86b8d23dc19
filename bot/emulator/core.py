"""Transport-free Telegram Bot API emulator: ``await core.call(method, params, files)``.

Typical test use::

    core = BotApiCore()
    core.private_chat(42, "Ann")
    core.push_command(42, 42, "/start")
    await core.wait_for(lambda: core.last_text(42) is not None)
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

from bot.emulator.faults import (
    ConnectionDropped,
    CoreStats,
    Faults,
    MalformedAnswer,
    RateLimiter,
    RateLimits,
)
from bot.emulator.pushes import Pushes
from bot.emulator.state import ApiCall, ApiError, SentMessage, bad_request
from bot.emulator.validation import normalize

Handler = Callable[[dict[str, Any], dict[str, tuple[str, bytes]]], Awaitable[Any]]

#: Update types delivered when ``allowed_updates`` was never set (like Telegram).
DEFAULT_UPDATE_TYPES = frozenset(
    {
        "message",
        "edited_message",
        "channel_post",
        "edited_channel_post",
        "inline_query",
        "chosen_inline_result",
        "callback_query",
        "my_chat_member",
        "shipping_query",
        "pre_checkout_query",
        "poll",
        "poll_answer",
        "chat_join_request",
    }
)
NOT_FOUND = {"ok": False, "error_code": 404, "description": "Not Found: method not found"}


class BotApiCore(Pushes):
    """Answers Bot API methods from in-memory state; see the module docstring."""

    def __init__(
        self,
        *,
        bot_id: int = 777000111,
        bot_username: str = "solidarity_test_bot",
        token: str = "123456:TEST-TOKEN-abcdefghijklmnop",
        time_fn: Callable[[], float] = time.monotonic,
        now_fn: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(bot_id=bot_id, bot_username=bot_username, now_fn=now_fn)
        self._init_methods()
        self._init_pushes()
        self.token = token
        self.time_fn = time_fn
        self.faults = Faults()
        self.limits = RateLimits()
        self.stats = CoreStats()
        self._limiter = RateLimiter(lambda: self.time_fn())
        self._poll_generation = 0
        #: getUpdates calls currently in progress (calls are recorded only once answered,
        #: so "the bot is polling" is ``core.polls_started > 0``, not ``calls_for``).
        self.polls_waiting = 0
        #: Keep only about this many recorded calls (None: all); for long benchmarks.
        self.keep_calls: int | None = None
        self.allowed_updates: frozenset[str] = DEFAULT_UPDATE_TYPES
        self.closed = False
        self._handlers: dict[str, tuple[str, Handler]] = {
            name[4:].lower(): (name[4:], getattr(self, name))
            for name in dir(self)
            if name.startswith("api_")
        }

    @property
    def polls_started(self) -> int:
        """How many getUpdates calls have begun (answered or still waiting)."""
        return self._poll_generation

    @property
    def method_names(self) -> list[str]:
        """Canonical names of the supported methods."""
        return sorted(name for name, _ in self._handlers.values())

    # -- dispatch -----------------------------------------------------------------------------
    async def call(
        self,
        method: str,
        params: dict[str, Any],
        files: dict[str, tuple[str, bytes]] | None = None,
    ) -> tuple[int, dict[str, Any]]:
        """Answer one Bot API call: (HTTP status, JSON body).

        Raises :class:`ConnectionDropped` when a fault says the connection is to be dropped.
        """
        entry = self._handlers.get(method.lower())
        if entry is None:
            return self._record(method, params, 404, dict(NOT_FOUND))
        name, handler = entry
        try:
            p = normalize(params)
        except ApiError as exc:
            return self._record(name, params, exc.code, exc.body())
        chat_id = p.get("chat_id") if isinstance(p.get("chat_id"), int) else None
        fault = self.faults.take(name, chat_id)
        if fault is not None:
            self.stats.faults_injected += 1
            self.changed.notify()
            if fault.kind in ("timeout", "drop") or fault.delay:
                await self.updates_changed.wait_until(
                    lambda: self.closed,
                    None if fault.kind == "timeout" and not fault.delay else fault.delay,
                )
            if fault.kind == "drop" or (fault.kind == "timeout" and self.closed):
                self._record(name, p, 0, {"ok": False, "description": f"dropped ({fault.kind})"})
                raise ConnectionDropped(fault.kind)
            if fault.kind == "malformed":
                self._record(name, p, 200, {"ok": False, "description": "malformed answer"})
                raise MalformedAnswer()
            if fault.kind != "timeout":
                status, body = fault.error_body()
                if status == 429:
                    self.stats.too_many_requests += 1
                return self._record(name, p, status, body)
        retry_after = self._limiter.check(self.limits, name, chat_id)
        if retry_after is not None:
            self.stats.too_many_requests += 1
            error = ApiError(
                429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after}
            )
            return self._record(name, p, 429, error.body())
        try:
            result = await handler(p, files or {})
        except ApiError as exc:
            return self._record(name, p, exc.code, exc.body())
        return self._record(name, p, 200, {"ok": True, "result": result})

    def _record(
        self, method: str, params: dict[str, Any], status: int, body: dict[str, Any]
    ) -> tuple[int, dict[str, Any]]:
        ok = bool(body.get("ok"))
        self.calls.append(
            ApiCall(method, params, body["result"] if ok else body, self.time_fn(), ok, status)
        )
        if self.keep_calls is not None and len(self.calls) > 2 * self.keep_calls + 100:
            del self.calls[: len(self.calls) - self.keep_calls]
        self.stats.calls += 1
        self.stats.by_method[method] = self.stats.by_method.get(method, 0) + 1
        if not ok:
            self.stats.errors += 1
        self.changed.notify()
        return status, body

    def open(self) -> None:
        """Allow long polls again after :meth:`shutdown` (a transport restarting)."""
        self.closed = False

    def shutdown(self) -> None:
        """Release every long poll and held request (called by transports on stop)."""
        self.closed = True
        self.updates_changed.notify()
        self.changed.notify()

    # -- updates ------------------------------------------------------------------------------
    def drop_pending_updates(self) -> None:
        self.pending.clear()

    async def api_getUpdates(self, p: dict[str, Any], f: dict[str, tuple[str, bytes]]) -> Any:
        if self.webhook_url:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        allowed = p.get("allowed_updates")
        if isinstance(allowed, list):
            self.allowed_updates = frozenset(allowed) if allowed else DEFAULT_UPDATE_TYPES
        limit = int(p.get("limit") or 100)
        if not 1 <= limit <= 100:
            limit = 100
        timeout = max(0, int(p.get("timeout") or 0))
        offset = p.get("offset")
        if isinstance(offset, int) and offset != 0:
            self._confirm(offset)
        self._poll_generation += 1
        generation = self._poll_generation
        self.updates_changed.notify()  # an older long poll, if any, ends with 409
        self.polls_waiting += 1
        self.changed.notify()
        try:
            await self.updates_changed.wait_until(
                lambda: bool(self._batch(1)) or self.closed or self._poll_generation != generation,
                timeout,
            )
        finally:
            self.polls_waiting -= 1
        if self._poll_generation != generation:
            raise ApiError(
                409,
                "Conflict: terminated by other getUpdates request; "
                "make sure that only one bot instance is running",
            )
        return self._batch(limit)

    def _confirm(self, offset: int) -> None:
        if offset < 0:
            while len(self.pending) > -offset:
                self.pending.popleft()
            return
        while self.pending and self.pending[0]["update_id"] < offset:
            self.pending.popleft()

    def _batch(self, limit: int) -> list[dict[str, Any]]:
        """Up to ``limit`` queued updates of allowed types (others wait to be confirmed away)."""
        out: list[dict[str, Any]] = []
        allowed = self.allowed_updates
        for update in self.pending:
            if any(key in allowed for key in update if key != "update_id"):
                out.append(update)
                if len(out) >= limit:
                    break
        return out

    # -- queries for tests --------------------------------------------------------------------
    def sent_to(self, chat_id: int) -> list[SentMessage]:
        """Messages the bot sent to the chat, oldest first (including deleted ones)."""
        return [m for m in self.messages.get(chat_id, {}).values() if m.from_bot]

    def messages_in(self, chat_id: int) -> list[SentMessage]:
        """All messages of the chat, the users' and the bot's, oldest first."""
        return list(self.messages.get(chat_id, {}).values())

    def last_text(self, chat_id: int) -> str | None:
        """Current text/caption of the bot's last non-deleted message in the chat."""
        for message in reversed(self.sent_to(chat_id)):
            if not message.deleted:
                return message.text
        return None

    def message(self, chat_id: int, message_id: int) -> SentMessage:
        found = self.messages.get(chat_id, {}).get(message_id)
        if found is None:
            raise KeyError(f"no message {message_id} in chat {chat_id}")
        return found

    def calls_for(self, method: str) -> list[ApiCall]:
        """Recorded calls of a method (case-insensitive), oldest first."""
        wanted = method.lower()
        return [c for c in self.calls if c.method.lower() == wanted]

    def callback_answers(self, callback_query_id: str) -> dict[str, Any] | None:
        """Params of the answerCallbackQuery for that query, if answered."""
        return self.callback_answer_log.get(callback_query_id)

    def inline_answers(self, inline_query_id: str) -> list[dict[str, Any]] | None:
        """Results of the answerInlineQuery for that query, if answered."""
        answer = self.inline_answer_log.get(inline_query_id)
        return None if answer is None else list(answer["results"])

    def file_bytes(self, file_id: str) -> bytes:
        return self.files[file_id].data

    def file_by_path(self, path: str) -> bytes | None:
        for stored in self.files.values():
            if stored.file_path == path:
                return stored.data
        return None

    async def wait_for(
        self,
        predicate: Callable[[], bool],
        timeout: float = 5.0,
        what: str = "",
    ) -> None:
        """Wait until ``predicate()`` is true; re-checked whenever a call or push is recorded."""
        if await self.changed.wait_until(predicate, timeout):
            return
        recent = ", ".join(f"{c.method}{'' if c.ok else '!'}" for c in self.calls[-8:])
        raise TimeoutError(
            f"emulator: {what or getattr(predicate, '__name__', 'condition')} still false after "
            f"{timeout}s; {len(self.calls)} calls so far, last: [{recent}]; "
            f"{len(self.pending)} updates unconfirmed"
        )


__all__ = ["BotApiCore", "ConnectionDropped", "bad_request"]
