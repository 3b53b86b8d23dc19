"""HTTP transport for :class:`BotApiCore`: a tornado server on 127.0.0.1 speaking the Bot API.

Use ``url = await server.start()`` and point PTB at it with
``Bot(token, base_url=url + "/bot", base_file_url=url + "/file/bot")``.
"""

from __future__ import annotations

import json
import logging
import socket
from typing import Any

import tornado.httpserver
import tornado.httputil
import tornado.netutil
import tornado.web

from bot.emulator.core import BotApiCore
from bot.emulator.faults import ConnectionDropped, MalformedAnswer
from bot.emulator.state import dumps

_UNAUTHORIZED = {"ok": False, "error_code": 401, "description": "Unauthorized"}


class _Base(tornado.web.RequestHandler):
    core: BotApiCore

    def initialize(self, core: BotApiCore) -> None:
        self.core = core

    def check_xsrf_cookie(self) -> None:  # pragma: no cover - xsrf is off anyway
        return None

    def _json(self, status: int, body: Any) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        self.finish(dumps(body))

    def _drop(self) -> None:
        self._auto_finish = False
        connection = self.request.connection
        if connection is not None:
            connection.close()  # type: ignore[attr-defined]

    def _gone(self) -> bool:
        connection = self.request.connection
        stream = getattr(connection, "stream", None)
        return stream is not None and bool(stream.closed())


class _MethodHandler(_Base):
    async def post(self, token: str, method: str) -> None:
        if token != self.core.token:
            self._json(401, _UNAUTHORIZED)
            return
        params: dict[str, Any] = {}
        files: dict[str, tuple[str, bytes]] = {}
        for key, values in self.request.query_arguments.items():
            params[key] = values[-1].decode("utf-8", "replace")
        body = self.request.body
        ctype = self.request.headers.get("Content-Type", "")
        if body and ctype.startswith("application/json"):
            try:
                loaded = json.loads(body)
            except ValueError:
                self._json(400, {"ok": False, "error_code": 400, "description": "Bad Request"})
                return
            if isinstance(loaded, dict):
                params.update(loaded)
        elif body:
            args: dict[str, list[bytes]] = {}
            uploads: dict[str, list[tornado.httputil.HTTPFile]] = {}
            tornado.httputil.parse_body_arguments(ctype, body, args, uploads)
            for key, values in args.items():
                params[key] = values[-1].decode("utf-8", "replace")
            for key, items in uploads.items():
                files[key] = (items[-1].filename or key, items[-1].body)
        try:
            status, answer = await self.core.call(method, params, files)
        except MalformedAnswer as exc:
            self.set_status(200)
            self.set_header("Content-Type", "application/json")
            self.finish(exc.body)
            return
        except ConnectionDropped:
            self._drop()
            return
        if self._gone():
            self._auto_finish = False
            return
        self._json(status, answer)

    get = post


class _FileHandler(_Base):
    async def get(self, token: str, path: str) -> None:
        if token != self.core.token:
            self._json(401, _UNAUTHORIZED)
            return
        data = self.core.file_by_path(path)
        if data is None:
            self._json(404, {"ok": False, "error_code": 404, "description": "Not Found"})
            return
        self.set_header("Content-Type", "application/octet-stream")
        self.finish(data)


class FakeBotApiServer:
    """Serves ``/bot<token>/<method>`` and ``/file/bot<token>/<path>`` for one core."""

    def __init__(self, core: BotApiCore | None = None, *, host: str = "127.0.0.1") -> None:
        self.core = core if core is not None else BotApiCore()
        self.host = host
        self.port: int | None = None
        self._server: tornado.httpserver.HTTPServer | None = None

    @property
    def url(self) -> str:
        if self.port is None:
            raise RuntimeError("server not started")
        return f"http://{self.host}:{self.port}"

    @property
    def bot_base_url(self) -> str:
        """``base_url`` for ``telegram.Bot`` / ``ApplicationBuilder.base_url``."""
        return self.url + "/bot"

    @property
    def file_base_url(self) -> str:
        return self.url + "/file/bot"

    async def start(self) -> str:
        """Listen on an OS-assigned port; return the base URL (TELEGRAM_API_BASE_URL)."""
        if self._server is not None:
            return self.url
        self.core.open()
        app = tornado.web.Application(
            [
                (r"/bot([^/]+)/([A-Za-z0-9_]+)/?", _MethodHandler, {"core": self.core}),
                (r"/file/bot([^/]+)/(.+)", _FileHandler, {"core": self.core}),
            ],
            log_function=_no_log,
            compress_response=False,
        )
        sockets = tornado.netutil.bind_sockets(0, self.host, family=socket.AF_INET, backlog=1024)
        self._server = tornado.httpserver.HTTPServer(
            app, max_body_size=60 * 1024 * 1024, idle_connection_timeout=300
        )
        self._server.add_sockets(sockets)
        self.port = int(sockets[0].getsockname()[1])
        return self.url

    async def stop(self) -> None:
        """Release long polls and held requests, close every connection."""
        server, self._server = self._server, None
        self.core.shutdown()
        if server is None:
            return
        server.stop()
        await server.close_all_connections()

    async def __aenter__(self) -> FakeBotApiServer:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()


def _no_log(handler: tornado.web.RequestHandler) -> None:
    if handler.get_status() >= 500 and handler.get_status() not in (500, 502):
        logging.getLogger(__name__).warning("fake Bot API answered %s", handler.get_status())
