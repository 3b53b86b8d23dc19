"""bot.telegram.aiohttp_request: PTB's request contract over aiohttp (bodies, timeouts, errors,
proxies).

The whole suite already runs on this transport against the fake Bot API; these tests pin what
the suite does not reach: the exact bytes sent, each failure's PTB exception, and proxies from
the environment. Every server here is a raw asyncio server on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import json
import socket
import ssl
import urllib.parse
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
import trustme
from telegram import Bot, InputFile
from telegram.error import NetworkError, TimedOut
from telegram.request import RequestData
from telegram.request._requestparameter import RequestParameter

from bot.telegram.aiohttp_request import AiohttpRequest

TOKEN = "123456:TEST-aiohttp-request-token"
OK = json.dumps({"ok": True, "result": {"message_id": 7}}).encode()
ME = json.dumps(
    {"ok": True, "result": {"id": 123456, "is_bot": True, "first_name": "B", "username": "b"}}
).encode()

Handler = Callable[[bytes, bytes, asyncio.StreamWriter], Awaitable[None]]


class Seen:
    """What a raw server received: one (head, body) per request."""

    def __init__(self) -> None:
        self.requests: list[tuple[bytes, bytes]] = []


async def _read_request(reader: asyncio.StreamReader) -> tuple[bytes, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":", 1)[1])
    return head, await reader.readexactly(length)


async def _answer(writer: asyncio.StreamWriter, body: bytes) -> None:
    writer.write(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
        b"Content-Length: %d\r\n\r\n%s" % (len(body), body)
    )
    await writer.drain()


@asynccontextmanager
async def raw_server(
    silent: bool = False, tls: ssl.SSLContext | None = None
) -> AsyncIterator[tuple[str, Seen]]:
    """An HTTP/1.1 keep-alive server answering OK to everything (or nothing, if silent)."""
    seen = Seen()
    writers: list[asyncio.StreamWriter] = []

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writers.append(writer)
        try:
            while True:
                head, body = await _read_request(reader)
                seen.requests.append((head, body))
                if silent:
                    await asyncio.Event().wait()  # never answers; cancelled at close
                await _answer(writer, ME if b"/getMe " in head.split(b"\r\n")[0] else OK)
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0, ssl=tls)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"{'https' if tls else 'http'}://127.0.0.1:{port}", seen
    finally:
        server.close()
        for writer in writers:  # Python 3.11 has no Server.close_clients()
            writer.close()
        await server.wait_closed()


@pytest.fixture
def no_proxy_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "http_proxy",
        "https_proxy",
        "all_proxy",
        "no_proxy",
        "ssl_cert_file",
        "ssl_cert_dir",
    ):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)


def _form(**params: object) -> RequestData:
    return RequestData([RequestParameter.from_input(k, v) for k, v in params.items()])


async def test_form_body_is_urlencoded_and_connection_is_reused(no_proxy_env: None) -> None:
    async with raw_server() as (url, seen):
        request = AiohttpRequest(connection_pool_size=4)
        await request.initialize()
        try:
            text = '<b>Bold</b> & "quoted" — émigré 🚩\n\nnext'
            for _ in range(3):
                code, payload = await request.do_request(
                    f"{url}/bot{TOKEN}/sendMessage", "POST", _form(chat_id=5, text=text)
                )
                assert (code, payload) == (200, OK)
        finally:
            await request.shutdown()
    head, body = seen.requests[0]
    assert head.startswith(f"POST /bot{TOKEN}/sendMessage HTTP/1.1\r\n".encode())
    assert b"content-type: application/x-www-form-urlencoded" in head.lower()
    assert b"user-agent: python-telegram-bot" in head.lower()
    assert urllib.parse.parse_qs(body.decode(), strict_parsing=True) == {
        "chat_id": ["5"],
        "text": [text],
    }
    assert len(seen.requests) == 3


async def test_files_go_as_multipart_with_the_other_fields(no_proxy_env: None) -> None:
    async with raw_server() as (url, seen):
        request = AiohttpRequest()
        await request.initialize()
        try:
            photo = InputFile(b"\x89PNG fake bytes", filename="table.png")
            data = _form(chat_id=-100, caption="Tab <le>", photo=photo)
            assert data.contains_files
            code, _ = await request.do_request(f"{url}/bot{TOKEN}/sendPhoto", "POST", data)
            assert code == 200
        finally:
            await request.shutdown()
    head, body = seen.requests[0]
    assert _multipart_parts(head, body) == {
        "chat_id": (None, "text/plain", b"-100"),
        "caption": (None, "text/plain", b"Tab <le>"),
        "photo": ("table.png", "image/png", b"\x89PNG fake bytes"),
    }


def _multipart_parts(head: bytes, body: bytes) -> dict[str, tuple[str | None, str, bytes]]:
    """name -> (filename, content type, content) of a multipart/form-data request."""
    message = email.message_from_bytes(head.split(b"\r\n", 1)[1] + body, policy=email.policy.HTTP)
    assert message.get_content_type() == "multipart/form-data"
    parts = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        assert isinstance(name, str)
        parts[name] = (part.get_filename(), part.get_content_type(), part.get_payload(decode=True))
    return parts


async def test_a_silent_server_gives_timed_out_at_the_callers_read_timeout(
    no_proxy_env: None,
) -> None:
    async with raw_server(silent=True) as (url, _):
        request = AiohttpRequest(read_timeout=30.0)  # the per-call value must win
        await request.initialize()
        try:
            with pytest.raises(TimedOut):
                await asyncio.wait_for(
                    request.do_request(f"{url}/bot{TOKEN}/getMe", "POST", read_timeout=0.05),
                    timeout=5,
                )
        finally:
            await request.shutdown()


async def test_a_refused_connection_is_a_network_error_not_a_timeout(no_proxy_env: None) -> None:
    with socket.socket() as sock:  # a port that was free a moment ago and has no listener
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    request = AiohttpRequest()
    await request.initialize()
    try:
        with pytest.raises(NetworkError) as caught:
            await request.do_request(f"http://127.0.0.1:{port}/bot{TOKEN}/getMe", "POST")
        assert not isinstance(caught.value, TimedOut)
        assert "aiohttp." in str(caught.value)
    finally:
        await request.shutdown()


async def test_requests_need_initialize_and_shutdown_is_idempotent() -> None:
    request = AiohttpRequest()
    with pytest.raises(RuntimeError, match="not initialized"):
        await request.do_request("http://127.0.0.1:9/bot/getMe", "POST")
    await request.initialize()
    await request.shutdown()
    await request.shutdown()
    with pytest.raises(RuntimeError, match="not initialized"):
        await request.do_request("http://127.0.0.1:9/bot/getMe", "POST")


async def test_proxy_from_environment_and_no_proxy(
    no_proxy_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """HTTP_PROXY is honoured as httpx would; NO_PROXY sends the same request direct."""
    async with raw_server() as (proxy_url, proxy_seen), raw_server() as (api_url, api_seen):
        monkeypatch.setenv("HTTP_PROXY", proxy_url)
        for no_proxy in ("", "127.0.0.1"):
            monkeypatch.setenv("NO_PROXY", no_proxy)
            request = AiohttpRequest()
            await request.initialize()  # the environment is read here
            try:
                await request.do_request(f"{api_url}/bot{TOKEN}/getMe", "POST")
            finally:
                await request.shutdown()
    # Through the proxy: the absolute URL in the request line (HTTP forward proxying).
    assert proxy_seen.requests[0][0].startswith(f"POST {api_url}/bot{TOKEN}/getMe ".encode())
    assert len(proxy_seen.requests) == 1
    assert api_seen.requests[0][0].startswith(f"POST /bot{TOKEN}/getMe ".encode())
    assert len(api_seen.requests) == 1


async def test_a_ptb_bot_runs_on_it(no_proxy_env: None) -> None:
    """PTB's Bot accepts it as its request object and reads the answers it returns."""
    async with raw_server() as (url, seen):
        bot = Bot(TOKEN, base_url=f"{url}/bot", request=AiohttpRequest(8))
        async with bot:  # initialize() asks getMe
            assert bot.username == "b"
            result = await bot._post("sendMessage", {"chat_id": 1, "text": "hi"})
        assert result == {"message_id": 7}
    assert seen.requests[-1][0].startswith(f"POST /bot{TOKEN}/sendMessage ".encode())


async def test_https_trusts_what_httpx_trusts(
    no_proxy_env: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A certificate from an unknown CA is refused; SSL_CERT_FILE naming that CA is honoured."""
    ca = trustme.CA()
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(server_tls)
    ca_file = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    async with raw_server(tls=server_tls) as (url, seen):
        for trusted in (False, True):
            if trusted:
                monkeypatch.setenv("SSL_CERT_FILE", str(ca_file))
            request = AiohttpRequest()
            await request.initialize()
            try:
                if trusted:
                    code, _ = await request.do_request(f"{url}/bot{TOKEN}/getMe", "POST")
                    assert code == 200
                else:
                    with pytest.raises(NetworkError, match=r"(?i)certificate") as caught:
                        await request.do_request(f"{url}/bot{TOKEN}/getMe", "POST")
                    assert not isinstance(caught.value, TimedOut)
            finally:
                await request.shutdown()
    assert len(seen.requests) == 1  # the refused handshake never carried a request


@asynccontextmanager
async def closing_server(
    answers: int, keep_alive: bool = False
) -> AsyncIterator[tuple[str, list[int]]]:
    """Answers the first `answers` requests, then takes each next one in and hangs up without
    answering. Without keep_alive it closes every connection after one answer (and without a
    "Connection: close" header). Yields its URL and, per request received, the number of the
    connection it came on."""
    seen: list[int] = []
    connections = 0

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal connections
        connections += 1
        number = connections
        try:
            while True:
                await _read_request(reader)
                seen.append(number)
                if len(seen) > answers:
                    return
                await _answer(writer, OK)
                if not keep_alive:
                    return
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    try:
        yield f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}", seen
    finally:
        server.close()
        await server.wait_closed()


async def test_a_repeatable_call_survives_a_connection_the_server_closed(
    no_proxy_env: None,
) -> None:
    async with closing_server(answers=50) as (url, seen):
        request = AiohttpRequest(connection_pool_size=4)
        await request.initialize()
        try:
            for _ in range(50):  # back to back: the close races the next request
                code, _ = await request.do_request(f"{url}/bot{TOKEN}/editMessageText", "POST")
                assert code == 200
        finally:
            await request.shutdown()
    assert len(seen) == 50  # every request reached the server exactly once
    assert len(set(seen)) == 50  # each on a connection of its own


@pytest.mark.parametrize(
    ("method", "reused", "received"),
    [
        ("sendMessage", True, 2),  # posts something: never sent again behind the caller's back
        ("editMessageText", True, 3),  # repeatable: sent once more on a new connection
        ("sendMessage", False, 1),  # a new connection that drops: nothing to blame on reuse
        ("editMessageText", False, 1),
    ],
)
async def test_a_call_that_gets_no_answer_is_a_network_error(
    no_proxy_env: None, method: str, reused: bool, received: int
) -> None:
    """The server takes the call in and hangs up; on a kept-alive connection or a new one."""
    async with closing_server(answers=1 if reused else 0, keep_alive=True) as (url, seen):
        request = AiohttpRequest()
        await request.initialize()
        try:
            if reused:  # one answered call leaves the connection in the pool
                await request.do_request(f"{url}/bot{TOKEN}/getMe", "POST")
            with pytest.raises(NetworkError, match="ServerDisconnected"):
                await request.do_request(f"{url}/bot{TOKEN}/{method}", "POST")
        finally:
            await request.shutdown()
    assert len(seen) == received
