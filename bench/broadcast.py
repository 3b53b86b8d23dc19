"""Broadcast throughput through the fake Bot API: the outbox vs a plain loop over AIORateLimiter.

Usage: python -m bench.broadcast [--chats 10000] [--rate 300,1000] [--rounds 1] [--no-write]
Writes the "broadcast" section of docs/performance.md.

The fake Telegram runs in a child process (so the bot has one core to itself) and enforces
Telegram's limits scaled by ``rate / 30``; it answers a few JSON-line commands on stdin.
Measured, for N subscribed chats:
1. the outbox under the scaled limits: achieved rate vs the configured limit, 429s, losses;
2. beside it, a plain loop over PTB's AIORateLimiter with the same limits;
3. with limits off: messages per second, and the p99 of /excerpt for another chat meanwhile.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from telegram import Bot
from telegram.ext import AIORateLimiter, ExtBot
from telegram.request import BaseRequest, HTTPXRequest

from bench.report import percentile, pin, write_section
from bot.app import build_application, start_application, stop_application
from bot.broadcast.outbox import OutboxLimits, OutboxOptions, Target
from bot.config import Settings
from bot.services import SERVICES_KEY, Services
from storage.db import Database

TOKEN = "123456:BENCH-TOKEN-abcdefghijklmnop"
PROBE_CHATS = [99_000_001 + i for i in range(200)]  # rotated: each user sends rarely
GROUPS = 500  # of the chats, this many are groups (negative ids)
PINNED = False  # set when the bot and the fake Telegram each got a CPU of their own


def chat_ids(n: int) -> list[int]:
    groups = min(GROUPS, n // 10)
    return [1_000_000 + i for i in range(n - groups)] + [-1_005_000_000 - i for i in range(groups)]


# --- the child process: fake Telegram -------------------------------------------------------
async def serve(n: int) -> None:
    from bot.emulator import BotApiCore, FakeBotApiServer, RateLimits
    from bot.emulator.faults import RateLimiter

    pin(1)
    core = BotApiCore(token=TOKEN)
    for c in chat_ids(n):
        core.private_chat(c) if c > 0 else core.group_chat(c)
    for p in PROBE_CHATS:
        core.private_chat(p)
    # Garbage is collected between runs (on each command), not during one: a gen-2 collection
    # over the fake's growing state paused it for tens of ms, and the backlog it then stamped
    # at once tripped its own sliding window (every 429 of the outbox came in one such burst).
    gc.freeze()
    gc.disable()
    server = FakeBotApiServer(core)
    url = await server.start()
    print(json.dumps({"url": url}), flush=True)
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    while line := await reader.readline():
        cmd = json.loads(line)
        if cmd["cmd"] != "probe":  # the probe runs during a broadcast
            gc.collect()
        out: dict[str, Any] = {}
        if cmd["cmd"] == "limits":
            rate = cmd["rate"]
            core.limits = RateLimits(rate, int(20 * rate / 30), rate / 30) if rate else RateLimits()
            core._limiter = RateLimiter(core.time_fn)
            core.stats.too_many_requests = 0
        elif cmd["cmd"] == "count":
            marker = cmd["marker"]
            counts = [
                sum(1 for m in core.sent_to(c) if marker in (m.text or "")) for c in chat_ids(n)
            ]
            out = {
                "missing": counts.count(0),
                "duplicates": sum(max(0, k - 1) for k in counts),
                "too_many": core.stats.too_many_requests,
            }
        elif cmd["cmd"] == "probe":  # commands one after another; lost: no reply in 10 s
            lat, starts, lost = [], [], 0
            for i in range(cmd["n"]):
                p = PROBE_CHATS[i % len(PROBE_CHATS)]
                before = len(core.sent_to(p))
                start = time.perf_counter()
                core.push_message(p, p, "/excerpt occupation")
                try:
                    await core.wait_for(lambda p=p, b=before: len(core.sent_to(p)) > b, 10)  # type: ignore[misc]
                except TimeoutError:
                    lost += 1
                else:
                    lat.append(time.perf_counter() - start)
                    starts.append(start)
                await asyncio.sleep(cmd["interval"])
            out = {"latencies": lat, "starts": starts, "lost": lost}
        print(json.dumps(out), flush=True)
    await server.stop()


class FakeTelegram:
    """The child process, driven over JSON lines."""

    def __init__(self, proc: asyncio.subprocess.Process, url: str) -> None:
        self.proc, self.url = proc, url

    @classmethod
    async def start(cls, n: int) -> FakeTelegram:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bench.broadcast", "--serve", "--chats", str(n),
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        )  # fmt: skip
        assert proc.stdout is not None
        line = await proc.stdout.readline()
        return cls(proc, json.loads(line)["url"])

    async def ask(self, **cmd: Any) -> dict[str, Any]:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(json.dumps(cmd).encode() + b"\n")
        await self.proc.stdin.drain()
        result: dict[str, Any] = json.loads(await self.proc.stdout.readline())
        return result

    async def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        await self.proc.wait()


# --- the bot side ----------------------------------------------------------------------------
async def subscribe_chats(db_path: Path, ids: list[int]) -> None:
    db = await Database.open(db_path)
    now = "2026-11-21T12:00:00+00:00"
    async with db.transaction() as conn:
        await conn.executemany(
            "INSERT INTO chats (chat_id, kind, subscribed, created_at, updated_at)"
            " VALUES (?, ?, 1, ?, ?)",
            [(c, "private" if c > 0 else "supergroup", now, now) for c in ids],
        )
    await db.close()


async def run_outbox(
    tg: FakeTelegram,
    db_path: Path,
    ids: list[int],
    limits: OutboxLimits,
    marker: str,
    probes: int,
    workers: int = OutboxOptions.workers,
    request: BaseRequest | None = None,
) -> dict[str, Any]:
    settings = Settings(token=TOKEN, api_base_url=tg.url, db_path=db_path)
    app = build_application(
        settings,
        request=request,
        outbox_limits=limits,
        outbox_options=OutboxOptions(workers=workers),
    )
    await start_application(app)
    try:
        services: Services = app.bot_data[SERVICES_KEY]
        start, cpu0 = time.perf_counter(), time.process_time()
        bid = await services.outbox.enqueue(
            kind="announce",
            payload={"html": f"<b>{marker}</b> news"},
            targets=[Target(c) for c in ids],
        )
        probe = (
            asyncio.create_task(tg.ask(cmd="probe", n=probes, interval=0.02)) if probes else None
        )
        await services.outbox.wait_finished(bid, 600)
        elapsed = time.perf_counter() - start
        cpu = time.process_time() - cpu0
        latencies = (await probe)["latencies"] if probe else []
    finally:
        await stop_application(app)
    counts = await tg.ask(cmd="count", marker=marker)
    return {
        "rate": len(ids) / elapsed,
        "elapsed": elapsed,
        "cpu_ms": cpu * 1000 / len(ids),
        "latencies": latencies,
        **counts,
    }


async def run_baseline(
    tg: FakeTelegram, ids: list[int], rate: float, marker: str
) -> dict[str, Any]:
    """What a bot author would write: gather send_message (over PTB's AIORateLimiter if rate)."""
    limiter = AIORateLimiter(
        overall_max_rate=rate, overall_time_period=1, group_max_rate=20 * rate / 30,
        group_time_period=60, max_retries=5,
    ) if rate else None  # fmt: skip
    bot: Bot = ExtBot(
        TOKEN, base_url=tg.url.rstrip("/") + "/bot", rate_limiter=limiter,
        request=HTTPXRequest(connection_pool_size=256),
    )  # fmt: skip
    sem = asyncio.Semaphore(256)

    async def one(c: int) -> None:
        async with sem:
            with contextlib.suppress(Exception):  # counted as missing at the end
                await bot.send_message(c, f"<b>{marker}</b> news", parse_mode="HTML")

    async with bot:
        start, cpu0 = time.perf_counter(), time.process_time()
        await asyncio.gather(*(one(c) for c in ids))
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu0
    counts = await tg.ask(cmd="count", marker=marker)
    return {
        "rate": len(ids) / elapsed,
        "elapsed": elapsed,
        "cpu_ms": cpu * 1000 / len(ids),
        **counts,
    }


async def bench(
    n: int, rates: list[float], rounds: int, probes: int
) -> dict[str, list[dict[str, Any]]]:
    global PINNED
    ids = chat_ids(n)
    results: dict[str, list[dict[str, Any]]] = {"off": [], "off_httpx": [], "off_loop": []}
    for rate in rates:
        results[f"outbox@{rate:g}"], results[f"baseline@{rate:g}"] = [], []
    tg = await FakeTelegram.start(n)
    PINNED = pin(0)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for r in range(rounds):
                db_path = Path(tmp) / f"bench{r}.sqlite3"
                await subscribe_chats(db_path, ids)
                for rate in rates:
                    limits = OutboxLimits(rate, 20 * rate / 30, rate / 30)
                    await tg.ask(cmd="limits", rate=rate)
                    results[f"outbox@{rate:g}"].append(
                        await run_outbox(tg, db_path, ids, limits, f"L{r}r{rate:g}x", 0)
                    )
                    await tg.ask(cmd="limits", rate=rate)
                    results[f"baseline@{rate:g}"].append(
                        await run_baseline(tg, ids, rate, f"B{r}r{rate:g}x")
                    )
                await tg.ask(cmd="limits", rate=0)
                off = OutboxLimits.off()
                results["off"].append(await run_outbox(tg, db_path, ids, off, f"O{r}x", probes))
                # Baselines for the limits-off rate: the same outbox on PTB's own transport,
                # and the plain loop (PTB defaults, no limiter).
                ptb = HTTPXRequest(connection_pool_size=256)
                results["off_httpx"].append(
                    await run_outbox(tg, db_path, ids, off, f"H{r}x", 0, request=ptb)
                )
                results["off_loop"].append(await run_baseline(tg, ids, 0, f"P{r}x"))
                print(json.dumps({k: {kk: vv for kk, vv in v[-1].items() if kk != "latencies"}
                                  for k, v in results.items()}), file=sys.stderr)  # fmt: skip
    finally:
        await tg.close()
    return results


def report(n: int, rates: list[float], res: dict[str, list[dict[str, Any]]]) -> str:
    def med(kind: str, key: str) -> float:
        return statistics.median(float(r[key]) for r in res[kind])

    def total(kind: str, key: str) -> int:
        return sum(int(r[key]) for r in res[kind])

    lat = [x * 1000 for r in res["off"] for x in r["latencies"]]
    rate_arg = ",".join(f"{r:g}" for r in rates)
    lines = [
        "## Broadcast",
        "",
        f"`python -m bench.broadcast --chats {n} --rate {rate_arg}` — {n:,} subscribed chats "
        f"({min(GROUPS, n // 10)} groups), fake Telegram in a child process enforcing "
        "Telegram's limits scaled by rate / 30 (30 msg/s overall, 20/min per group, 1/s per "
        f"chat at rate 30); {len(res['off'])} round(s), medians. Rate = chats / wall time from "
        "enqueue to the last delivery recorded. Baseline: a plain loop over PTB's "
        "AIORateLimiter with the same limits, in the same run.",
        "",
        "| Scaled limit | Run | msg/s | of limit | 429s | missing | duplicates |",
        "|---:|---|---:|---:|---:|---:|---:|",
    ]
    for rate in rates:
        for name, kind in (("Outbox", "outbox"), ("Plain loop + AIORateLimiter", "baseline")):
            key = f"{kind}@{rate:g}"
            r = med(key, "rate")
            lines.append(
                f"| {rate:,.0f}/s | {name} | {r:,.0f} | {r / rate:.1%} | "
                f"{total(key, 'too_many')} | {total(key, 'missing')} | "
                f"{total(key, 'duplicates')} |"
            )
    lines += [
        "",
        "Target: ≥ 95% of the limit with zero 429s and zero losses. At the higher scaled limits "
        "the AIORateLimiter loop is bound by its own CPU (PTB's httpx transport, see the "
        "limits-off rows), not by its limiter.",
    ]
    off, off_h, off_l = med("off", "rate"), med("off_httpx", "rate"), med("off_loop", "rate")
    off_rows = [
        ("Outbox (our transport, bot/telegram/aiohttp_request.py)", "off"),
        ("Outbox on PTB's own transport (HTTPXRequest)", "off_httpx"),
        ("Plain loop, PTB defaults, no limiter", "off_loop"),
    ]
    lines += [
        "",
        f"Limits off (target ≥ 1,500 msg/s on one core): the bot process pinned to one CPU "
        f"{'and the fake Telegram to the other' if PINNED else '(not pinned: no affinity here)'}"
        "; bot CPU = the process's CPU time (all threads) per message.",
        "",
        "| Run, limits off | msg/s | vs outbox | bot CPU / msg | missing | duplicates |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, kind in off_rows:
        r = med(kind, "rate")
        lines.append(
            f"| {name} | {r:,.0f} | {r / off:.2f}× | {med(kind, 'cpu_ms'):.2f} ms | "
            f"{total(kind, 'missing')} | {total(kind, 'duplicates')} |"
        )
    lines += [
        "",
        f"The outbox pushes {off / off_h:.2f}× what it pushes on PTB's own transport and "
        f"{off / off_l:.2f}× a plain PTB loop.",
        f"While the limits-off broadcast ran, `/excerpt` from another chat: p50 "
        f"{percentile(lat, 50):.1f} ms, p99 {percentile(lat, 99):.1f} ms ({len(lat)} probes; "
        "target p99 < 100 ms).",
        "",
        f"Machine load average during the run: {os.getloadavg()[0]:.1f} (2 cores). The outbox "
        "admits at evenly spaced moments at 98.5% of the overall limit, never more than that in "
        "any one-second window (bot/broadcast/ratelimit.py). The fake Telegram collects garbage "
        "between "
        "runs only: a gen-2 collection in mid-run (tens of ms) made it stamp a backlog of "
        "requests at once, and its own sliding window then answered 429 (every 429 the outbox "
        "met came in one such burst; with the collector left on, 94.9% and 6 429s). With limits "
        "off on PTB's own transport the bot is CPU-bound in httpx/httpcore: httpcore's pool "
        "polls every idle connection's socket on every request and anyio wraps each read and "
        "write (about three quarters of the bot's CPU time in a profile); on aiohttp that "
        "bookkeeping is gone. The outbox also reads only `message_id` from each answer (no "
        "telegram.Message is built) and encodes form bodies with bot/telegram/formrequest.py.",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--chats", type=int, default=10_000)
    parser.add_argument("--rate", default="300,1000", help="scaled limits, comma-separated")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--probes", type=int, default=150)
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    if args.serve:
        asyncio.run(serve(args.chats))
        return
    os.environ.setdefault("BOT_LOG_LEVEL", "WARNING")
    rates = [float(r) for r in args.rate.split(",")]
    res = asyncio.run(bench(args.chats, rates, args.rounds, args.probes))
    text = report(args.chats, rates, res)
    print(text)
    if not args.no_write:
        write_section("broadcast", text)


if __name__ == "__main__":
    main()
