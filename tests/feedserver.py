"""A tiny calendar server on 127.0.0.1 for the feed tests (tornado, real HTTP)."""

from __future__ import annotations

import asyncio
import socket
from dataclasses import dataclass, field
from typing import Any

import tornado.httpserver
import tornado.netutil
import tornado.web


@dataclass
class Route:
    """What one path answers."""

    body: bytes = b""
    status: int = 200
    etag: str | None = None
    last_modified: str | None = None
    location: str | None = None
    delay: float = 0.0  # seconds before answering (slow server)
    chunked: bool = False  # stream without Content-Length
    content_type: str = "text/calendar; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)  # extra, e.g. Content-Encoding


@dataclass
class FeedServer:
    routes: dict[str, Route] = field(default_factory=dict)
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    port: int | None = None
    _server: tornado.httpserver.HTTPServer | None = None

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def hits(self, path: str) -> int:
        return sum(1 for p, _ in self.requests if p == path)

    async def start(self) -> None:
        app = tornado.web.Application([(r"(/.*)", _Handler, {"server": self})])
        sockets = tornado.netutil.bind_sockets(0, "127.0.0.1", family=socket.AF_INET)
        self._server = tornado.httpserver.HTTPServer(app)
        self._server.add_sockets(sockets)
        self.port = int(sockets[0].getsockname()[1])

    async def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            await self._server.close_all_connections()
            self._server = None


class _Handler(tornado.web.RequestHandler):
    def initialize(self, server: FeedServer) -> None:
        self.server = server

    def compute_etag(self) -> str | None:
        return None  # the route decides

    async def get(self, path: str) -> None:
        headers = {k.lower(): v for k, v in self.request.headers.items()}
        self.server.requests.append((path, headers))
        route = self.server.routes.get(path)
        if route is None:
            self.set_status(404)
            return
        if route.delay:
            await asyncio.sleep(route.delay)
        if route.location is not None:
            self.set_status(route.status if route.status in (301, 302, 303, 307, 308) else 302)
            self.set_header("Location", route.location)
            return
        if route.etag:
            self.set_header("ETag", route.etag)
        if route.last_modified:
            self.set_header("Last-Modified", route.last_modified)
        inm = headers.get("if-none-match")
        ims = headers.get("if-modified-since")
        if (route.etag and inm == route.etag) or (
            route.last_modified and ims == route.last_modified and not route.etag
        ):
            self.set_status(304)
            return
        self.set_status(route.status)
        self.set_header("Content-Type", route.content_type)
        for name, value in route.headers.items():
            self.set_header(name, value)
        if route.chunked:
            step = 64 * 1024
            for start in range(0, len(route.body), step):
                self.write(route.body[start : start + step])
                try:
                    await self.flush()
                except Exception:
                    return  # the client hung up (size cap): fine
            return
        self.write(route.body)

    def log_exception(self, *args: Any, **kwargs: Any) -> None:
        pass


def vevent(
    uid: str,
    start: str,
    summary: str,
    *,
    location: str = "Parliament Square, London",
    extra: str = "",
) -> str:
    """One VEVENT; start is an iCalendar DTSTART value with its parameters, e.g.
    ``:20261205T140000Z`` or ``;TZID=Europe/London:20261205T140000``."""
    lines = [
        "BEGIN:VEVENT",
        f"UID:{uid}",
        "DTSTAMP:20261101T000000Z",
        f"DTSTART{start}",
        f"SUMMARY:{summary}",
        f"LOCATION:{location}",
    ]
    if extra:
        lines.extend(extra.strip().splitlines())
    lines.append("END:VEVENT")
    return "\r\n".join(lines)


def vcalendar(*events: str) -> bytes:
    body = "\r\n".join(
        ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//tests//feeds//EN", *events, "END:VCALENDAR"]
    )
    return (body + "\r\n").encode()
