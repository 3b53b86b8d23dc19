"""Calendar feeds under hostile input: the figures in docs/reliability.md ("Calendar feeds").

Usage: python -m bench.feeds [--skip-old]
Prints, for this machine:

* the bot's responsiveness while a bad feed is added: ``/start`` sent every 50 ms by another
  user during ``/feed add`` of the minutely, the secondly and a 15,000-event feed (real
  Application, fake Bot API, feed served from 127.0.0.1), with the sync's wall time;
* the parser's CPU time and traced peak memory for those feeds (lazy expansion, cap 1,000),
  and, unless --skip-old, the whole-horizon expansion the bot used to do, for comparison;
* the traced peak memory while a 1 MB gzip body that unpacks to 1 GiB is refused;
* /calendar with 1,000 upcoming demonstrations: the first render, a cached call, the query.
"""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import statistics
import tempfile
import time
import tracemalloc
import zlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import recurring_ical_events
from icalendar import Calendar

from bot.feeds.addresses import AddressPolicy
from bot.feeds.errors import FeedError
from bot.feeds.fetch import FeedFetcher
from bot.feeds.parse import parse_feed
from storage.demos import NewDemo
from tests.feedserver import FeedServer, Route, vcalendar, vevent
from tests.harness import ADMIN_ID, USER_ID, BotHarness

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)  # the harness clock's start
LOOPBACK = AddressPolicy(allow_networks=(ipaddress.ip_network("127.0.0.0/8"),))


def feeds() -> dict[str, bytes]:
    plain = [
        vevent(f"e{i}@x", (NOW + timedelta(minutes=7 * i + 3)).strftime(":%Y%m%dT%H%M%SZ"), "E")
        for i in range(15000)
    ]
    return {
        "minutely (1 event)": vcalendar(
            vevent("m@x", ":20261121T120100Z", "Every minute", extra="RRULE:FREQ=MINUTELY")
        ),
        "secondly (1 event)": vcalendar(
            vevent("s@x", ":20261121T120001Z", "Every second", extra="RRULE:FREQ=SECONDLY")
        ),
        "15,000 plain events": vcalendar(*plain),
    }


def measured(work: Callable[[], Any]) -> tuple[float, float]:
    """CPU seconds of work(), then its traced peak MB (a second run: tracing slows it down)."""
    started = time.process_time()
    work()
    cpu = time.process_time() - started
    tracemalloc.start()
    try:
        work()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return cpu, peak / 2**20


def parser_figures(skip_old: bool) -> None:
    print("## Parsing (in this process; the bot runs it in the budgeted worker)")
    for name, data in feeds().items():
        cpu, peak = measured(lambda d=data: parse_feed(d, now=NOW, default_timezone="UTC"))
        print(f"{name}: {len(data):,} bytes, lazy+cap: {cpu:.2f} s CPU, peak {peak:.0f} MB")
        if not skip_old and "plain" not in name:

            def old(d: bytes = data) -> None:
                cal = Calendar.from_ical(d)
                recurring_ical_events.of(cal).between(NOW, NOW + timedelta(days=90))

            try:
                cpu, peak = measured(old)
                print(f"  whole 90 days as before: {cpu:.2f} s CPU, peak {peak:.0f} MB")
            except MemoryError:
                print("  whole 90 days as before: out of memory")


async def responsiveness() -> None:
    print("## /start while /feed add runs (wall ms, fake Bot API)")
    for name, data in feeds().items():
        with tempfile.TemporaryDirectory() as tmp:
            bot = BotHarness(db_path=Path(tmp) / "bot.sqlite3")
            server = FeedServer()
            await bot.start()
            await server.start()
            try:
                bot.services.feeds.fetcher.policy = LOOPBACK
                await bot.send(ADMIN_ID, ADMIN_ID, "/start")
                await bot.send(USER_ID, USER_ID, "/start")
                server.routes["/f.ics"] = Route(body=data)
                started = time.monotonic()
                add = bot.core.push_message(ADMIN_ID, ADMIN_ID, f"/feed add {server.url('/f.ics')}")
                latencies = []
                while int(add["update_id"]) not in bot.tracker.done_ids:
                    t0 = time.monotonic()
                    await bot.send(USER_ID, USER_ID, "/start")
                    latencies.append((time.monotonic() - t0) * 1000)
                    await asyncio.sleep(0.05)
                took = time.monotonic() - started
                reply = (bot.last(ADMIN_ID).text or "").replace("\n", " / ")
                print(
                    f"{name}: sync {took:.1f} s; {len(latencies)} /start: median "
                    f"{statistics.median(latencies):.0f}, max {max(latencies):.0f}; «{reply}»"
                )
            finally:
                await server.stop()
                await bot.close()


async def gzip_bomb() -> None:
    print("## gzip bomb")
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    zeros = bytes(2**20)
    bomb = packer.compress(b"BEGIN:VCALENDAR\r\n") + b"".join(
        packer.compress(zeros) for _ in range(1024)
    )
    bomb += packer.flush()
    server = FeedServer()
    await server.start()
    try:
        server.routes["/bomb.ics"] = Route(body=bomb, headers={"Content-Encoding": "gzip"})
        tracemalloc.start()
        started = time.monotonic()
        try:
            await FeedFetcher(policy=LOOPBACK).fetch(server.url("/bomb.ics"))
        except FeedError as exc:
            kind = exc.kind
        took = time.monotonic() - started
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(
            f"{len(bomb) / 2**20:.2f} MB unpacking to 1 GiB: {kind} after {took * 1000:.0f} ms, "
            f"traced peak {peak / 2**20:.1f} MB (cap 2 MB; includes the 1 MB body being served)"
        )
    finally:
        await server.stop()


async def calendar_cache() -> None:
    print("## /calendar with 1,000 upcoming demonstrations")
    with tempfile.TemporaryDirectory() as tmp:
        bot = BotHarness(db_path=Path(tmp) / "bot.sqlite3")
        await bot.start()
        try:
            for i in range(1000):
                await bot.services.reminders.add_demo(
                    NewDemo(NOW + timedelta(hours=3 + i), "Parliament Square", f"March {i}")
                )
            repo, export = bot.services.feeds.repo, bot.services.feeds.export
            started = time.process_time()
            demos = await repo.calendar_demos(NOW, None)
            query = time.process_time() - started
            for label in ("first (render)", "second (cached)"):
                started = time.process_time()
                await export.calendar(demos, NOW, "Demonstrations")
                print(f"{label}: {(time.process_time() - started) * 1000:.1f} ms CPU")
            print(f"the query of 1,000 demos each call needs: {query * 1000:.1f} ms CPU")
            for _ in range(2):
                await bot.send(USER_ID, USER_ID, "/calendar")
            print(f"two /calendar through the bot: {export.renders} render(s) in all")
        finally:
            await bot.close()


async def main(skip_old: bool) -> None:
    await responsiveness()
    await gzip_bomb()
    await calendar_cache()
    parser_figures(skip_old)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--skip-old", action="store_true")
    asyncio.run(main(parser.parse_args().skip_old))
