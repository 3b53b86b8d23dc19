"""Start the bot on the in-process emulator, then read lines until :quit or end of input."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
from typing import TextIO

from bot.app import OFFLINE_TOKEN, build_application, start_application, stop_application
from bot.config import Settings
from bot.emulator import BotApiCore, EmulatorRequest
from bot.ops.lock import AlreadyLocked, InstanceLock
from bot.ops.shell.clock import ShiftedClock
from bot.ops.shell.database import ShellDatabase
from bot.ops.shell.render import Screen
from bot.ops.shell.session import ADMIN_ID, HELP, Shell
from bot.ops.shell.terminal import InputFn, Terminal

SETTLE_QUIET = 0.3  # at end of input: seconds without a new bot call before leaving
SETTLE_MAX = 5.0


async def _watch(core: BotApiCore, screen: Screen) -> None:
    """Print what the bot sends as it sends it (reminders, broadcasts), without waiting."""
    while True:
        await core.changed.wait_until(lambda: len(core.calls) > screen.seen, None)
        screen.show_new()


async def _settle(core: BotApiCore) -> None:
    """Give background work (a broadcast just confirmed) a moment to show before leaving."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + SETTLE_MAX
    while loop.time() < deadline:
        count = len(core.calls)
        await asyncio.sleep(SETTLE_QUIET)
        if len(core.calls) == count:
            return


async def run_shell(
    settings: Settings,
    *,
    database: str | None = None,
    input_fn: InputFn | None = None,
    out: TextIO | None = None,
) -> int:
    """Run the shell on ``settings.db_path`` (``database`` says what it is in the banner)."""
    terminal = Terminal(input_fn, out)
    clock = ShiftedClock()
    core = BotApiCore(token=OFFLINE_TOKEN, now_fn=clock.timestamp)
    shell_settings = dataclasses.replace(
        settings, token=None, admin_ids=settings.admin_ids | {ADMIN_ID}
    )
    request = EmulatorRequest(core)
    app = build_application(
        shell_settings, clock=clock, request=request, get_updates_request=EmulatorRequest(core)
    )
    await start_application(app, polling=False)
    screen = Screen(core, terminal.console, lambda: shell.here)
    shell = Shell(core, app, screen, clock)
    screen.say(f"Solidarity Bot shell — offline, database {database or settings.db_path}")
    screen.say(HELP)
    watcher: asyncio.Task[None] | None = None
    try:
        with terminal.printing_above_prompt():
            watcher = asyncio.create_task(_watch(core, screen), name="shell-screen")
            while True:
                line = await terminal.read(f"{shell.where}> ")
                if line is None:
                    await _settle(core)
                    break
                if not await shell.handle_line(line):
                    break
    finally:
        if watcher is not None:
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher
        await stop_application(app)
        screen.show_new()
    return 0


def shell_main(settings: Settings, db: ShellDatabase) -> int:
    """`solidarity-bot shell`: lock the chosen database, run, then remove it if temporary."""
    lock = InstanceLock(db.path)
    try:
        lock.acquire()
    except AlreadyLocked:
        db.cleanup()
        raise
    try:
        return asyncio.run(
            run_shell(dataclasses.replace(settings, db_path=db.path), database=db.description)
        )
    finally:
        lock.release()
        db.cleanup()
