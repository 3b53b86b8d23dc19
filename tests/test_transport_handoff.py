"""bot.telegram.transport: PTB's httpx transport while the bot starts, aiohttp after the handoff.

aiohttp's import is the largest cost of a cold start; these tests pin that `run` reaches its
first getUpdates without it (and without collecting garbage), that the one-off jobs then switch
to it and resume collection, and that a request on its way through httpx at the switch still
gets its answer.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import textwrap
from pathlib import Path

from telegram import Bot

from bot.emulator import BotApiCore, FakeBotApiServer
from bot.jobs import HANDOFFS_KEY
from bot.telegram.transport import HandoffRequest
from tests.harness import BotHarness
from tests.test_aiohttp_request import ME, OK, TOKEN, _read_request, raw_server

ROOT = Path(__file__).resolve().parents[1]

# `solidarity-bot run` in a child process: says whether aiohttp was loaded at the first
# getUpdates, and when each of the two request objects has switched to it (by then the
# gc-resume job has turned garbage collection back on, bot/__main__.py).
_RUN_CHILD = textwrap.dedent(
    """
    import gc, sys
    from bot.__main__ import main
    import telegram.ext
    from bot.telegram.transport import HandoffRequest

    get_updates, hand_over, calls = telegram.ext.ExtBot.get_updates, HandoffRequest.hand_over, []

    async def first_get_updates(self, *args, **kwargs):
        if not calls:
            print("aiohttp at the first getUpdates:", "aiohttp" in sys.modules, flush=True)
            print("gc at the first getUpdates:", gc.isenabled(), flush=True)
        calls.append(1)
        return await get_updates(self, *args, **kwargs)

    async def handed_over(self):
        await hand_over(self)
        print("handed over:", self.handed_over, flush=True)
        print("gc on, start-up frozen:", gc.isenabled(), gc.get_freeze_count() > 0, flush=True)

    telegram.ext.ExtBot.get_updates = first_get_updates
    HandoffRequest.hand_over = handed_over
    sys.exit(main(["run"]))
    """
)


async def test_run_polls_before_loading_aiohttp_and_hands_over_soon_after(tmp_path: Path) -> None:
    core = BotApiCore(token=TOKEN)
    async with FakeBotApiServer(core) as server:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "BOT_"))}
        env.update(
            PYTHONPATH=str(ROOT),
            TELEGRAM_BOT_TOKEN=TOKEN,
            TELEGRAM_API_BASE_URL=server.url,
            BOT_DB_PATH=str(tmp_path / "bot.sqlite3"),
        )
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            _RUN_CHILD,
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.DEVNULL,
        )
        assert proc.stdout is not None
        lines: list[str] = []
        try:
            async with asyncio.timeout(60):
                while len(lines) < 6:
                    line = (await proc.stdout.readline()).decode()
                    assert line, f"the bot stopped; it said: {lines}"
                    lines.append(line.strip())
        finally:
            proc.terminate()
            await proc.wait()
        assert lines[:2] == [
            "aiohttp at the first getUpdates: False",
            "gc at the first getUpdates: False",
        ]
        assert lines[2:] == ["handed over: True", "gc on, start-up frozen: True True"] * 2
        assert core.calls_for("getMe")  # and the start-up's calls went through httpx


async def test_requests_go_through_aiohttp_after_the_handoff() -> None:
    async with raw_server() as (url, seen):
        request = HandoffRequest(8)
        bot = Bot(TOKEN, base_url=f"{url}/bot", request=request)
        async with bot:  # initialize() asks getMe, through httpx
            assert bot.username == "b" and not request.handed_over
            await request.hand_over()
            await request.hand_over()  # idempotent
            assert request.handed_over
            assert await bot._post("sendMessage", {"chat_id": 1, "text": "hi"}) == {"message_id": 7}
        assert request.read_timeout == 5.0
    assert [head.split(b" ")[1].rsplit(b"/", 1)[1] for head, _ in seen.requests] == [
        b"getMe",
        b"sendMessage",
    ]


async def test_a_request_on_its_way_at_the_handoff_gets_its_answer() -> None:
    """The switch does not cut the httpx request in flight (a long poll, say)."""
    release = asyncio.Event()

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head, _ = await _read_request(reader)
                if b"/getUpdates " in head.split(b"\r\n")[0]:
                    await release.wait()
                body = OK if b"/getMe " not in head else ME
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}/bot{TOKEN}"
    request = HandoffRequest(1)
    await request.initialize()
    try:
        poll = asyncio.create_task(request.do_request(f"{url}/getUpdates", "POST"))
        await asyncio.sleep(0.05)  # the poll is held by the server
        await request.hand_over()
        assert (await request.do_request(f"{url}/getMe", "POST"))[0] == 200  # aiohttp
        release.set()
        code, body = await poll
        assert code == 200 and json.loads(body)["ok"] is True
    finally:
        await request.shutdown()
        server.close()
        await server.wait_closed()


async def test_the_test_harness_starts_on_aiohttp(harness: BotHarness) -> None:
    """start_application (tests, benchmarks, the shell) hands over at once: all they measure
    or check after start-up goes through the transport the bot runs on."""
    requests = harness.app.bot_data[HANDOFFS_KEY]
    assert len(requests) == 2 and all(r.handed_over for r in requests)
