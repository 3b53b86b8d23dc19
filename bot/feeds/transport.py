"""The guarded connection layer under a feed fetch: only vetted addresses, checked at connect.

Imported by bot.feeds.fetch when a feed is fetched, not at start-up: httpcore and h11 cost
about 20 ms of every cold start and most starts fetch no feed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import httpcore
import httpx

from bot.feeds.addresses import AddressPolicy, Resolver, vetted_addresses
from bot.feeds.errors import FeedError


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """Connects only to vetted addresses, checked again at connect time (DNS rebinding)."""

    def __init__(
        self,
        policy: AddressPolicy,
        resolver: Resolver,
        on_connect: Callable[[str, int], None] | None = None,
    ) -> None:
        self.policy = policy
        self.resolver = resolver
        self.on_connect = on_connect
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        try:
            addresses = await vetted_addresses(host, port, self.policy, self.resolver)
        except FeedError as exc:
            raise httpcore.ConnectError(f"refused: {exc.kind}") from exc
        if self.on_connect is not None:
            self.on_connect(addresses[0], port)
        return await self._inner.connect_tcp(
            addresses[0], port, timeout, local_address, socket_options
        )

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("unix sockets are not allowed")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


def guarded_transport(backend: GuardedBackend) -> httpx.AsyncHTTPTransport:
    """An httpx transport whose every connection goes through the guarded backend."""
    transport = httpx.AsyncHTTPTransport(trust_env=False, retries=0)
    # httpx has no public hook for the network backend; the pool is the documented httpcore
    # AsyncConnectionPool, rebuilt here with the guard (httpx is pinned <0.29 in pyproject).
    transport._pool = httpcore.AsyncConnectionPool(
        ssl_context=httpx.create_ssl_context(),
        max_connections=10,
        max_keepalive_connections=0,
        network_backend=backend,
    )
    return transport
