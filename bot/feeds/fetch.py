"""Downloading one feed: http(s) only, vetted addresses, bounded redirects, time and size.

The size cap applies to the decompressed body and is enforced while streaming: the raw bytes
are read as they come and inflated with a bounded output (zlib ``max_length``), so a small
gzip body that would unpack to a gigabyte is refused after at most the cap has been produced.
"""

from __future__ import annotations

import asyncio
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import httpx

from bot.feeds.addresses import AddressPolicy, Resolver, system_resolver, vetted_addresses
from bot.feeds.errors import MAX_BYTES, FeedError

MAX_REDIRECTS = 3
TIMEOUT = 20.0  # seconds for the whole fetch, redirects included
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
USER_AGENT = "SolidarityBot/0.1 (calendar feed reader)"
# Only what _Inflater can bound; httpx would otherwise offer br/zstd when those are installed.
ACCEPT_ENCODING = "gzip, deflate"


@dataclass(frozen=True)
class FetchResult:
    not_modified: bool
    body: bytes
    etag: str | None
    last_modified: str | None
    url: str  # the final URL after redirects


def check_url(url: str) -> str:
    """Scheme, host and port check of a feed URL; returns it stripped or raises FeedError."""
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError as exc:
        raise FeedError("address") from exc
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise FeedError("scheme")
    if parts.username or parts.password:
        raise FeedError("scheme")
    try:
        port = parts.port  # ValueError when out of range or not a number
    except ValueError as exc:
        raise FeedError("address") from exc
    if port == 0 or any(c.isspace() for c in url):
        raise FeedError("address")
    try:
        httpx.URL(url)  # the host as httpx will read it (IDNA, brackets)
    except (httpx.InvalidURL, UnicodeError, ValueError) as exc:
        raise FeedError("address") from exc
    return url


def host_and_port(url: str) -> tuple[str, int]:
    """The host name and port a checked URL connects to."""
    parts = urlsplit(url)
    return parts.hostname or "", parts.port or (443 if parts.scheme.lower() == "https" else 80)


def _refusal_kind(exc: BaseException) -> str | None:
    """The FeedError kind behind a connection the guarded backend refused, if any."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, FeedError):
            return current.kind
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


class _Inflater:
    """Decodes one Content-Encoding, never producing more than ``limit`` bytes in all."""

    def __init__(self, content_encoding: str, limit: int) -> None:
        codings = [c.strip().lower() for c in content_encoding.split(",")]
        codings = [c for c in codings if c and c != "identity"]
        if len(codings) > 1 or (codings and codings[0] not in ("gzip", "x-gzip", "deflate")):
            raise FeedError("encoding")
        # 47 = 32 + 15: a zlib or a gzip header, detected from the data.
        self._zlib = zlib.decompressobj(47) if codings else None
        self.limit = limit
        self.size = 0

    def feed(self, chunk: bytes) -> bytes:
        room = self.limit - self.size
        if self._zlib is None:
            out = chunk
        else:
            try:
                # At most room + 1 bytes: one more than allowed is enough to know it is too big.
                out = self._zlib.decompress(chunk, room + 1)
            except zlib.error as exc:
                raise FeedError("invalid") from exc
        self.size += len(out)
        if self.size > self.limit:
            raise FeedError("too_large")
        return out

    def finish(self) -> None:
        if self._zlib is not None and not self._zlib.eof:
            raise FeedError("invalid")  # the compressed stream was cut short


class FeedFetcher:
    """Downloads one feed under the safety rules above."""

    def __init__(
        self,
        *,
        policy: AddressPolicy | None = None,
        resolver: Resolver = system_resolver,
        timeout: float = TIMEOUT,
        max_bytes: int = MAX_BYTES,
        max_redirects: int = MAX_REDIRECTS,
        on_connect: Callable[[str, int], None] | None = None,
    ) -> None:
        self.policy = policy or AddressPolicy()
        self.resolver = resolver
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.max_redirects = max_redirects
        self.on_connect = on_connect

    async def check(self, url: str) -> str:
        """What /feed add checks before saving: a usable URL whose host is allowed."""
        url = check_url(url)
        host, port = host_and_port(url)
        try:
            async with asyncio.timeout(self.timeout):
                await vetted_addresses(host, port, self.policy, self.resolver)
        except TimeoutError as exc:
            raise FeedError("timeout") from exc
        return url

    async def fetch(
        self, url: str, *, etag: str | None = None, last_modified: str | None = None
    ) -> FetchResult:
        try:
            async with asyncio.timeout(self.timeout):
                return await self._fetch(url, etag, last_modified)
        except TimeoutError as exc:
            raise FeedError("timeout") from exc
        except httpx.TimeoutException as exc:
            raise FeedError("timeout") from exc
        except httpx.InvalidURL as exc:
            raise FeedError("address") from exc
        except httpx.HTTPError as exc:
            raise FeedError(_refusal_kind(exc) or "network") from exc
        except (OSError, UnicodeError) as exc:
            raise FeedError("network") from exc

    async def _fetch(self, url: str, etag: str | None, last_modified: str | None) -> FetchResult:
        from bot.feeds.transport import GuardedBackend, guarded_transport

        backend = GuardedBackend(self.policy, self.resolver, self.on_connect)
        headers = {
            "User-Agent": USER_AGENT,
            "Accept": "text/calendar, */*;q=0.5",
            "Accept-Encoding": ACCEPT_ENCODING,
        }
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        async with httpx.AsyncClient(
            transport=guarded_transport(backend),
            follow_redirects=False,
            timeout=httpx.Timeout(self.timeout),
            trust_env=False,
            headers=headers,
        ) as client:
            current = check_url(url)
            for _hop in range(self.max_redirects + 1):
                host, port = host_and_port(current)
                # Before any connection: every address of the host must be allowed.
                await vetted_addresses(host, port, self.policy, self.resolver)
                async with client.stream("GET", current) as response:
                    if response.status_code == 304:
                        return FetchResult(True, b"", etag, last_modified, current)
                    if response.status_code in _REDIRECTS:
                        location = response.headers.get("location")
                        if not location:
                            raise FeedError("http", response.status_code)
                        current = check_url(urljoin(current, location))
                        continue
                    if response.status_code != 200:
                        raise FeedError("http", response.status_code)
                    body = await self._read_capped(response)
                    return FetchResult(
                        False,
                        body,
                        response.headers.get("etag"),
                        response.headers.get("last-modified"),
                        current,
                    )
            raise FeedError("redirects")

    async def _read_capped(self, response: httpx.Response) -> bytes:
        declared = response.headers.get("content-length")
        if (
            declared
            and declared.isascii()
            and declared.isdigit()
            and int(declared) > self.max_bytes
        ):
            raise FeedError("too_large")
        inflater = _Inflater(response.headers.get("content-encoding", ""), self.max_bytes)
        chunks: list[bytes] = []
        raw_size = 0
        # aiter_raw: the bytes as sent; httpx's own decoding would inflate a whole chunk at once.
        async for raw in response.aiter_raw():
            raw_size += len(raw)
            if raw_size > self.max_bytes:
                raise FeedError("too_large")
            chunks.append(inflater.feed(raw))  # raises past the cap; leaving closes the stream
        inflater.finish()
        return b"".join(chunks)
