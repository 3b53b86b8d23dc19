"""Keeping the demonstrations in step with calendar feeds (syncing), and who hears about it.

A sync fetches the feed (bot.feeds.fetch), reads it in a budgeted child process
(bot.feeds.worker running bot.feeds.parse), and upserts its events by UID into ``demos``
(``source='feed'``). Changes and cancellations go through the demos write path
(``ReminderService.edit_demo``/``cancel_demo``) so reminded chats get the usual notices. A feed
only ever touches its own demonstrations. A failing feed is reported once to the bot
administrators (the one who asked, if any, reads it in the reply instead), then once when it
works again; it is retried at the next interval and never affects other feeds.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Protocol

from telegram import Bot
from telegram.constants import ParseMode

from bot.clock import Clock
from bot.config import Settings, parse_feeds_interval, parse_flag
from bot.feeds.addresses import AddressPolicy
from bot.feeds.errors import FeedError, describe_error
from bot.feeds.export import CalendarExport
from bot.feeds.fetch import FeedFetcher
from bot.feeds.limits import HORIZON, MAX_EVENTS, ParsedFeed
from bot.feeds.worker import Budget, ParseJob, parse_in_worker
from bot.i18n import texts
from bot.i18n.translate import DEFAULT_LANGUAGE, Markup, t
from storage.chats import ChatRepo
from storage.db import Database
from storage.demos import Demo
from storage.feeds import Feed, FeedDemo, FeedRepo

log = logging.getLogger(__name__)

DEFAULT_INTERVAL = timedelta(minutes=30)


class DemoWriter(Protocol):
    """The part of bot.reminders.service.ReminderService that feeds use: the demos write path."""

    async def edit_demo(self, demo: Demo, edit: Any) -> bool: ...

    async def cancel_demo(self, demo: Demo, reason: str | None) -> int: ...

    def poke(self) -> None: ...


@dataclass
class SyncResult:
    feed_id: int
    not_modified: bool = False
    added: int = 0
    updated: int = 0
    cancelled: int = 0
    kept: int = 0
    error: FeedError | None = None
    capped: int | None = None  # the cap, when the feed had more events within the horizon
    unknown_timezone: str | None = None  # said the first time only


@dataclass(frozen=True)
class FeedSettings:
    interval: timedelta = DEFAULT_INTERVAL
    allow_private: bool = False
    budget: Budget = field(default_factory=Budget)  # what reading one feed may cost
    max_events: int = MAX_EVENTS  # per feed and sync

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> FeedSettings:
        """Parsed by bot/config.py (a bad value is a ConfigError, caught by `check`)."""
        env = os.environ if env is None else env
        minutes = parse_feeds_interval(env)
        return cls(
            interval=timedelta(minutes=minutes),
            allow_private=parse_flag(env, "BOT_FEEDS_ALLOW_PRIVATE"),
        )


Notify = Callable[[int, str], Awaitable[None]]  # (chat id, HTML) -> sent


@dataclass
class FeedService:
    """Keeps the demonstrations in step with the subscribed feeds (driven by :meth:`tick`)."""

    repo: FeedRepo
    chats: ChatRepo
    clock: Clock
    default_timezone: str
    admin_ids: frozenset[int]
    notify: Notify
    writer: DemoWriter | None = None
    settings: FeedSettings = field(default_factory=FeedSettings)
    fetcher: FeedFetcher = field(default_factory=FeedFetcher)
    export: CalendarExport = field(default_factory=CalendarExport)
    horizon: timedelta = HORIZON
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    def __post_init__(self) -> None:
        if self.settings.allow_private:
            self.fetcher.policy = AddressPolicy(allow_private=True)

    async def check_new(self, url: str) -> str:
        """The URL /feed add may save (checked, stripped); FeedError if it can never work."""
        return await self.fetcher.check(url)

    async def tick(self) -> list[SyncResult]:
        """Sync every feed that is due now (the repeating job calls this)."""
        results = []
        for feed in await self.repo.due(self.clock.now()):
            results.append(await self.sync(feed.id))
        return results

    async def sync_all(self, *, requested_by: int | None = None) -> list[SyncResult]:
        """Sync every feed now, whatever its schedule (/feed sync)."""
        await self.repo.fetch_now()
        results = []
        for feed in await self.repo.due(self.clock.now()):
            results.append(await self.sync(feed.id, requested_by=requested_by))
        return results

    async def sync(self, feed_id: int, *, requested_by: int | None = None) -> SyncResult:
        """Fetch one feed and apply it; never raises (errors are recorded and reported).

        ``requested_by``: the administrator who asked and reads the outcome in the reply, so
        the alert (failing / works again) goes to the other administrators only.
        """
        async with self._lock:
            feed = await self.repo.get(feed_id)
            if feed is None:
                return SyncResult(feed_id, error=FeedError("http", 404))
            try:
                return await self._sync(feed, requested_by)
            except FeedError as exc:
                await self._failed(feed, exc, requested_by)
                return SyncResult(feed.id, error=exc)
            except Exception as exc:  # a bug or a database error: still never crash the bot
                log.exception("feed %s: unexpected error while syncing", feed.id)
                err = FeedError("invalid")
                err.__cause__ = exc
                await self._failed(feed, err, requested_by)
                return SyncResult(feed.id, error=err)

    async def _parse(self, feed: Feed, body: bytes) -> ParsedFeed:
        job = ParseJob(
            body,
            self.clock.now(),
            self.default_timezone,
            feed.region,
            self.horizon,
            self.settings.max_events,
        )
        return await parse_in_worker(job, self.settings.budget)

    async def _sync(self, feed: Feed, requested_by: int | None) -> SyncResult:
        fetched = await self.fetcher.fetch(
            feed.url, etag=feed.etag, last_modified=feed.last_modified
        )
        result = SyncResult(feed.id, not_modified=fetched.not_modified)
        content_hash = None
        if not fetched.not_modified:
            parsed = await self._parse(feed, fetched.body)
            await self._apply(feed, parsed.events, result)
            result.capped = self.settings.max_events if parsed.capped else None
            await self._warn_timezone(feed, parsed.unknown_timezone, requested_by, result)
            content_hash = hashlib.sha256(fetched.body).hexdigest()
        now = self.clock.now()
        await self.repo.record_success(
            feed.id,
            now,
            now + self.settings.interval,
            etag=fetched.etag,
            last_modified=fetched.last_modified,
            content_hash=content_hash,
        )
        if feed.alerted:
            await self._tell_admins(texts.FEED_ALERT_RECOVERED, feed, skip=requested_by)
        log.info(
            "feed %s synced: not_modified=%s added=%s updated=%s cancelled=%s capped=%s",
            feed.id,
            result.not_modified,
            result.added,
            result.updated,
            result.cancelled,
            result.capped,
        )
        return result

    async def _warn_timezone(
        self, feed: Feed, unknown: str | None, requested_by: int | None, result: SyncResult
    ) -> None:
        """An unknown X-WR-TIMEZONE is said once: in the reply if someone asked, else to all."""
        warned = f"timezone:{unknown}" if unknown is not None else None
        if warned == feed.warned:
            return
        await self.repo.set_warned(feed.id, warned)
        if unknown is None:
            return  # fixed: a later unknown zone will be said again
        result.unknown_timezone = unknown
        if requested_by is None:
            values = {"zone": unknown, "default": self.default_timezone}
            await self._tell_admins(texts.FEED_TIMEZONE_UNKNOWN, feed, values=values)

    async def _apply(self, feed: Feed, events: list[FeedDemo], result: SyncResult) -> None:
        from bot.demos.cards import Edit

        now = self.clock.now()
        existing = await self.repo.demos_by_uid([e.uid for e in events])
        live_feeds = await self.repo.feed_ids()
        seen: set[str] = set()
        changed_schedule = False
        for event in events:
            demo = existing.get(event.uid)
            if demo is None:
                if event.cancelled:
                    continue  # never heard of it, nothing to cancel
                await self.repo.insert_demo(feed.id, event, now)
                result.added += 1
                changed_schedule = True
                seen.add(event.uid)
                continue
            # Never touch a demonstration that is not this feed's (admin-made, another feed's).
            if demo.source != "feed" or (demo.feed_id != feed.id and demo.feed_id in live_feeds):
                log.warning("feed %s: UID of demo %s belongs elsewhere; skipped", feed.id, demo.id)
                continue
            seen.add(event.uid)
            if demo.feed_id != feed.id:
                await self.repo.adopt(demo.id, feed.id, now)
            if event.cancelled:
                if not demo.cancelled:
                    await self._cancel(demo)
                    result.cancelled += 1
                else:
                    result.kept += 1
                continue
            touched = False
            if demo.cancelled:
                await self.repo.reinstate(demo.id, now)
                touched = changed_schedule = True
                demo = await self._reload(demo)
            edits = [
                ("title", event.title, demo.title),
                ("description", event.description, demo.description),
                ("link", event.link, demo.link),
                ("region", event.region, demo.region),
                ("place", event.place, demo.place),
                # A feed that stops naming a zone leaves the venue's zone as it was.
                ("timezone", event.timezone or demo.timezone, demo.timezone),
                ("starts_at", event.starts_at, demo.starts_at),
            ]
            changed = [(column, new) for column, new, old in edits if new != old]
            if changed:
                # Everything but the last change is written quietly; the last one (the time,
                # else the place, else any) goes through the demos write path, which clears
                # the reminder marks and sends one "changed" notice showing the final state.
                *quiet, (column, value) = changed
                if quiet:
                    await self.repo.update_demo(demo.id, now, dict(quiet))
                    demo = await self._reload(demo)
                await self._edit(demo, Edit(column, value))
                touched = True
            if touched:
                result.updated += 1
            else:
                result.kept += 1
        # Upcoming demonstrations this feed brought in that it no longer carries: cancelled.
        for demo in await self.repo.upcoming_of_feed(feed.id, now):
            if demo.uid not in seen:
                await self._cancel(demo)
                result.cancelled += 1
        if changed_schedule and self.writer is not None:
            self.writer.poke()

    async def _reload(self, demo: Demo) -> Demo:
        fresh = (await self.repo.demos_by_uid([demo.uid])).get(demo.uid)
        return fresh or demo

    async def _edit(self, demo: Demo, edit: Any) -> None:
        if self.writer is None:
            raise RuntimeError("feeds need the demos write path (ReminderService)")
        await self.writer.edit_demo(demo, edit)

    async def _cancel(self, demo: Demo) -> None:
        if self.writer is None:
            raise RuntimeError("feeds need the demos write path (ReminderService)")
        await self.writer.cancel_demo(demo, None)

    async def _failed(self, feed: Feed, error: FeedError, requested_by: int | None) -> None:
        now = self.clock.now()
        log.warning("feed %s failed: %s", feed.id, error.kind)
        await self.repo.record_failure(
            feed.id, now, now + self.settings.interval, error.kind, error.status
        )
        if not feed.alerted:
            await self._tell_admins(texts.FEED_ALERT_FAILED, feed, error, skip=requested_by)
            await self.repo.set_alerted(feed.id, True)

    async def _tell_admins(
        self,
        message: str,
        feed: Feed,
        error: FeedError | None = None,
        *,
        skip: int | None = None,
        values: Mapping[str, Any] | None = None,
    ) -> None:
        """Each bot administrator but ``skip``, in the language of their chat with the bot."""
        for admin_id in sorted(self.admin_ids - {skip}):
            chat = await self.chats.get(admin_id)
            if chat is None:
                continue  # they never started the bot: Telegram would refuse anyway
            lang = chat.message_language or DEFAULT_LANGUAGE
            args: dict[str, Any] = {"id": feed.id, "url": feed.url, **(values or {})}
            if error is not None:
                args["error"] = Markup(describe_error(lang, error.kind, error.status))
            try:
                await self.notify(admin_id, t(lang, message, **args))
            except Exception as exc:  # telling admins must never break syncing
                log.warning("could not tell admin about feed %s: %s", feed.id, type(exc).__name__)


def build_feed_service(bot: Bot, db: Database, clock: Clock, settings: Settings) -> FeedService:
    """The FeedService of one Application; admin alerts go straight to the admins' chats."""

    async def notify(chat_id: int, html: str) -> None:
        await bot.send_message(
            chat_id, html, parse_mode=ParseMode.HTML, disable_web_page_preview=True
        )

    return FeedService(
        repo=FeedRepo(db),
        chats=ChatRepo(db),
        clock=clock,
        default_timezone=settings.timezone,
        admin_ids=settings.admin_ids,
        notify=notify,
        settings=FeedSettings.from_env(),
    )
