"""In-process transport: a PTB ``BaseRequest`` that calls :class:`BotApiCore` directly.

core = BotApiCore()
app = (
    ApplicationBuilder().token(core.token)
    .request(EmulatorRequest(core)).get_updates_request(EmulatorRequest(core))
    .build()
)
"""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import unquote, urlsplit

from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

from bot.emulator.core import BotApiCore
from bot.emulator.faults import ConnectionDropped, MalformedAnswer
from bot.emulator.state import dumps
from bot.telegram.ptb_private import DEFAULT_NONE, ODVInput

_UNAUTHORIZED = {"ok": False, "error_code": 401, "description": "Unauthorized"}


class EmulatorRequest(BaseRequest):
    """No network: parses PTB's ``RequestData`` like the HTTP server would and calls the core.

    ``read_timeout`` (seconds, None = wait forever) bounds each call like HTTPX would, so
    fault kind ``"timeout"`` surfaces as :class:`telegram.error.TimedOut`.
    """

    def __init__(self, core: BotApiCore, *, read_timeout: float | None = 5.0) -> None:
        self.core = core
        self._read_timeout = read_timeout
        self._tasks: set[asyncio.Future[tuple[int, dict[str, Any]]]] = set()

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        self.core.open()

    async def shutdown(self) -> None:
        for task in list(self._tasks):
            task.cancel()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = DEFAULT_NONE,
        write_timeout: ODVInput[float] = DEFAULT_NONE,
        connect_timeout: ODVInput[float] = DEFAULT_NONE,
        pool_timeout: ODVInput[float] = DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        path = unquote(urlsplit(url).path)
        parts = path.strip("/").split("/")
        if len(parts) >= 3 and parts[0] == "file":
            if parts[1] != f"bot{self.core.token}":
                return 401, dumps(_UNAUTHORIZED)
            data = self.core.file_by_path("/".join(parts[2:]))
            if data is None:
                return 404, dumps({"ok": False, "error_code": 404, "description": "Not Found"})
            return 200, data
        if len(parts) < 2 or parts[-2] != f"bot{self.core.token}":
            return 401, dumps(_UNAUTHORIZED)
        params: dict[str, Any] = dict(request_data.json_parameters) if request_data else {}
        files: dict[str, tuple[str, bytes]] = {}
        if request_data is not None and request_data.contains_files:
            for name, field in request_data.multipart_data.items():
                filename, content = field[0], field[1]
                if not isinstance(content, bytes):
                    content = content.read()
                files[name] = (filename or name, content)
        timeout = read_timeout if isinstance(read_timeout, int | float) else None
        if read_timeout is DEFAULT_NONE:
            timeout = self._read_timeout
        # Like a real server, the core goes on with a call the client stopped waiting for.
        task = asyncio.ensure_future(self.core.call(parts[-1], params, files))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        try:
            status, body = await asyncio.wait_for(asyncio.shield(task), timeout)
        except TimeoutError as exc:
            raise TimedOut(f"emulator: {parts[-1]} timed out") from exc
        except MalformedAnswer as exc:
            return 200, exc.body
        except ConnectionDropped as exc:
            raise NetworkError("emulator: server disconnected without sending a response") from exc
        return status, dumps(body)
