"""PTB's request interface over an aiohttp client session: the bot's HTTP transport.

PTB ships one transport, ``HTTPXRequest``. Under load its cost is in httpcore's connection pool,
not in the network: for every request the pool walks all its connections and polls each idle
socket to see whether it expired (a system call per connection per request), and anyio wraps
every read and write. Broadcasting with limits off, that bookkeeping was about three quarters of
the bot's CPU time (bench/broadcast.py). aiohttp keeps idle connections in a plain per-host list
and parses responses with its C parser (llhttp), so the same broadcast costs far less per message.

The behaviour is PTB's: the same bodies on the wire (form fields via
:func:`bot.telegram.formrequest.form_encode`, files as multipart), the same default timeouts, the
same certificate trust and proxy settings from the environment as httpx, and the same exceptions
(``TimedOut`` for a timeout of any kind, ``NetworkError`` for any other transport failure), so
everything above this layer (PTB's error mapping, the outbox's verdicts) is unchanged.

One difference had to be made up for: httpcore probes a pooled connection before reusing it,
aiohttp does not, so a request could meet a kept-alive connection the server had just closed
and fail. Here idle connections expire after 5 s (as in httpx), and a request whose reused
connection goes down before a byte of the answer is sent once more on a new one, unless its
method posts something (send*, copy*, forward*): the server may have taken that one in, and
a message must never be sent twice behind the caller's back (the outbox decides itself).
"""

from __future__ import annotations

import urllib.request
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

from bot.telegram.formrequest import CONTENT_TYPE, form_encode
from bot.telegram.ptb_private import DefaultValue, ODVInput
from bot.telegram.transport import bot_api_ssl_context

KEEPALIVE_SECONDS = 5.0  # httpx's keepalive_expiry
_Timeouts = tuple[float | None, float | None, float | None, float | None]


class AiohttpRequest(BaseRequest):
    """A PTB ``BaseRequest`` with HTTPXRequest's defaults, sending through one aiohttp session."""

    def __init__(
        self,
        connection_pool_size: int = 1,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
        media_write_timeout: float | None = 20.0,
    ) -> None:
        self._pool_size = connection_pool_size
        self._defaults: _Timeouts = (read_timeout, write_timeout, connect_timeout, pool_timeout)
        self._media_write_timeout = media_write_timeout
        self._session: aiohttp.ClientSession | None = None
        self._timeouts: dict[_Timeouts, aiohttp.ClientTimeout] = {}
        self._env_proxies: dict[str, str] = {}
        self._proxy_for: dict[str, str | None] = {}  # scheme://host -> proxy URL or None

    @property
    def read_timeout(self) -> float | None:
        return self._defaults[0]

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            # Trust exactly what PTB's httpx transport trusts: certifi's CA bundle, or
            # SSL_CERT_FILE / SSL_CERT_DIR when set (a slim container may have no system store).
            # Idle connections are dropped after 5 s, as httpx does: well before a server
            # would close them, so a request rarely meets one the server has just closed.
            connector = aiohttp.TCPConnector(
                limit=self._pool_size,
                limit_per_host=0,
                ssl=bot_api_ssl_context(),
                keepalive_timeout=KEEPALIVE_SECONDS,
            )
            self._session = aiohttp.ClientSession(
                connector=connector,
                headers={"User-Agent": self.USER_AGENT},
                cookie_jar=aiohttp.DummyCookieJar(),  # the Bot API sets none; keep none
                raise_for_status=False,
                trace_configs=[_REUSE_TRACE],
            )
            # Like httpx, honour HTTP(S)_PROXY / NO_PROXY, read once here: aiohttp's own
            # trust_env looks them (and ~/.netrc) up in a thread on every request.
            self._env_proxies = urllib.request.getproxies()
            self._proxy_for.clear()

    async def shutdown(self) -> None:
        session, self._session = self._session, None
        if session is not None and not session.closed:
            await session.close()

    def _timeout(self, timeouts: _Timeouts) -> aiohttp.ClientTimeout:
        """aiohttp's timeout for PTB's four (cached: the same few combinations recur)."""
        found = self._timeouts.get(timeouts)
        if found is None:
            read, _, connect, pool = timeouts
            # aiohttp has no write timeout: the whole exchange is bounded by the sum instead,
            # so a stalled upload still ends in TimedOut.
            total = None if None in timeouts else sum(p for p in timeouts if p)
            found = aiohttp.ClientTimeout(
                total=total,
                connect=None if connect is None or pool is None else connect + pool,
                sock_connect=connect,
                sock_read=read,
            )
            if len(self._timeouts) < 64:
                self._timeouts[timeouts] = found
        return found

    def _proxy(self, url: str) -> str | None:
        """The environment's proxy for url's scheme and host, if any (cached per origin)."""
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin not in self._proxy_for:
            proxy = self._env_proxies.get(parts.scheme)
            if proxy is not None and urllib.request.proxy_bypass(parts.hostname or ""):
                proxy = None
            self._proxy_for[origin] = proxy
        return self._proxy_for[origin]

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        session = self._session
        if session is None or session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        files = request_data is not None and request_data.contains_files
        d_read, d_write, d_connect, d_pool = self._defaults
        if files:
            d_write = self._media_write_timeout
        timeout = self._timeout(
            (
                d_read if isinstance(read_timeout, DefaultValue) else read_timeout,
                d_write if isinstance(write_timeout, DefaultValue) else write_timeout,
                d_connect if isinstance(connect_timeout, DefaultValue) else connect_timeout,
                d_pool if isinstance(pool_timeout, DefaultValue) else pool_timeout,
            )
        )
        body, headers = _body(request_data)
        proxy = self._proxy(url)
        for attempt in (1, 2):
            reused: list[bool] = []  # set by _REUSE_TRACE when a pooled connection is taken
            try:
                async with session.request(
                    method,
                    url,
                    data=body,
                    headers=headers,
                    timeout=timeout,
                    proxy=proxy,
                    trace_request_ctx=reused,
                ) as response:
                    return response.status, await response.read()
            except (TimeoutError, aiohttp.ServerTimeoutError) as err:
                raise TimedOut from err
            except aiohttp.ServerDisconnectedError as err:
                # A kept-alive connection went down before a byte of the answer: most likely
                # the server closed it while it sat in the pool (httpcore probes idle sockets
                # to avoid that). A method that can be repeated is sent once more on a new
                # connection; one that posts something (send*, copy*, forward*) is not, since
                # the server may have taken it in: the caller gets a NetworkError as before.
                if attempt == 1 and reused and _repeatable(url):
                    if files:  # a multipart body is used up by sending it: build it anew
                        body, headers = _body(request_data)
                    continue
                raise NetworkError(f"aiohttp.{err.__class__.__name__}: {err}") from err
            except aiohttp.ClientError as err:
                raise NetworkError(f"aiohttp.{err.__class__.__name__}: {err}") from err
        raise AssertionError("unreachable")  # the loop returns or raises


_POSTS_SOMETHING = ("send", "copy", "forward")


def _repeatable(url: str) -> bool:
    """Whether the Bot API method of url can be repeated without posting something twice."""
    return not url.rsplit("/", 1)[-1].lower().startswith(_POSTS_SOMETHING)


async def _mark_reused(
    session: aiohttp.ClientSession,
    context: SimpleNamespace,
    params: aiohttp.TraceConnectionReuseconnParams,
) -> None:
    if isinstance(context.trace_request_ctx, list):
        context.trace_request_ctx.append(True)


_REUSE_TRACE = aiohttp.TraceConfig()
_REUSE_TRACE.on_connection_reuseconn.append(_mark_reused)
_REUSE_TRACE.freeze()


def _body(request_data: RequestData | None) -> tuple[Any, dict[str, str] | None]:
    """The body and its extra headers: multipart with files, else a form (or nothing)."""
    if request_data is None:
        return None, None
    if request_data.contains_files:
        return _multipart(request_data), None
    if params := request_data.json_parameters:
        return form_encode(params), {"Content-Type": CONTENT_TYPE}
    return None, None


def _multipart(request_data: RequestData) -> aiohttp.FormData:
    """The fields and files of a request as multipart/form-data (what httpx sends for files)."""
    form = aiohttp.FormData(quote_fields=False)
    for name, value in request_data.json_parameters.items():
        form.add_field(name, value)
    for name, (filename, content, mimetype) in request_data.multipart_data.items():
        form.add_field(name, content, filename=filename, content_type=mimetype)
    return form
