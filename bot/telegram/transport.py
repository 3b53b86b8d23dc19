"""The Bot API transport: PTB's own (httpx) while the bot starts, then aiohttp once it polls.

aiohttp (bot/telegram/aiohttp_request.py) is the bot's transport for its low cost per request
under load, but importing it is the largest single cost of a cold start: its modules, and two
TLS contexts it builds at import from the system's CA store (the bot never uses them; it passes
its own). PTB loads httpx anyway, so getMe, deleteWebhook and the first getUpdates go through
PTB's ``HTTPXRequest``, and :meth:`HandoffRequest.hand_over` switches each request object to
aiohttp shortly after start-up (the one-off ``transport-handoff`` job in bot/jobs.py, once the
updates waiting at start have been answered).

Both transports behave as PTB's does: the same default timeouts, the same proxy settings from
the environment, the same exceptions (``TimedOut``, ``NetworkError``), and the same certificate
trust, through one shared context (:func:`bot_api_ssl_context`). A request already on its way
through httpx when the switch happens finishes there; the httpx client is closed once it is idle.
"""

from __future__ import annotations

import asyncio
import functools
import importlib
import logging
import os
import ssl
from collections.abc import Awaitable

import httpx
from telegram.request import BaseRequest, HTTPXRequest, RequestData

from bot.telegram.ptb_private import DEFAULT_NONE, ODVInput

log = logging.getLogger(__name__)


def bot_api_ssl_context() -> ssl.SSLContext:
    """The CA trust of PTB's httpx transport: certifi's bundle, or SSL_CERT_FILE / SSL_CERT_DIR
    when set (a slim container may have no system store). Built once per setting: loading a
    bundle takes 20-50 ms."""
    return _ssl_context(os.environ.get("SSL_CERT_FILE"), os.environ.get("SSL_CERT_DIR"))


@functools.lru_cache(maxsize=4)
def _ssl_context(cert_file: str | None, cert_dir: str | None) -> ssl.SSLContext:
    del cert_file, cert_dir  # the cache key; httpx reads the same variables itself
    return httpx.create_ssl_context()


class HandoffRequest(BaseRequest):
    """A PTB request object that sends through ``HTTPXRequest`` until :meth:`hand_over`, and
    through an ``AiohttpRequest`` with the same pool size from then on."""

    def __init__(self, connection_pool_size: int = 1) -> None:
        self._pool_size = connection_pool_size
        # HTTPXRequest's other defaults are AiohttpRequest's (timeouts 5/5/5/1 s, media 20 s).
        self._first = HTTPXRequest(
            connection_pool_size=connection_pool_size,
            httpx_kwargs={"verify": bot_api_ssl_context()},
        )
        self._then: BaseRequest | None = None
        self._first_busy = 0  # requests on their way through httpx
        self._closed = False

    @property
    def handed_over(self) -> bool:
        return self._then is not None

    @property
    def read_timeout(self) -> float | None:
        return self._first.read_timeout

    async def initialize(self) -> None:
        self._closed = False
        if self._then is not None:
            await self._then.initialize()
        else:
            await self._first.initialize()

    async def shutdown(self) -> None:
        self._closed = True
        await self._first.shutdown()
        if self._then is not None:
            await self._then.shutdown()

    async def hand_over(self) -> None:
        """Send every later request through aiohttp (imported now, in a thread, so that the
        event loop keeps serving updates meanwhile). Idempotent."""
        if self._then is not None or self._closed:
            return
        module = await asyncio.to_thread(importlib.import_module, "bot.telegram.aiohttp_request")
        if self._then is not None or self._closed:  # another hand-over, or shut down meanwhile
            return
        then: BaseRequest = module.AiohttpRequest(connection_pool_size=self._pool_size)
        await then.initialize()
        self._then = then
        if self._first_busy == 0:
            await self._first.shutdown()

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
        def send(via: BaseRequest) -> Awaitable[tuple[int, bytes]]:
            return via.do_request(
                url,
                method,
                request_data=request_data,
                read_timeout=read_timeout,
                write_timeout=write_timeout,
                connect_timeout=connect_timeout,
                pool_timeout=pool_timeout,
            )

        then = self._then
        if then is not None:
            return await send(then)
        self._first_busy += 1
        try:
            return await send(self._first)
        finally:
            self._first_busy -= 1
            if self._first_busy == 0 and self._then is not None and not self._closed:
                # The last request through httpx after the switch: close its idle connections.
                await self._first.shutdown()
