"""Reply latency while a broadcast runs, at Telegram's real limits: one send budget for both.

Usage: python -m bench.replies [--chats 600] [--rounds 3] [--interval 0.1] [--no-write]
Writes the "replies" section of docs/performance.md.

The fake Telegram (bench/broadcast.py's child process) enforces 30 msg/s overall, 20/min per
group and 1/s per chat. In each round, with one bot: members send `/excerpt` one after another
(a new one ``interval`` seconds after each reply) with no broadcast running, then the same
while a broadcast to ``chats`` chats runs. Measured: reply latency (command pushed to reply
received by the fake Telegram) p50/p99 in both, 429s, replies lost, and the broadcast's pace
as a share of what the replies left (30/s minus the replies' own rate over the broadcast).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.broadcast import TOKEN, FakeTelegram, chat_ids, subscribe_chats
from bench.report import percentile, write_section
from bot.app import build_application, start_application, stop_application
from bot.broadcast.outbox import OutboxLimits, Target
from bot.config import Settings
from bot.services import SERVICES_KEY, Services

LIMIT = 30.0  # Telegram's overall limit, messages a second


async def run_round(
    tg: FakeTelegram, db_path: Path, ids: list[int], probes: int, interval: float, tag: str
) -> dict[str, Any]:
    settings = Settings(token=TOKEN, api_base_url=tg.url, db_path=db_path)
    app = build_application(settings, outbox_limits=OutboxLimits())  # Telegram's, unscaled
    await start_application(app)
    try:
        quiet = await tg.ask(cmd="probe", n=probes, interval=interval)
        services: Services = app.bot_data[SERVICES_KEY]
        start = time.perf_counter()
        bid = await services.outbox.enqueue(
            kind="announce",
            payload={"html": f"<b>{tag}</b> news"},
            targets=[Target(c) for c in ids],
        )
        probe = asyncio.create_task(tg.ask(cmd="probe", n=4 * probes, interval=interval))
        await services.outbox.wait_finished(bid, 3600)
        end = time.perf_counter()
        busy = await probe
    finally:
        await stop_application(app)
    counts = await tg.ask(cmd="count", marker=tag)
    during = [
        lat
        for s, lat in zip(busy["starts"], busy["latencies"], strict=True)
        if start <= s and s + lat <= end
    ]
    elapsed = end - start
    reply_rate = len(during) / elapsed
    rate = len(ids) / elapsed
    return {
        "quiet": quiet["latencies"],
        "busy": during,
        "lost": quiet["lost"] + busy["lost"],
        "rate": rate,
        "reply_rate": reply_rate,
        "share": rate / (LIMIT - reply_rate),
        **counts,
    }


async def bench(n: int, rounds: int, interval: float) -> list[dict[str, Any]]:
    ids = chat_ids(n)
    # enough commands to cover the broadcast (about n / 20 s at 10 replies a second)
    probes = max(20, int(n / LIMIT / (interval + 0.02) / 2))
    tg = await FakeTelegram.start(n)
    out = []
    try:
        await tg.ask(cmd="limits", rate=LIMIT)
        with tempfile.TemporaryDirectory() as tmp:
            for r in range(rounds):
                db_path = Path(tmp) / f"replies{r}.sqlite3"
                await subscribe_chats(db_path, ids)
                out.append(await run_round(tg, db_path, ids, probes, interval, f"R{r}x"))
    finally:
        await tg.close()
    return out


def report(n: int, interval: float, res: list[dict[str, Any]]) -> str:
    def med(key: str) -> float:
        return statistics.median(float(r[key]) for r in res)

    def pct(key: str, q: float) -> float:
        return statistics.median(percentile([x * 1000 for x in r[key]], q) for r in res)

    quiet_n = sum(len(r["quiet"]) for r in res)
    busy_n = sum(len(r["busy"]) for r in res)
    lost = sum(int(r["lost"]) for r in res)
    too_many = sum(int(r["too_many"]) for r in res)
    missing = sum(int(r["missing"]) for r in res)
    dupes = sum(int(r["duplicates"]) for r in res)
    return "\n".join(
        [
            "## Replies during a broadcast",
            "",
            f"`python -m bench.replies --chats {n} --rounds {len(res)} --interval {interval:g}` "
            "— one send budget for replies and broadcasts (bot/broadcast/budget.py), at "
            "Telegram's real limits: the fake Telegram in a child process enforces 30 msg/s "
            f"overall, 20/min per group, 1/s per chat. Each round: `/excerpt` from rotating "
            f"members, each sent {interval * 1000:.0f} ms after the previous reply, first with "
            f"nothing else running, then while a broadcast to {n:,} chats runs, same bot, same "
            f"run. Medians over {len(res)} rounds. Latency: the command pushed to its reply "
            "received by the fake Telegram (long polling, handling and sending included).",
            "",
            "| | replies | p50 | p99 |",
            "|---|---:|---:|---:|",
            f"| no broadcast | {quiet_n} | {pct('quiet', 50):.0f} ms | {pct('quiet', 99):.0f} ms |",
            f"| during the broadcast | {busy_n} | {pct('busy', 50):.0f} ms | "
            f"{pct('busy', 99):.0f} ms |",
            "",
            f"Ratio during / without: p50 {pct('busy', 50) / pct('quiet', 50):.2f}×, "
            f"p99 {pct('busy', 99) / pct('quiet', 99):.2f}×. Replies took {med('reply_rate'):.1f} "
            f"msg/s of the 30; the broadcast went at {med('rate'):.2f} msg/s, "
            f"**{med('share'):.1%} of what the replies left** (target ≥ 95%). "
            f"429s from the fake Telegram: {too_many}; replies lost: {lost}; broadcast "
            f"messages missing: {missing}, doubled: {dupes} (targets: all 0; reply p99 < 1.5 s).",
            "",
            f"Machine: 2 cores shared with seven other engineers' work during the run (load "
            f"average {os.getloadavg()[0]:.1f}), so absolute latencies are pessimistic; the "
            "comparison within a run is the point.",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--chats", type=int, default=600)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--interval", type=float, default=0.1)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("BOT_LOG_LEVEL", "WARNING")
    res = asyncio.run(bench(args.chats, args.rounds, args.interval))
    text = report(args.chats, args.interval, res)
    print(text)
    if not args.no_write:
        write_section("replies", text)


if __name__ == "__main__":
    main()
