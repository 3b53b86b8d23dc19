"""What reminders and change notices say, built per chat at send time (zone and language)."""

from __future__ import annotations

import time
from typing import Any

import aiosqlite

from bot.broadcast.delivery import Outgoing, Target
from bot.clock import Clock
from bot.demos.cards import (
    cancelled_notice,
    demo_keyboard,
    lead_phrase,
    render_card,
    when_text,
)
from bot.demos.timeparse import due_at
from bot.i18n import texts
from bot.i18n.translate import DEFAULT_LANGUAGE, t, tn
from bot.reminders.fanout import (
    DIGEST_KIND,
    ON_TIME,
    REMINDER_KIND,
    REMINDER_PRIORITY,
    OutboxPort,
)
from bot.reminders.schedule import Schedule
from storage.chats import Chat
from storage.demos import Demo, DemoRepo

NOTICE_KIND = "demo_notice"
_CACHE_SECONDS = 2.0


async def queue_notice(
    outbox: OutboxPort,
    conn: aiosqlite.Connection,
    demo_id: int,
    change: str,
    targets: list[tuple[int, int | None]],
) -> None:
    """A demo moved or was cancelled: tell these (chat, thread)s, inside the caller's
    transaction."""
    await outbox.enqueue_in(
        conn,
        kind=NOTICE_KIND,
        payload={"demo_id": demo_id, "change": change},
        targets=[Target(chat_id, thread) for chat_id, thread in targets],
        priority=REMINDER_PRIORITY,
    )


class Cards:
    """Renders reminders and notices; caches a demo and its RSVP count for a moment, since a
    fan-out renders the same demo for thousands of chats."""

    def __init__(
        self, *, demos: DemoRepo, schedule: Schedule, clock: Clock, outbox: OutboxPort
    ) -> None:
        self.demos = demos
        self.schedule = schedule
        self.clock = clock
        self._demo_cache: dict[int, tuple[float, Demo | None]] = {}
        self._count_cache: dict[int, tuple[float, int]] = {}
        outbox.register_renderer(REMINDER_KIND, self.render_reminder)
        outbox.register_renderer(NOTICE_KIND, self.render_notice)
        outbox.register_renderer(DIGEST_KIND, self.render_digest)

    def forget(self, demo_id: int) -> None:
        self._demo_cache.pop(demo_id, None)
        self._count_cache.pop(demo_id, None)

    def forget_count(self, demo_id: int) -> None:
        self._count_cache.pop(demo_id, None)

    async def demo(self, demo_id: int) -> Demo | None:
        hit = self._demo_cache.get(demo_id)
        if hit is not None and time.monotonic() - hit[0] < _CACHE_SECONDS:
            return hit[1]
        demo = await self.demos.get(demo_id)
        if len(self._demo_cache) > 1000:
            self._demo_cache.clear()
        self._demo_cache[demo_id] = (time.monotonic(), demo)
        return demo

    async def rsvp_count(self, demo_id: int) -> int:
        hit = self._count_cache.get(demo_id)
        if hit is not None and time.monotonic() - hit[0] < _CACHE_SECONDS:
            return hit[1]
        count = await self.demos.rsvp_count(demo_id)
        if len(self._count_cache) > 1000:
            self._count_cache.clear()
        self._count_cache[demo_id] = (time.monotonic(), count)
        return count

    async def render_reminder(self, payload: dict[str, Any], chat: Chat) -> Outgoing | None:
        """A reminder in the chat's zone and language; details only for private RSVPs."""
        demo = await self.demo(int(payload["demo_id"]))
        now = self.clock.now()
        if demo is None or demo.cancelled or demo.starts_at <= now:
            return None
        lang = chat.message_language or DEFAULT_LANGUAGE
        tz = self.schedule.zone(chat.timezone)
        lead = int(payload.get("lead", 0))
        if now - due_at(demo.starts_at, lead, tz) > ON_TIME:
            left = int((demo.starts_at - now).total_seconds() // 60)
            lead = max(5, left - left % 5) if left >= 5 else max(1, left)
        details = chat.kind == "private" and await self.demos.has_rsvp(demo.id, chat.chat_id)
        header = t(lang, texts.REMINDER_HEADER, lead=lead_phrase(lang, lead))
        body = render_card(demo, lang, tz, details=details)
        count = await self.rsvp_count(demo.id)
        return Outgoing(html=f"{header}\n\n{body}", reply_markup=demo_keyboard(demo, lang, count))

    async def render_notice(self, payload: dict[str, Any], chat: Chat) -> Outgoing | None:
        demo = await self.demo(int(payload["demo_id"]))
        if demo is None:
            return None
        lang = chat.message_language or DEFAULT_LANGUAGE
        tz = self.schedule.zone(chat.timezone)
        if payload.get("change") == "cancelled":
            return Outgoing(html=cancelled_notice(demo, tz, lang))
        when = when_text(demo, tz, lang)
        if demo.cancelled:
            return None
        html = t(lang, texts.NOTICE_MOVED, title=demo.title, when=when, place=demo.place)
        count = await self.rsvp_count(demo.id)
        return Outgoing(html=html, reply_markup=demo_keyboard(demo, lang, count))

    async def render_digest(self, payload: dict[str, Any], chat: Chat) -> Outgoing | None:
        """Instead of reminders beyond the hourly cap: how many more, and where to see them."""
        n = int(payload.get("count", 0))
        if n <= 0:
            return None
        lang = chat.message_language or DEFAULT_LANGUAGE
        return Outgoing(html=tn(lang, texts.REMINDER_DIGEST, texts.REMINDER_DIGEST_PLURAL, n))
