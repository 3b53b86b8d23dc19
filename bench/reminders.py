"""Reminder scheduler: start-up with 10,000 demos x 10,000 chats, and fan-out lateness.

Usage: python -m bench.reminders [--demos 10000] [--chats 10000] [--fanout 1000] [--runs 15]
       [--no-write]
Writes the "reminders" section of docs/performance.md.

* Start-up: the real Application on a database seeded with N upcoming demos and M subscribed
  chats (5 time zones, default leads 1 d + 2 h): time of ``ReminderService.rebuild()`` (the one
  wake-up recomputed from SQLite), of the whole service start (rebuild + catch-up pass) and
  the process RSS; baseline: the same on an empty database in the same run.
* Fan-out: the real Application with the system clock, fake Bot API limits and outbox limits
  off, K subscribed chats with a 5-minute lead; a demo is added so its reminder falls due
  ~1.5 s later and the bot wakes by itself. Measured from the due moment: first delivery
  (lateness) and last delivery. Baseline: the same K chats sent a plain outbox broadcast,
  measured from ``enqueue``. The flood cap is set to its maximum (60 an hour; one per run).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.report import percentile, write_section
from bot.app import build_application, start_application, stop_application
from bot.broadcast.outbox import Outgoing, Target
from bot.broadcast.ratelimit import OutboxLimits
from bot.config import Settings
from bot.emulator import BotApiCore, FakeBotApiServer
from bot.services import SERVICES_KEY, Services
from storage.chats import Chat
from storage.db import Database
from storage.demos import NewDemo

TOKEN = "123456:BENCH-TOKEN-abcdefghijklmnop"
ZONES = ["Europe/London", "Europe/Kyiv", "Asia/Gaza", "America/New_York", "UTC"]


def _rss_mb() -> float:
    with open(f"/proc/{os.getpid()}/statm", encoding="ascii") as fh:
        pages = int(fh.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def _iso(when: datetime) -> str:
    return when.astimezone(UTC).replace(microsecond=0).isoformat()


async def _seed(path: Path, demos: int, chats: int, *, lead_json: str | None = None) -> None:
    """Bulk rows for the benchmark (parameterised; bulk inserts are out of the repos' scope)."""
    db = await Database.open(path)
    now = datetime.now(UTC)
    first = now + timedelta(hours=28)  # nothing due at start: a steady-state restart
    spacing = timedelta(days=365) / max(1, demos)
    try:
        async with db.transaction() as conn:
            await conn.executemany(
                "INSERT INTO demos (uid, starts_at, place, title, description, region,"
                " created_at, updated_at) VALUES (?, ?, ?, ?, '', ?, ?, ?)",
                [
                    (
                        f"bench-{i}@solidarity-bot",
                        _iso(first + spacing * i),
                        "Parliament Square",
                        f"Demonstration {i}",
                        None if i % 3 else "london",
                        _iso(now),
                        _iso(now),
                    )
                    for i in range(demos)
                ],
            )
            await conn.executemany(
                "INSERT INTO chats (chat_id, kind, subscribed, timezone, lead_minutes,"
                " created_at, updated_at) VALUES (?, 'supergroup', 1, ?, ?, ?, ?)",
                [
                    (-1_000_000_000 - i, ZONES[i % len(ZONES)], lead_json, _iso(now), _iso(now))
                    for i in range(chats)
                ],
            )
    finally:
        await db.close()


def _services(app: Any) -> Services:
    services = app.bot_data[SERVICES_KEY]
    assert isinstance(services, Services)
    return services


async def _startup(demos: int, chats: int, rounds: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.sqlite3"
        await _seed(path, demos, chats)
        core = BotApiCore(token=TOKEN)
        async with FakeBotApiServer(core) as server:
            settings = Settings(token=TOKEN, api_base_url=server.url, db_path=path, flood_limit=0)
            app = build_application(settings)
            start = time.perf_counter()
            await start_application(app, polling=False)
            total_start = time.perf_counter() - start
            try:
                reminders = _services(app).reminders
                times = []
                for _ in range(rounds):
                    t0 = time.perf_counter()
                    await reminders.rebuild()
                    times.append(time.perf_counter() - t0)
                t0 = time.perf_counter()
                await reminders.stop()
                await reminders.start()
                service_start = time.perf_counter() - t0
                rss = _rss_mb()
                assert reminders.next_wake is not None or demos == 0
            finally:
                await stop_application(app)
    return {
        "rebuild": statistics.median(times),
        "service_start": service_start,
        "app_start": total_start,
        "rss": rss,
    }


def _sent(core: BotApiCore) -> int:
    return sum(1 for c in core.calls if c.method == "sendMessage" and c.ok)


async def _fanout(chats: int, runs: int) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {"first": [], "last": [], "base_first": [], "base_last": []}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "fanout.sqlite3"
        await _seed(path, 0, chats, lead_json="[5]")
        core = BotApiCore(token=TOKEN)
        for i in range(chats):
            core.group_chat(-1_000_000_000 - i)
        async with FakeBotApiServer(core) as server:
            # Every run reminds the same chats again: the hourly flood cap at its maximum.
            settings = Settings(
                token=TOKEN,
                api_base_url=server.url,
                db_path=path,
                flood_limit=0,
                reminders_per_hour=60,
            )
            app = build_application(settings, outbox_limits=OutboxLimits.off())
            await start_application(app, polling=False)
            try:
                services = _services(app)

                async def plain(payload: dict[str, Any], chat: Chat) -> Outgoing | None:
                    return Outgoing(html="baseline")

                services.outbox.register_renderer("bench_plain", plain)
                targets = [Target(-1_000_000_000 - i) for i in range(chats)]
                for run in range(runs + 1):  # the first run warms up
                    before = _sent(core)
                    # Stored times have whole seconds: the due moment is the stored start - 5 min.
                    start_at = datetime.fromtimestamp(time.time() + 301.5, UTC).replace(
                        microsecond=0
                    )
                    due_wall = start_at.timestamp() - 300
                    await services.reminders.add_demo(
                        NewDemo(starts_at=start_at, place="Square", title=f"Run {run}")
                    )
                    await core.wait_for(lambda b=before: _sent(core) > b, 30)  # type: ignore[misc]
                    first = time.time() - due_wall
                    await core.wait_for(lambda b=before: _sent(core) >= b + chats, 120)  # type: ignore[misc]
                    last = time.time() - due_wall
                    before = _sent(core)
                    t0 = time.time()
                    await services.outbox.enqueue(kind="bench_plain", payload={}, targets=targets)
                    await core.wait_for(lambda b=before: _sent(core) > b, 30)  # type: ignore[misc]
                    base_first = time.time() - t0
                    await core.wait_for(lambda b=before: _sent(core) >= b + chats, 120)  # type: ignore[misc]
                    base_last = time.time() - t0
                    if run == 0:
                        continue
                    out["first"].append(first)
                    out["last"].append(last)
                    out["base_first"].append(base_first)
                    out["base_last"].append(base_last)
            finally:
                await stop_application(app)
    return out


async def main_async(args: argparse.Namespace) -> str:
    base = await _startup(0, 0, args.rounds)
    big = await _startup(args.demos, args.chats, args.rounds)
    fan = await _fanout(args.fanout, args.runs)
    med = statistics.median
    lines = [
        "## Reminders",
        "",
        "`python -m bench.reminders` (`--demos 10000 --chats 10000 --fanout 1000 --runs 15`).",
        "",
        f"Start-up with {args.demos:,} upcoming demos and {args.chats:,} subscribed chats"
        " (5 time zones, leads 1 d + 2 h); baseline: empty database, same run.",
        "",
        "| | baseline (empty) | seeded | target |",
        "|---|---:|---:|---:|",
        f"| schedule rebuilt (median of {args.rounds}) | {base['rebuild'] * 1000:.1f} ms"
        f" | {big['rebuild'] * 1000:.1f} ms | < 2 s |",
        f"| reminder service start (rebuild + catch-up) | {base['service_start'] * 1000:.1f} ms"
        f" | {big['service_start'] * 1000:.1f} ms | |",
        f"| whole application start | {base['app_start'] * 1000:.0f} ms"
        f" | {big['app_start'] * 1000:.0f} ms | |",
        f"| process RSS (bot + in-process fake Bot API) | {base['rss']:.0f} MB"
        f" | {big['rss']:.0f} MB | < 150 MB |",
        "",
        f"Fan-out: {args.fanout:,} chats due at the same moment, limits off, system clock, the"
        f" bot waking by itself; {args.runs} runs after a warm-up. Baseline: a plain outbox"
        " broadcast to the same chats, timed from `enqueue`.",
        "",
        "| | reminder (from due moment) | baseline broadcast (from enqueue) | target |",
        "|---|---:|---:|---:|",
        f"| first delivery, median | {med(fan['first']) * 1000:.0f} ms"
        f" | {med(fan['base_first']) * 1000:.0f} ms | |",
        f"| first delivery, p99 | {percentile(fan['first'], 99) * 1000:.0f} ms"
        f" | {percentile(fan['base_first'], 99) * 1000:.0f} ms | < 1 s |",
        f"| last delivery, median | {med(fan['last']) * 1000:.0f} ms"
        f" | {med(fan['base_last']) * 1000:.0f} ms | |",
        f"| last delivery, max | {max(fan['last']) * 1000:.0f} ms"
        f" | {max(fan['base_last']) * 1000:.0f} ms | |",
        "",
        "The scheduler keeps one wake-up (the next due moment over all demo x lead x zone"
        " combinations, found with indexed range queries per distinct lead), never one job per"
        " chat; the fan-out writes the reminder log and the outbox deliveries in one"
        " transaction.",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--demos", type=int, default=10_000)
    parser.add_argument("--chats", type=int, default=10_000)
    parser.add_argument("--fanout", type=int, default=1_000)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    section = asyncio.run(main_async(args))
    print(section)
    if not args.no_write:
        write_section("reminders", section)


if __name__ == "__main__":
    main()
