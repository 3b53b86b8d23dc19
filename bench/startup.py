"""Cold start and memory: `python -m bot run` against a bare PTB echo bot started the same way.

Usage: python -m bench.startup [--restarts 7]   (prints; bench.excerpt writes the figures)

Cold start is process start to the first getUpdates the fake Bot API receives. Both bots run
as deployed: with their bytecode cached (in a temporary PYTHONPYCACHEPREFIX, written by an
unmeasured first start), whatever PYTHONDONTWRITEBYTECODE says in this shell. Bot and baseline
restarts alternate, so a busy moment on the machine hits both.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from bot.emulator import BotApiCore, FakeBotApiServer

TOKEN = "123456:BENCH-TOKEN-abcdefghijklmnop"
QUERIES = ["blockade", "genocide", "campism", "arms for ukraine", "vietnam victory"]


@dataclass
class Startup:
    """Seconds to the first getUpdates; the bot's RSS after 1,000 /excerpt commands."""

    first: float = 0.0  # the bot's very first start: it indexes the corpus
    bot: list[float] = field(default_factory=list)  # restarts on the indexed database
    echo: list[float] = field(default_factory=list)  # the bare PTB echo bot, same procedure
    bot_cpu: list[float] = field(default_factory=list)  # CPU seconds spent by then (less noisy)
    echo_cpu: list[float] = field(default_factory=list)
    other: list[float] = field(default_factory=list)  # the bot from another checkout (--code)
    other_cpu: list[float] = field(default_factory=list)
    rss_mb: float = 0.0


def _env(db: Path, url: str, pycache: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "BOT_"))}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.update(TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE_URL=url, BOT_DB_PATH=str(db))
    env.update(BOT_FLOOD_LIMIT="0", PYTHONPYCACHEPREFIX=str(pycache))
    return env


def sent(core: BotApiCore) -> int:
    """Messages the bot has sent or edited so far (the core's running count per method: the
    wait_for predicates re-check it on every call, and a rescan of every call recorded would
    be billed to the fake server's CPU)."""
    return sum(core.stats.by_method.get(m, 0) for m in ("sendMessage", "editMessageText"))


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a running process (its threads included)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def _cold(
    argv: list[str], env: dict[str, str], commands: int = 0, cwd: Path | None = None
) -> tuple[float, float, float]:
    """Start argv against a fresh fake Bot API: seconds to the first getUpdates, the CPU
    seconds it had used by then, and its RSS (MB) after `commands` /excerpt commands."""
    core = BotApiCore(token=TOKEN)
    async with FakeBotApiServer(core) as server:
        env = {**env, "TELEGRAM_API_BASE_URL": server.url}
        # A long poll is recorded when it returns: with an update already waiting, the first
        # getUpdates returns the moment it arrives.
        core.push_message(7999, 7999, "/help")
        start = time.perf_counter()
        proc = await asyncio.create_subprocess_exec(
            *argv,
            env=env,
            cwd=cwd,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )
        try:
            await core.wait_for(lambda: bool(core.calls_for("getUpdates")), 60)
            cold = time.perf_counter() - start
            cpu = _cpu_seconds(proc.pid)
            rss = 0.0
            if commands:
                before = sent(core)
                for i in range(commands):
                    core.push_message(7000 + i % 100, 7000 + i % 100, f"/excerpt {QUERIES[i % 5]}")
                await core.wait_for(lambda: sent(core) >= before + commands, 300)
                rss = _rss_mb(proc.pid)
        finally:
            proc.terminate()
            await proc.wait()
    return cold, cpu, rss


async def measure(restarts: int = 7, commands: int = 1000, code: Path | None = None) -> Startup:
    """The bot's first start (with RSS after `commands`), then alternating restarts; with
    `code`, also the bot of that checkout (e.g. `git archive` of an older commit)."""
    bot = [sys.executable, "-m", "bot", "run"]
    echo = [sys.executable, "-m", "bench.echo_bot"]
    out = Startup()
    with tempfile.TemporaryDirectory() as tmp:
        env = _env(Path(tmp) / "bot.sqlite3", "", Path(tmp) / "pycache")
        # Unmeasured: writes the bytecode of both (a deployed bot has it from pip install).
        await _cold(bot, {**env, "BOT_DB_PATH": str(Path(tmp) / "warm.sqlite3")})
        await _cold(echo, env)
        other_env = {**env, "BOT_DB_PATH": str(Path(tmp) / "other.sqlite3")}
        if code is not None:
            await _cold(bot, other_env, cwd=code)
        out.first, _, out.rss_mb = await _cold(bot, env, commands)
        series = [(out.echo, out.echo_cpu, echo, env, None), (out.bot, out.bot_cpu, bot, env, None)]
        if code is not None:
            series.append((out.other, out.other_cpu, bot, other_env, code))
        for _ in range(restarts):
            for runs, cpus, argv, run_env, cwd in series:
                wall, cpu, _ = await _cold(argv, run_env, cwd=cwd)
                runs.append(wall)
                cpus.append(cpu)
    return out


def rows(s: Startup) -> list[tuple[str, str, str, str]]:
    """(measure, our bot, bare PTB echo bot, target) rows for the report."""
    bot, echo = statistics.median(s.bot), statistics.median(s.echo)
    bot_cpu, echo_cpu = statistics.median(s.bot_cpu), statistics.median(s.echo_cpu)
    return [
        ("cold start, first start (indexes the corpus)", f"{s.first * 1e3:.0f} ms", "", "< 1 s"),
        (
            f"cold start, median of {len(s.bot)} restarts",
            f"{bot * 1e3:.0f} ms",
            f"{echo * 1e3:.0f} ms ({bot / echo:.2f}×)",
            "< 1 s",
        ),
        (
            "CPU time used by the first getUpdates (median)",
            f"{bot_cpu * 1e3:.0f} ms",
            f"{echo_cpu * 1e3:.0f} ms ({bot_cpu / echo_cpu:.2f}×)",
            "",
        ),
        ("resident memory after 1,000 /excerpt commands", f"{s.rss_mb:.0f} MB", "", "< 150 MB"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--restarts", type=int, default=7)
    parser.add_argument("--commands", type=int, default=1000)
    parser.add_argument("--code", type=Path, help="also start the bot of this checkout")
    args = parser.parse_args()
    result = asyncio.run(measure(args.restarts, args.commands, args.code))
    for row in rows(result):
        print(" | ".join(row))
    if result.other:
        print(
            f"{args.code}: cold start {statistics.median(result.other) * 1e3:.0f} ms,"
            f" CPU {statistics.median(result.other_cpu) * 1e3:.0f} ms"
        )


if __name__ == "__main__":
    main()
