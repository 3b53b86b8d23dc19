"""Calendar feeds in (.ics over http/https into the demonstrations) and out (/calendar).

Fetching is careful because the URL comes from outside:

* only ``http``/``https``; at most :data:`MAX_REDIRECTS` redirects, each one re-checked;
* the host is resolved and **every** address checked with :mod:`ipaddress` before any
  connection: private, loopback, link-local, shared, multicast, reserved and unspecified
  addresses are refused unless ``BOT_FEEDS_ALLOW_PRIVATE=1``. The same check runs again inside
  the connection itself (a guarded httpcore network backend that connects to the vetted
  address), so a DNS answer that changes between check and connect (rebinding) is refused too;
* a total time limit, conditional requests (ETag / Last-Modified), and a size cap enforced
  while streaming (the download stops as soon as it is exceeded).

Syncing upserts events by UID into ``demos`` (``source='feed'``): recurring events are
expanded over the next :data:`HORIZON` with recurring_ical_events, each occurrence getting a
derived stable UID ``<uid>#<recurrence-id in UTC>``; all-day events start at local midnight;
TZID zones are honoured. Changes and cancellations go through the demos engineer's write path
(``ReminderService.edit_demo``/``cancel_demo``) so reminded chats get the usual notices. A feed
only ever touches its own demonstrations. A failing feed is reported once to the bot
administrators, retried at the next interval, and never affects other feeds.
"""

from __future__ import annotations

import asyncio
import hashlib
import ipaddress
import logging
import os
import re
import socket
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any, Protocol
from urllib.parse import urljoin, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import httpcore
import httpx
import recurring_ical_events
from icalendar import Calendar
from telegram import Bot
from telegram.constants import ParseMode

from bot.clock import Clock
from bot.config import Settings, parse_feeds_interval, parse_flag
from bot.demos import cards
from bot.demos.intake import safe_link
from bot.i18n import texts
from bot.i18n.translate import DEFAULT_LANGUAGE, Markup, format_number, t
from storage.chats import ChatRepo
from storage.db import Database
from storage.demos import Demo
from storage.feeds import Feed, FeedDemo, FeedRepo

log = logging.getLogger(__name__)

DEFAULT_INTERVAL = timedelta(minutes=30)
HORIZON = timedelta(days=90)
MAX_BYTES = 2 * 1024 * 1024
MAX_REDIRECTS = 3
TIMEOUT = 20.0  # seconds for the whole fetch, redirects included
MAX_EVENTS = 1000  # per feed and sync; more is almost certainly a mistake
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
USER_AGENT = "SolidarityBot/0.1 (calendar feed reader)"
# The commands' limits (one set for every way a demonstration enters).
MAX_TITLE, MAX_PLACE, MAX_DESCRIPTION = cards.MAX_TITLE, cards.MAX_PLACE, cards.MAX_DESCRIPTION

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Awaitable[list[str]]]

# Error kinds (stored in feeds.last_error) and the texts that explain them.
ERROR_TEXTS: dict[str, str] = {
    "timeout": texts.FEED_ERR_TIMEOUT,
    "too_large": texts.FEED_ERR_TOO_LARGE,
    "private": texts.FEED_ERR_PRIVATE,
    "scheme": texts.FEED_ERR_SCHEME,
    "redirects": texts.FEED_ERR_REDIRECTS,
    "http": texts.FEED_ERR_HTTP,
    "network": texts.FEED_ERR_NETWORK,
    "invalid": texts.FEED_ERR_INVALID,
}


class FeedError(Exception):
    """A feed could not be fetched or read; ``kind`` is one of :data:`ERROR_TEXTS`."""

    def __init__(self, kind: str, status: int | None = None) -> None:
        super().__init__(kind if status is None else f"{kind} {status}")
        self.kind = kind
        self.status = status


def describe_error(lang: str | None, kind: str, status: int | None = None) -> str:
    """The error kind as a short phrase in lang (plain text, already escaped by t())."""
    message = ERROR_TEXTS.get(kind, texts.FEED_ERR_NETWORK)
    if kind == "too_large":
        return t(lang, message, limit=f"{format_number(MAX_BYTES // (1024 * 1024), lang)} MB")
    if kind == "http":
        return t(lang, message, status=status or 0)
    return t(lang, message)


# --- addresses ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class AddressPolicy:
    """Which addresses a feed may point to: public ones, plus whatever is allowed here."""

    allow_private: bool = False
    allow_networks: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = ()

    def allows(self, ip: IPAddress) -> bool:
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        if self.allow_private:
            return True
        if any(ip in net for net in self.allow_networks):
            return True
        return ip.is_global and not (
            ip.is_private
            or ip.is_loopback
            or ip.is_link_local
            or ip.is_multicast
            or ip.is_reserved
            or ip.is_unspecified
        )


async def system_resolver(host: str, port: int) -> list[str]:
    """Every address the host resolves to (A and AAAA)."""
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


async def vetted_addresses(
    host: str, port: int, policy: AddressPolicy, resolver: Resolver
) -> list[str]:
    """Resolve host and check every address; FeedError('private') if any is not allowed."""
    host = host.strip("[]")
    try:
        literal: IPAddress | None = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if literal is not None:
        addresses = [str(literal)]
    else:
        try:
            addresses = await resolver(host, port)
        except (OSError, UnicodeError) as exc:
            raise FeedError("network") from exc
    if not addresses:
        raise FeedError("network")
    for address in addresses:
        try:
            ip = ipaddress.ip_address(address.split("%", 1)[0])
        except ValueError as exc:
            raise FeedError("network") from exc
        if not policy.allows(ip):
            raise FeedError("private")
    return addresses


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """Connects only to vetted addresses, checked again at connect time (DNS rebinding)."""

    def __init__(
        self,
        policy: AddressPolicy,
        resolver: Resolver,
        on_connect: Callable[[str, int], None] | None = None,
    ) -> None:
        self.policy = policy
        self.resolver = resolver
        self.on_connect = on_connect
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        try:
            addresses = await vetted_addresses(host, port, self.policy, self.resolver)
        except FeedError as exc:
            raise httpcore.ConnectError(f"refused: {exc.kind}") from exc
        if self.on_connect is not None:
            self.on_connect(addresses[0], port)
        return await self._inner.connect_tcp(
            addresses[0], port, timeout, local_address, socket_options
        )

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("unix sockets are not allowed")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


def _guarded_transport(backend: GuardedBackend) -> httpx.AsyncHTTPTransport:
    transport = httpx.AsyncHTTPTransport(trust_env=False, retries=0)
    # httpx has no public hook for the network backend; the pool is the documented httpcore
    # AsyncConnectionPool, rebuilt here with the guard (httpx is pinned <0.29 in pyproject).
    transport._pool = httpcore.AsyncConnectionPool(
        ssl_context=httpx.create_ssl_context(),
        max_connections=10,
        max_keepalive_connections=0,
        network_backend=backend,
    )
    return transport


# --- fetching ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class FetchResult:
    not_modified: bool
    body: bytes
    etag: str | None
    last_modified: str | None
    url: str  # the final URL after redirects


def check_url(url: str) -> str:
    """Scheme and host check of a feed URL; returns it stripped or raises FeedError."""
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError as exc:
        raise FeedError("scheme") from exc
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise FeedError("scheme")
    if parts.username or parts.password:
        raise FeedError("scheme")
    return url


def _refusal_kind(exc: BaseException) -> str | None:
    """The FeedError kind behind a connection the guarded backend refused, if any."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, FeedError):
            return current.kind
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


class FeedFetcher:
    """Downloads one feed under the safety rules above."""

    def __init__(
        self,
        *,
        policy: AddressPolicy | None = None,
        resolver: Resolver = system_resolver,
        timeout: float = TIMEOUT,
        max_bytes: int = MAX_BYTES,
        max_redirects: int = MAX_REDIRECTS,
        on_connect: Callable[[str, int], None] | None = None,
    ) -> None:
        self.policy = policy or AddressPolicy()
        self.resolver = resolver
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.max_redirects = max_redirects
        self.on_connect = on_connect

    async def fetch(
        self, url: str, *, etag: str | None = None, last_modified: str | None = None
    ) -> FetchResult:
        try:
            async with asyncio.timeout(self.timeout):
                return await self._fetch(url, etag, last_modified)
        except TimeoutError as exc:
            raise FeedError("timeout") from exc
        except httpx.TimeoutException as exc:
            raise FeedError("timeout") from exc
        except httpx.HTTPError as exc:
            raise FeedError(_refusal_kind(exc) or "network") from exc
        except OSError as exc:
            raise FeedError("network") from exc

    async def _fetch(self, url: str, etag: str | None, last_modified: str | None) -> FetchResult:
        backend = GuardedBackend(self.policy, self.resolver, self.on_connect)
        headers = {"User-Agent": USER_AGENT, "Accept": "text/calendar, */*;q=0.5"}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        timeout = httpx.Timeout(self.timeout)
        async with httpx.AsyncClient(
            transport=_guarded_transport(backend),
            follow_redirects=False,
            timeout=timeout,
            trust_env=False,
            headers=headers,
        ) as client:
            current = check_url(url)
            for _hop in range(self.max_redirects + 1):
                parts = urlsplit(current)
                port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
                # Before any connection: every address of the host must be allowed.
                await vetted_addresses(parts.hostname or "", port, self.policy, self.resolver)
                async with client.stream("GET", current) as response:
                    if response.status_code == 304:
                        return FetchResult(True, b"", etag, last_modified, current)
                    if response.status_code in _REDIRECTS:
                        location = response.headers.get("location")
                        if not location:
                            raise FeedError("http", response.status_code)
                        current = check_url(urljoin(current, location))
                        continue
                    if response.status_code != 200:
                        raise FeedError("http", response.status_code)
                    body = await self._read_capped(response)
                    return FetchResult(
                        False,
                        body,
                        response.headers.get("etag"),
                        response.headers.get("last-modified"),
                        current,
                    )
            raise FeedError("redirects")

    async def _read_capped(self, response: httpx.Response) -> bytes:
        declared = response.headers.get("content-length")
        if (
            declared
            and declared.isascii()
            and declared.isdigit()
            and int(declared) > self.max_bytes
        ):
            raise FeedError("too_large")
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > self.max_bytes:
                raise FeedError("too_large")  # leaving the stream closes the connection
            chunks.append(chunk)
        return b"".join(chunks)


# --- parsing -----------------------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _text(value: Any, limit: int, *, multiline: bool = False) -> str:
    raw = _CONTROL.sub("", str(value or ""))
    if multiline:
        cleaned = "\n".join(" ".join(line.split()) for line in raw.strip().splitlines()).strip()
    else:
        cleaned = " ".join(raw.split())
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 1].rstrip() + "…"


def _link(value: Any) -> str | None:
    """The event's URL if it passes the rule every entrance shares (http/https/tg, no spaces);
    else the event is kept without it."""
    return safe_link(value)


def _zone(name: str | None, default: tzinfo) -> tzinfo:
    if not name:
        return default
    try:
        return ZoneInfo(str(name))
    except (ZoneInfoNotFoundError, ValueError):
        return default


def _utc(value: date | datetime, zone: tzinfo) -> datetime:
    if isinstance(value, datetime):
        local = value if value.tzinfo is not None else value.replace(tzinfo=zone)
        return local.astimezone(UTC)
    return datetime.combine(value, time(0, 0), tzinfo=zone).astimezone(UTC)


def _stamp(value: date | datetime, zone: tzinfo) -> str:
    if isinstance(value, datetime):
        return _utc(value, zone).strftime("%Y%m%dT%H%M%SZ")
    return value.strftime("%Y%m%d")


def parse_feed(
    data: bytes,
    *,
    now: datetime,
    default_timezone: str,
    region: str | None = None,
    horizon: timedelta = HORIZON,
) -> list[FeedDemo]:
    """The events of an iCalendar file that start within (now, now + horizon].

    Raises FeedError('invalid') for anything that is not a readable VCALENDAR.
    """
    if b"BEGIN:VCALENDAR" not in data[:4096].upper():
        raise FeedError("invalid")
    try:
        calendar = Calendar.from_ical(data)
    except Exception as exc:  # icalendar raises ValueError and friends on bad input
        raise FeedError("invalid") from exc
    if not isinstance(calendar, Calendar) or calendar.name != "VCALENDAR":
        raise FeedError("invalid")
    zone = _zone(calendar.get("X-WR-TIMEZONE"), _zone(default_timezone, UTC))
    recurring = {
        str(c.get("UID"))
        for c in calendar.walk("VEVENT")
        if c.get("RRULE") or c.get("RDATE") or c.get("RECURRENCE-ID")
    }
    try:
        occurrences = recurring_ical_events.of(calendar).between(now, now + horizon)
    except Exception as exc:
        raise FeedError("invalid") from exc
    events: dict[str, FeedDemo] = {}
    for occurrence in occurrences:
        start_prop = occurrence.get("DTSTART")
        if start_prop is None:
            continue
        starts_at = _utc(start_prop.dt, zone)
        if starts_at <= now:
            continue
        title = _text(occurrence.get("SUMMARY"), MAX_TITLE)
        if not title:
            continue
        raw_uid = str(occurrence.get("UID") or "").strip()
        if not raw_uid:
            # No UID: derive a stable one from what identifies the event.
            digest = hashlib.sha256(f"{title}|{starts_at.isoformat()}".encode()).hexdigest()
            raw_uid = f"{digest[:32]}@feed"
        uid = raw_uid
        if raw_uid in recurring:
            rid = occurrence.get("RECURRENCE-ID")
            uid = f"{raw_uid}#{_stamp(rid.dt if rid is not None else start_prop.dt, zone)}"
        events[uid[:400]] = FeedDemo(
            uid=uid[:400],
            starts_at=starts_at,
            title=title,
            place=_text(occurrence.get("LOCATION"), MAX_PLACE),
            description=_text(occurrence.get("DESCRIPTION"), MAX_DESCRIPTION, multiline=True),
            link=_link(occurrence.get("URL")),
            region=region.casefold() if region else None,
            cancelled=str(occurrence.get("STATUS") or "").upper() == "CANCELLED",
        )
        if len(events) >= MAX_EVENTS:
            log.warning(
                "feed has more than %s events in the horizon; ignoring the rest", MAX_EVENTS
            )
            break
    return list(events.values())


# --- the calendar file (/calendar) -------------------------------------------------------------


def calendar_ics(demos: Sequence[Demo], now: datetime, name: str) -> bytes:
    """One VCALENDAR with every demo, built from bot.demos.ics's own single-event export."""
    from bot.demos.ics import PRODID, demo_ics

    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    for demo in demos:
        single = Calendar.from_ical(demo_ics(demo, now))
        for event in single.walk("VEVENT"):
            cal.add_component(event)
    data: bytes = cal.to_ical()
    return data


# --- syncing -----------------------------------------------------------------------------------


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


@dataclass(frozen=True)
class FeedSettings:
    interval: timedelta = DEFAULT_INTERVAL
    allow_private: bool = False

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
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    def __post_init__(self) -> None:
        if self.settings.allow_private:
            self.fetcher.policy = AddressPolicy(allow_private=True)

    async def tick(self) -> list[SyncResult]:
        """Sync every feed that is due now (the repeating job calls this)."""
        results = []
        for feed in await self.repo.due(self.clock.now()):
            results.append(await self.sync(feed.id))
        return results

    async def sync_all(self) -> list[SyncResult]:
        """Sync every feed now, whatever its schedule (/feed sync)."""
        await self.repo.fetch_now()
        return await self.tick()

    async def sync(self, feed_id: int) -> SyncResult:
        """Fetch one feed and apply it; never raises (errors are recorded and reported)."""
        async with self._lock:
            feed = await self.repo.get(feed_id)
            if feed is None:
                return SyncResult(feed_id, error=FeedError("http", 404))
            try:
                return await self._sync(feed)
            except FeedError as exc:
                await self._failed(feed, exc)
                return SyncResult(feed.id, error=exc)
            except Exception as exc:  # a bug or a database error: still never crash the bot
                log.exception("feed %s: unexpected error while syncing", feed.id)
                err = FeedError("invalid")
                err.__cause__ = exc
                await self._failed(feed, err)
                return SyncResult(feed.id, error=err)

    async def _sync(self, feed: Feed) -> SyncResult:
        fetched = await self.fetcher.fetch(
            feed.url, etag=feed.etag, last_modified=feed.last_modified
        )
        now = self.clock.now()
        next_at = now + self.settings.interval
        result = SyncResult(feed.id)
        if fetched.not_modified:
            result.not_modified = True
            await self.repo.record_success(
                feed.id,
                now,
                next_at,
                etag=fetched.etag,
                last_modified=fetched.last_modified,
                content_hash=None,
            )
        else:
            events = parse_feed(
                fetched.body,
                now=now,
                default_timezone=self.default_timezone,
                region=feed.region,
            )
            await self._apply(feed, events, result)
            await self.repo.record_success(
                feed.id,
                now,
                next_at,
                etag=fetched.etag,
                last_modified=fetched.last_modified,
                content_hash=hashlib.sha256(fetched.body).hexdigest(),
            )
        if feed.alerted:
            await self._tell_admins(texts.FEED_ALERT_RECOVERED, feed)
        log.info(
            "feed %s synced: not_modified=%s added=%s updated=%s cancelled=%s",
            feed.id,
            result.not_modified,
            result.added,
            result.updated,
            result.cancelled,
        )
        return result

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

    async def _failed(self, feed: Feed, error: FeedError) -> None:
        now = self.clock.now()
        log.warning("feed %s failed: %s", feed.id, error)
        await self.repo.record_failure(
            feed.id, now, now + self.settings.interval, error.kind, error.status
        )
        if not feed.alerted:
            await self._tell_admins(texts.FEED_ALERT_FAILED, feed, error)
            await self.repo.set_alerted(feed.id, True)

    async def _tell_admins(self, message: str, feed: Feed, error: FeedError | None = None) -> None:
        """Each bot administrator, in the language of their chat with the bot."""
        for admin_id in sorted(self.admin_ids):
            chat = await self.chats.get(admin_id)
            if chat is None:
                continue  # they never started the bot: Telegram would refuse anyway
            lang = chat.message_language or DEFAULT_LANGUAGE
            values: dict[str, Any] = {"id": feed.id, "url": feed.url}
            if error is not None:
                values["error"] = Markup(describe_error(lang, error.kind, error.status))
            try:
                await self.notify(admin_id, t(lang, message, **values))
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
