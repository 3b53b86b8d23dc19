"""Calendar feeds that cannot hurt the bot: budgets, caps, bombs, odd data, bad addresses.

Feeds are served from 127.0.0.1 only (tests/feedserver.py); the bot is the real Application on
the fake Bot API. The responsiveness test measures wall time on purpose: it is the claim.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import random
import socket
import time
import tracemalloc
import zlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.feeds.addresses import AddressPolicy, is_public
from bot.feeds.errors import FeedError
from bot.feeds.fetch import FeedFetcher
from bot.feeds.parse import parse_feed
from bot.feeds.service import FeedSettings
from bot.feeds.worker import Budget, ParseJob, parse_in_worker
from tests.feedserver import FeedServer, Route, vcalendar, vevent
from tests.harness import ADMIN_ID, OTHER_ID, USER_ID, BotHarness, texts_of

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
LOOPBACK_ONLY = AddressPolicy(allow_networks=(ipaddress.ip_network("127.0.0.0/8"),))
MINUTELY = vcalendar(
    vevent("every@x", ":20261121T120100Z", "Every minute", extra="RRULE:FREQ=MINUTELY")
)
SECONDLY = vcalendar(
    vevent("every@x", ":20261121T120001Z", "Every second", extra="RRULE:FREQ=SECONDLY")
)
NEVER_ENDING = vcalendar(  # no 30 February: the rule searches for ever
    vevent(
        "never@x", ":20261121T120100Z", "Never", extra="RRULE:FREQ=SECONDLY;BYMONTH=2;BYMONTHDAY=30"
    )
)


@pytest.fixture
async def bot(harness: BotHarness, server: FeedServer) -> BotHarness:
    harness.services.feeds.fetcher.policy = LOOPBACK_ONLY
    await harness.send(ADMIN_ID, ADMIN_ID, "/start")
    return harness


@pytest.fixture
async def two_admins(tmp_path: Path, server: FeedServer) -> AsyncIterator[BotHarness]:
    h = BotHarness(db_path=tmp_path / "bot.sqlite3", admin_ids=frozenset({ADMIN_ID, OTHER_ID}))
    await h.start()
    try:
        h.services.feeds.fetcher.policy = LOOPBACK_ONLY
        await h.send(ADMIN_ID, ADMIN_ID, "/start")
        await h.send(OTHER_ID, OTHER_ID, "/start")
        yield h
    finally:
        await h.close()


async def _upcoming(h: BotHarness) -> int:
    cur = await h.services.db.conn.execute("SELECT count(*) FROM demos WHERE source = 'feed'")
    row = await cur.fetchone()
    return int(row[0]) if row else 0


# --- 1. off the event loop, under a budget -----------------------------------------------------


async def test_start_answered_within_200ms_while_minutely_feed_syncs(
    bot: BotHarness, server: FeedServer
) -> None:
    server.routes["/every.ics"] = Route(body=MINUTELY)
    await bot.send(USER_ID, USER_ID, "/start")  # a first /start has first-time costs of its own
    add = bot.core.push_message(ADMIN_ID, ADMIN_ID, f"/feed add {server.url('/every.ics')}")
    await bot.core.wait_for(lambda: server.hits("/every.ics") == 1, what="the feed fetched")
    latencies: list[float] = []
    while int(add["update_id"]) not in bot.tracker.done_ids:
        started = time.monotonic()
        await bot.send(USER_ID, USER_ID, "/start")
        latencies.append(time.monotonic() - started)
        await asyncio.sleep(0.05)
    await bot.processed(add, timeout=60)
    assert latencies, "the sync ended before a /start could be sent"
    assert max(latencies) < 0.2, latencies
    replies = texts_of(bot, ADMIN_ID)
    assert replies[-1] == (
        "Feed 1: 1000 new, 0 changed, 0 cancelled, 0 unchanged.\n"
        "Feed 1: only its first 1000 events are taken (the limit per feed); "
        "it has more in the next 90 days."
    )
    assert await _upcoming(bot) == 1000


async def test_feed_over_cpu_budget_refused_with_reason(
    bot: BotHarness, server: FeedServer
) -> None:
    bot.services.feeds.settings = FeedSettings(budget=Budget(cpu_seconds=1))
    server.routes["/never.ics"] = Route(body=NEVER_ENDING)
    started = time.monotonic()
    add = bot.core.push_message(ADMIN_ID, ADMIN_ID, f"/feed add {server.url('/never.ics')}")
    await bot.processed(add, timeout=60)
    assert time.monotonic() - started < 30
    assert texts_of(bot, ADMIN_ID)[-1] == (
        "Feed 1 could not be fetched: reading the file took more than 1 s of processing; "
        "ask its publisher for a smaller feed (fewer events or repeats)"
    )
    assert await _upcoming(bot) == 0
    # The worker is fine afterwards: the next feed is read as usual.
    bot.services.feeds.settings = FeedSettings()
    server.routes["/one.ics"] = Route(body=vcalendar(vevent("a@x", ":20261205T140000Z", "March")))
    await bot.send(ADMIN_ID, ADMIN_ID, f"/feed add {server.url('/one.ics')}")
    assert texts_of(bot, ADMIN_ID)[-1] == "Feed 2: 1 new, 0 changed, 0 cancelled, 0 unchanged."


async def test_worker_memory_budget() -> None:
    data = vcalendar(
        *(vevent(f"e{i}@x", f":202612{1 + i % 28:02d}T120000Z", "E") for i in range(600))
    )
    with pytest.raises(FeedError) as err:
        await parse_in_worker(ParseJob(data, NOW, "UTC"), Budget(memory_mb=1))
    assert (err.value.kind, err.value.status) == ("memory", 1)
    parsed = await parse_in_worker(ParseJob(data, NOW, "UTC"), Budget())
    assert len(parsed.events) == 600


async def test_worker_cpu_budget_and_bad_file() -> None:
    with pytest.raises(FeedError) as err:
        await parse_in_worker(ParseJob(NEVER_ENDING, NOW, "UTC"), Budget(cpu_seconds=1))
    assert (err.value.kind, err.value.status) == ("cpu", 1)
    with pytest.raises(FeedError) as err:
        await parse_in_worker(ParseJob(b"BEGIN:VCALENDAR\r\nnonsense", NOW, "UTC"), Budget())
    assert err.value.kind == "invalid"


# --- 2. lazy expansion, the per-feed cap -------------------------------------------------------


@pytest.mark.parametrize("data", [MINUTELY, SECONDLY])
def test_repeats_expanded_lazily_up_to_the_cap(data: bytes) -> None:
    started = time.process_time()
    parsed = parse_feed(data, now=NOW, default_timezone="UTC")
    assert time.process_time() - started < 5  # the whole 90 days would be 130,000 / 7.8 million
    assert len(parsed.events) == 1000 and parsed.capped
    starts = [e.starts_at for e in parsed.events]
    assert starts == sorted(starts) and starts[0] > NOW
    step = timedelta(minutes=1) if data is MINUTELY else timedelta(seconds=1)
    assert starts[-1] - starts[0] == 999 * step


def test_horizon_comes_before_the_cap() -> None:
    weekly = vcalendar(vevent("w@x", ":20261128T140000Z", "Weekly", extra="RRULE:FREQ=WEEKLY"))
    parsed = parse_feed(weekly, now=NOW, default_timezone="UTC")
    assert len(parsed.events) == 12 and not parsed.capped  # 28 Nov to 13 Feb
    exact = vcalendar(vevent("d@x", ":20261122T140000Z", "Daily", extra="RRULE:FREQ=DAILY;COUNT=5"))
    parsed = parse_feed(exact, now=NOW, default_timezone="UTC", max_events=5)
    assert len(parsed.events) == 5 and not parsed.capped  # exactly the cap is not over it


def test_cap_keeps_the_earliest_events_whatever_the_file_order() -> None:
    events = [
        vevent(f"e{i}@x", (NOW + timedelta(hours=i + 1)).strftime(":%Y%m%dT%H%M%SZ"), f"E{i}")
        for i in range(300)
    ]
    random.Random(13).shuffle(events)
    repeating = vevent(
        "r@x", ":20261121T123000Z", "Every 2 h", extra="RRULE:FREQ=HOURLY;INTERVAL=2"
    )
    parsed = parse_feed(
        vcalendar(*events, repeating), now=NOW, default_timezone="UTC", max_events=30
    )
    assert parsed.capped and len(parsed.events) == 30
    starts = [e.starts_at for e in parsed.events]
    assert starts == sorted(starts)
    # 20 single events (every hour) and 10 repeats (every two hours, at half past) in 20 hours.
    assert sum(e.uid.startswith("r@x#") for e in parsed.events) == 10
    assert max(starts) == NOW + timedelta(hours=20)


def test_event_at_a_window_boundary_is_not_lost() -> None:
    # No DTEND: a zero-length event exactly one hour after now (the first window's end).
    data = vcalendar(
        vevent("b@x", ":20261121T130000Z", "Boundary", extra="RRULE:FREQ=HOURLY;COUNT=3")
    )
    starts = [e.starts_at for e in parse_feed(data, now=NOW, default_timezone="UTC").events]
    assert starts == [NOW + timedelta(hours=h) for h in (1, 2, 3)]


# --- 3. the decompressed size, capped while streaming ------------------------------------------


def _gzip_bomb(unpacked: int) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)  # 31: a gzip wrapper
    zeros = bytes(1024 * 1024)
    parts = [packer.compress(b"BEGIN:VCALENDAR\r\nX-PAD:")]
    parts.extend(packer.compress(zeros) for _ in range(unpacked // len(zeros)))
    parts.append(packer.flush())
    return b"".join(parts)


async def test_gzip_bomb_refused_with_memory_under_the_cap(server: FeedServer) -> None:
    bomb = _gzip_bomb(256 * 1024 * 1024)  # about 250 KB that would unpack to 256 MB
    assert len(bomb) < 300 * 1024
    server.routes["/bomb.ics"] = Route(body=bomb, headers={"Content-Encoding": "gzip"})
    fetcher = FeedFetcher(policy=LOOPBACK_ONLY, max_bytes=2 * 1024 * 1024)
    tracemalloc.start()
    try:
        with pytest.raises(FeedError) as err:
            await fetcher.fetch(server.url("/bomb.ics"))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert err.value.kind == "too_large"
    # The cap (2 MB) plus the body being served and read; inflating whole chunks peaks at 64 MB+.
    assert peak < 6 * 1024 * 1024, f"peak {peak / 1e6:.1f} MB"


@pytest.mark.parametrize("encoding", ["gzip", "x-gzip", "deflate", "identity", ""])
async def test_compressed_feeds_read(server: FeedServer, encoding: str) -> None:
    body = vcalendar(vevent("a@x", ":20261205T140000Z", "March"))
    packed = {
        "gzip": zlib.compressobj(6, zlib.DEFLATED, 31),
        "x-gzip": zlib.compressobj(6, zlib.DEFLATED, 31),
        "deflate": zlib.compressobj(),
    }.get(encoding)
    wire = packed.compress(body) + packed.flush() if packed else body
    headers = {"Content-Encoding": encoding} if encoding else {}
    server.routes["/a.ics"] = Route(body=wire, headers=headers)
    result = await FeedFetcher(policy=LOOPBACK_ONLY).fetch(server.url("/a.ics"))
    assert result.body == body
    assert server.requests[-1][1]["accept-encoding"] == "gzip, deflate"


async def test_unknown_or_broken_encoding_refused(server: FeedServer) -> None:
    server.routes["/br.ics"] = Route(body=b"\x0b\x02\x80", headers={"Content-Encoding": "br"})
    with pytest.raises(FeedError) as err:
        await FeedFetcher(policy=LOOPBACK_ONLY).fetch(server.url("/br.ics"))
    assert err.value.kind == "encoding"
    whole = zlib.compressobj(6, zlib.DEFLATED, 31)
    cut = (whole.compress(MINUTELY) + whole.flush())[:-12]
    server.routes["/cut.ics"] = Route(body=cut, headers={"Content-Encoding": "gzip"})
    with pytest.raises(FeedError) as err:
        await FeedFetcher(policy=LOOPBACK_ONLY).fetch(server.url("/cut.ics"))
    assert err.value.kind == "invalid"


# --- 5. /calendar and each demo's .ics cached until a demo changes -----------------------------


async def test_calendar_twice_costs_one_render(bot: BotHarness, server: FeedServer) -> None:
    server.routes["/demos.ics"] = Route(
        body=vcalendar(
            vevent("a@x", ":20261205T140000Z", "March"), vevent("b@x", ":20261206T140000Z", "Vigil")
        )
    )
    await bot.send(ADMIN_ID, ADMIN_ID, f"/feed add {server.url('/demos.ics')}")
    export = bot.services.feeds.export
    await bot.send(USER_ID, USER_ID, "/calendar")
    await bot.send(USER_ID, USER_ID, "/calendar")
    first, second = bot.replies(USER_ID)[-2:]
    assert export.renders == 1
    assert first.files[0].data == second.files[0].data
    # A demonstration changes: the next /calendar is rendered again, once.
    server.routes["/demos.ics"] = Route(
        body=vcalendar(
            vevent("a@x", ":20261205T150000Z", "March"), vevent("b@x", ":20261206T140000Z", "Vigil")
        )
    )
    await bot.send(ADMIN_ID, ADMIN_ID, "/feed sync")
    await bot.send(USER_ID, USER_ID, "/calendar")
    await bot.send(USER_ID, USER_ID, "/calendar")
    assert export.renders == 2
    assert b"DTSTART:20261205T150000Z" in bot.last(USER_ID).files[0].data
    # Time passes until the first one has begun: it leaves the file, which is rendered anew.
    bot.clock.set(datetime(2026, 12, 5, 15, 30, tzinfo=UTC))
    await bot.send(USER_ID, USER_ID, "/calendar")
    assert export.renders == 3
    assert b"a@x" not in bot.last(USER_ID).files[0].data


async def test_demo_ics_cached_until_the_demo_changes(bot: BotHarness) -> None:
    from dataclasses import replace

    from storage.demos import DemoRepo, NewDemo

    repo = DemoRepo(bot.services.db)
    demo_id = await repo.add(NewDemo(NOW + timedelta(days=3), "Square", "March"), NOW)
    demo = await repo.get(demo_id)
    assert demo is not None
    export = bot.services.feeds.export
    first = export.demo_file(demo, NOW)
    assert export.demo_file(demo, NOW + timedelta(hours=1)) is first
    moved = export.demo_file(replace(demo, place="Park"), NOW + timedelta(hours=1))
    assert moved is not first and b"LOCATION:Park" in moved


# --- 6. odd but legal data, bad addresses, reporting once --------------------------------------


def test_repeated_properties_take_the_first_value() -> None:
    data = vcalendar(
        vevent(
            "first@x",
            ":20261205T140000Z",
            "x",
            location="Square",
            extra="SUMMARY:y\nLOCATION:Park\nURL:https://a.example/1\nURL:https://b.example/2\n"
            "STATUS:CONFIRMED\nSTATUS:CANCELLED\nUID:second@x\nDESCRIPTION:one\nDESCRIPTION:two",
        )
    )
    [event] = parse_feed(data, now=NOW, default_timezone="UTC").events
    assert (event.title, event.place, event.link) == ("x", "Square", "https://a.example/1")
    assert (event.uid, event.description, event.cancelled) == ("first@x", "one", False)


def test_unknown_x_wr_timezone_falls_back_to_the_bots_zone() -> None:
    body = vcalendar(
        vevent("f@x", ":20261206T140000", "Floating"), vevent("u@x", ":20261206T140000Z", "UTC")
    )
    data = body.replace(b"VERSION:2.0\r\n", b"VERSION:2.0\r\nX-WR-TIMEZONE:Mars/Olympus_Mons\r\n")
    parsed = parse_feed(data, now=NOW, default_timezone="Europe/Paris")
    assert parsed.unknown_timezone == "Mars/Olympus_Mons"
    starts = {e.uid: e.starts_at for e in parsed.events}
    assert starts["f@x"] == datetime(2026, 12, 6, 13, 0, tzinfo=UTC)  # 14:00 in Paris
    assert starts["u@x"] == datetime(2026, 12, 6, 14, 0, tzinfo=UTC)
    known = data.replace(b"Mars/Olympus_Mons", b"Europe/Kyiv")
    parsed = parse_feed(known, now=NOW, default_timezone="Europe/Paris")
    assert parsed.unknown_timezone is None
    assert {e.uid: e.starts_at for e in parsed.events}["f@x"] == datetime(
        2026, 12, 6, 12, 0, tzinfo=UTC
    )


async def test_unknown_timezone_said_once(two_admins: BotHarness, server: FeedServer) -> None:
    bot = two_admins
    body = vcalendar(vevent("f@x", ":20261206T140000", "Floating"))
    odd = body.replace(b"VERSION:2.0\r\n", b"VERSION:2.0\r\nX-WR-TIMEZONE:Mars/Olympus\r\n")
    server.routes["/odd.ics"] = Route(body=odd)
    await bot.send(ADMIN_ID, ADMIN_ID, f"/feed add {server.url('/odd.ics')}")
    note = (
        "Feed 1: its time zone “Mars/Olympus” is unknown, so its times are read in the bot's "
        "time zone (UTC)."
    )
    assert texts_of(bot, ADMIN_ID)[-1].endswith("\n" + note)
    await bot.send(ADMIN_ID, ADMIN_ID, "/feed sync")
    for _ in range(2):
        bot.clock.advance(timedelta(minutes=31))
        await bot.services.feeds.tick()
    said = [t for chat in (ADMIN_ID, OTHER_ID) for t in texts_of(bot, chat) if "Mars/Olympus" in t]
    assert said == [texts_of(bot, ADMIN_ID)[-2]]  # the /feed add reply, and nothing since


async def test_unknown_timezone_found_by_the_schedule_told_to_admins_once(
    two_admins: BotHarness, server: FeedServer
) -> None:
    bot = two_admins
    body = vcalendar(vevent("f@x", ":20261206T140000Z", "March"))
    server.routes["/a.ics"] = Route(body=body)
    await bot.send(ADMIN_ID, ADMIN_ID, f"/feed add {server.url('/a.ics')}")
    server.routes["/a.ics"] = Route(
        body=body.replace(b"VERSION:2.0\r\n", b"VERSION:2.0\r\nX-WR-TIMEZONE:Nowhere/Land\r\n")
    )
    for _ in range(3):
        bot.clock.advance(timedelta(minutes=31))
        await bot.services.feeds.tick()
    for chat in (ADMIN_ID, OTHER_ID):
        assert len([t for t in texts_of(bot, chat) if "Nowhere/Land" in t]) == 1


@pytest.mark.parametrize(
    ("url", "reply"),
    [
        (
            "http://127.0.0.1:99999/x.ics",
            "Feed not added: the address is not valid (check the host name and the port).",
        ),
        (
            "http://127.0.0.1/x.ics",
            "Feed not added: the address points to a private or local network, "
            "which is not allowed.",
        ),
        (
            "https://[2002:a00:1::]/x.ics",
            "Feed not added: the address points to a private or local network, "
            "which is not allowed.",
        ),
        ("https://calendar.invalid/x.ics", "Feed not added: the host name could not be found."),
    ],
)
async def test_feed_add_refuses_what_can_never_work(
    harness: BotHarness, url: str, reply: str, caplog: pytest.LogCaptureFixture
) -> None:
    async def resolver(host: str, port: int) -> list[str]:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    harness.services.feeds.fetcher.resolver = resolver
    await harness.send(ADMIN_ID, ADMIN_ID, "/start")
    with caplog.at_level(logging.WARNING):
        await harness.send(ADMIN_ID, ADMIN_ID, f"/feed add {url}")
    assert texts_of(harness, ADMIN_ID)[-1] == reply
    assert await harness.services.feeds.repo.all() == []  # nothing saved
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]


async def test_private_address_allowed_by_setting(harness: BotHarness, server: FeedServer) -> None:
    harness.services.feeds.fetcher.policy = AddressPolicy(allow_private=True)
    server.routes["/a.ics"] = Route(body=vcalendar(vevent("a@x", ":20261205T140000Z", "March")))
    await harness.send(ADMIN_ID, ADMIN_ID, "/start")
    await harness.send(ADMIN_ID, ADMIN_ID, f"/feed add {server.url('/a.ics')}")
    assert texts_of(harness, ADMIN_ID)[-1] == "Feed 1: 1 new, 0 changed, 0 cancelled, 0 unchanged."


async def test_stored_bad_port_fails_quietly(
    bot: BotHarness, caplog: pytest.LogCaptureFixture
) -> None:
    feed_id, _ = await bot.services.feeds.repo.add("http://127.0.0.1:99999/x.ics", None, NOW, None)
    with caplog.at_level(logging.WARNING):
        for _ in range(3):
            result = await bot.services.feeds.sync(feed_id)
            assert result.error is not None and result.error.kind == "address"
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]


async def test_failing_feed_reported_once_then_once_when_it_works(
    two_admins: BotHarness, server: FeedServer
) -> None:
    bot = two_admins
    good = vcalendar(vevent("a@x", ":20261205T140000Z", "March"))
    server.routes["/a.ics"] = Route(status=503)
    await bot.send(ADMIN_ID, ADMIN_ID, f"/feed add {server.url('/a.ics')}")

    def alerts(chat: int) -> list[str]:
        return [t for t in texts_of(bot, chat) if t.startswith(("⚠️ Calendar", "✅ Calendar"))]

    # The admin who added it reads the failure in the reply; the other admin gets one alert.
    assert texts_of(bot, ADMIN_ID)[-1] == (
        "Feed 1 could not be fetched: the server answered with HTTP status 503"
    )
    assert alerts(ADMIN_ID) == [] and len(alerts(OTHER_ID)) == 1
    for _ in range(3):  # still failing: nobody is told again
        bot.clock.advance(timedelta(minutes=31))
        await bot.services.feeds.tick()
    assert alerts(ADMIN_ID) == [] and len(alerts(OTHER_ID)) == 1
    server.routes["/a.ics"] = Route(body=good)
    for _ in range(2):  # works again: each admin hears it once
        bot.clock.advance(timedelta(minutes=31))
        await bot.services.feeds.tick()
    assert [a[:2] for a in alerts(ADMIN_ID)] == ["✅ "[:2]]
    assert [a[:2] for a in alerts(OTHER_ID)] == ["⚠️"[:2], "✅ "[:2]]
    server.routes["/a.ics"] = Route(status=500)  # and fails again, found by the schedule
    for _ in range(2):
        bot.clock.advance(timedelta(minutes=31))
        await bot.services.feeds.tick()
    assert len(alerts(ADMIN_ID)) == 2 and len(alerts(OTHER_ID)) == 3


# --- 7. ipaddress's notion of a global address -------------------------------------------------


@pytest.mark.parametrize(
    "address",
    [
        "2002::1",  # 6to4
        "2002:a00:1::1",  # 6to4 wrapping 10.0.0.1
        "fec0::1",  # site-local
        "192.0.0.1",
        "192.0.0.9",
        "192.88.99.1",  # 6to4 relay anycast
        "64:ff9b:1::a00:1",
        "2001:db8::1",
        "::ffff:10.0.0.1",
        "100.64.0.1",
        "198.18.0.1",
        "169.254.169.254",
        "ff02::1",
        "::",
        "fd00::1",
    ],
)
def test_not_global_addresses_refused(address: str) -> None:
    ip = ipaddress.ip_address(address)
    assert not is_public(ip)
    assert not AddressPolicy().allows(ip)
    assert AddressPolicy(allow_private=True).allows(ip)


@pytest.mark.parametrize(
    "address", ["8.8.8.8", "93.184.215.14", "2001:4860:4860::8888", "::ffff:8.8.8.8"]
)
def test_global_addresses_allowed(address: str) -> None:
    assert AddressPolicy().allows(ipaddress.ip_address(address))


@pytest.mark.parametrize(
    "target",
    [
        "http://[2002:a00:1::1]/x.ics",
        "http://192.88.99.1/x.ics",
        "http://[fec0::1]/x.ics",
        "http://192.0.0.9/x.ics",
    ],
)
async def test_redirect_to_non_global_refused_before_connecting(
    server: FeedServer, target: str
) -> None:
    server.routes["/go.ics"] = Route(location=target)
    connects: list[tuple[str, int]] = []
    fetcher = FeedFetcher(policy=LOOPBACK_ONLY, on_connect=lambda h, p: connects.append((h, p)))
    with pytest.raises(FeedError) as err:
        await fetcher.fetch(server.url("/go.ics"))
    assert err.value.kind == "private"
    assert connects and all(host == "127.0.0.1" for host, _ in connects)


async def test_feed_add_with_a_resolver_that_hangs_times_out(harness: BotHarness) -> None:
    async def hanging(host: str, port: int) -> list[str]:
        await asyncio.sleep(30)
        return []

    harness.services.feeds.fetcher.resolver = hanging
    harness.services.feeds.fetcher.timeout = 0.2
    await harness.send(ADMIN_ID, ADMIN_ID, "/start")
    await harness.send(ADMIN_ID, ADMIN_ID, "/feed add https://slow-dns.example/x.ics")
    assert texts_of(harness, ADMIN_ID)[-1] == (
        "Feed not added: the server took too long to answer."
    )
    assert await harness.services.feeds.repo.all() == []


async def test_cancelled_parse_stops_at_once_and_the_worker_recovers() -> None:
    task = asyncio.create_task(
        parse_in_worker(ParseJob(NEVER_ENDING, NOW, "UTC"), Budget(cpu_seconds=60))
    )
    await asyncio.sleep(0.5)
    task.cancel()
    started = time.monotonic()
    with pytest.raises(asyncio.CancelledError):
        await task
    # The thread that waited on the worker is free again at once, not after 60 s of CPU.
    one = vcalendar(vevent("a@x", ":20261205T140000Z", "March"))
    parsed = await asyncio.wait_for(parse_in_worker(ParseJob(one, NOW, "UTC"), Budget()), 30)
    assert len(parsed.events) == 1
    assert time.monotonic() - started < 30
