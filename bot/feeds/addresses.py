"""Which hosts a feed may point to, checked before and again at connection time."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.feeds.errors import FeedError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
Resolver = Callable[[str, int], Awaitable[list[str]]]

# Not globally reachable although the ipaddress tables of Python 3.11 call them global (newer
# tables and the IANA registries do not): 6to4 (whose relays reach any IPv4 address, private
# ones included), deprecated site-local IPv6, IETF protocol assignments, the 6to4 relay anycast.
NOT_GLOBAL: tuple[IPNetwork, ...] = tuple(
    ipaddress.ip_network(net)
    for net in ("2002::/16", "fec0::/10", "192.0.0.0/24", "192.88.99.0/24", "64:ff9b:1::/48")
)


def is_public(ip: IPAddress) -> bool:
    """True for a globally reachable unicast address, in ipaddress's sense, and no other."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if any(ip.version == net.version and ip in net for net in NOT_GLOBAL):
        return False
    return ip.is_global and not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or (isinstance(ip, ipaddress.IPv6Address) and ip.is_site_local)
    )


@dataclass(frozen=True)
class AddressPolicy:
    """Which addresses a feed may point to: public ones, plus whatever is allowed here."""

    allow_private: bool = False
    allow_networks: tuple[IPNetwork, ...] = ()

    def allows(self, ip: IPAddress) -> bool:
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        if self.allow_private:
            return True
        if any(ip.version == net.version and ip in net for net in self.allow_networks):
            return True
        return is_public(ip)


async def system_resolver(host: str, port: int) -> list[str]:
    """Every address the host resolves to (A and AAAA)."""
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


async def vetted_addresses(
    host: str, port: int, policy: AddressPolicy, resolver: Resolver
) -> list[str]:
    """Resolve host and check every address; FeedError('private') if any is not allowed."""
    host = host.strip("[]")
    try:
        literal: IPAddress | None = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if literal is not None:
        addresses = [str(literal)]
    else:
        try:
            addresses = await resolver(host, port)
        except socket.gaierror as exc:
            raise FeedError("dns") from exc
        except UnicodeError as exc:
            raise FeedError("address") from exc
        except OSError as exc:
            raise FeedError("network") from exc
    if not addresses:
        raise FeedError("dns")
    for address in addresses:
        try:
            ip = ipaddress.ip_address(address.split("%", 1)[0])
        except ValueError as exc:
            raise FeedError("network") from exc
        if not policy.allows(ip):
            raise FeedError("private")
    return addresses
