"""`/health` (JSON) and `/metrics` (Prometheus text) on a small local HTTP server.

Off unless `run --health-port N` or BOT_HEALTH_PORT is given; binds 127.0.0.1 by default
(BOT_HEALTH_LISTEN to change). Started in post_init, stopped in post_shutdown, on the bot's own
event loop (tornado, which PTB's webhook server uses too).
"""

from __future__ import annotations

import json
import logging
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from telegram.ext import Application
from tornado.httpserver import HTTPServer
from tornado.netutil import bind_sockets
from tornado.web import Application as WebApplication
from tornado.web import RequestHandler

from bot.broadcast.budget import SendBudget
from bot.clock import utcnow
from bot.jobs import REMINDERS_JOB, describe_jobs, scheduler_running
from bot.ops.metrics import Metrics, metrics_of
from bot.services import SERVICES_KEY, Services
from bot.telegram.chat_order import pending_updates
from storage.maintenance import broadcast_backlog, ping

log = logging.getLogger(__name__)

HEALTH_CONFIG_KEY = "health_config"
HEALTH_SERVER_KEY = "health_server"
MODE_KEY = "update_mode"  # "polling" | "webhook", set by the runner
# Long polling asks every few seconds; no successful getUpdates for this long means trouble.
POLLING_STALE_AFTER = timedelta(minutes=5)
# A reminder pass re-arms its wake-up job when it ends; a pass takes seconds, not minutes.
REMINDERS_STALE_AFTER = timedelta(minutes=2)

AnyApplication = Application[Any, Any, Any, Any, Any, Any]


@dataclass(frozen=True)
class HealthConfig:
    host: str = "127.0.0.1"
    port: int = 0  # 0: any free port (tests); the bound port is on HealthServer.port


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _reminders_stalled(app: AnyApplication, services: object, now: datetime) -> bool:
    """The reminders' wake-up job is gone and no pass has armed it for a while."""
    reminders = getattr(services, "reminders", None)
    if reminders is None or not reminders.started or app.job_queue is None:
        return False
    if app.job_queue.get_jobs_by_name(REMINDERS_JOB):
        return False
    last = reminders.last_pass_at
    return last is None or now - last > REMINDERS_STALE_AFTER


async def collect_health(app: AnyApplication) -> dict[str, Any]:
    """The /health document; `ok` is False when something needs a human."""
    metrics = metrics_of(app)
    now = utcnow(metrics.clock)
    services = app.bot_data.get(SERVICES_KEY)
    db_ok = False
    schema: int | None = None
    backlog: int | None = None
    if isinstance(services, Services):
        db_ok = await ping(services.db)
        if db_ok:
            schema = await services.db.schema_version()
            backlog = await broadcast_backlog(services.db)
            if backlog is not None:
                metrics.broadcast_backlog.set(backlog)
    budget = getattr(app.bot, "rate_limiter", None)
    mode = str(app.bot_data.get(MODE_KEY, "polling"))
    scheduler = scheduler_running(app)
    jobs = describe_jobs(app)
    problems: list[str] = []
    if not db_ok:
        problems.append("database unreachable")
    if scheduler is False:
        problems.append("scheduler stopped")
    elif scheduler and _reminders_stalled(app, services, now):
        problems.append("reminder wake-up not scheduled")
    if not app.running:
        problems.append("application not running")
    last_poll = metrics.last_get_updates_at
    polling = mode == "polling" and app.updater is not None and app.updater.running
    if polling and (last_poll is None or now - last_poll > POLLING_STALE_AFTER):
        problems.append("no successful getUpdates recently")
    return {
        "ok": not problems,
        "problems": problems,
        "time": now.isoformat(),
        "mode": mode,
        "database": {"reachable": db_ok, "schema_version": schema},
        "scheduler": {
            "running": scheduler,
            "jobs": [{"name": job.name, "next_run": _iso(job.next_run)} for job in jobs],
        },
        "updates": {
            "last_update_at": _iso(metrics.last_update_at),
            "last_get_updates_at": _iso(last_poll),
            "pending": pending_updates(app),
        },
        "broadcast_backlog": backlog,
        "send_budget": budget.snapshot() if isinstance(budget, SendBudget) else None,
    }


class _HealthHandler(RequestHandler):
    def initialize(self, app: AnyApplication) -> None:
        self.bot_app = app

    async def get(self) -> None:
        try:
            doc = await collect_health(self.bot_app)
        except Exception as exc:  # report, never crash the bot
            log.warning("health check failed: %s", type(exc).__name__)
            doc = {"ok": False, "problems": [f"health check failed: {type(exc).__name__}"]}
        self.set_status(200 if doc.get("ok") else 503)
        self.set_header("Content-Type", "application/json")
        self.set_header("Cache-Control", "no-store")
        self.finish(json.dumps(doc, indent=1))


class _MetricsHandler(RequestHandler):
    def initialize(self, app: AnyApplication) -> None:
        self.bot_app = app

    async def get(self) -> None:
        metrics: Metrics = metrics_of(self.bot_app)
        services = self.bot_app.bot_data.get(SERVICES_KEY)
        if isinstance(services, Services):
            try:
                backlog = await broadcast_backlog(services.db)
            except Exception:
                backlog = None
            if backlog is not None:
                metrics.broadcast_backlog.set(backlog)
        self.set_header("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
        self.finish(metrics.render())


class HealthServer:
    """The running server; `port` is the bound port (useful with port 0)."""

    def __init__(self, app: AnyApplication, config: HealthConfig) -> None:
        self.config = config
        web = WebApplication(
            [
                (r"/health", _HealthHandler, {"app": app}),
                (r"/metrics", _MetricsHandler, {"app": app}),
            ]
        )
        self._server = HTTPServer(web, xheaders=False)
        self._sockets: list[socket.socket] = []
        self.port = config.port

    def start(self) -> None:
        self._sockets = bind_sockets(self.config.port, self.config.host)
        self._server.add_sockets(self._sockets)
        self.port = int(self._sockets[0].getsockname()[1])

    async def stop(self) -> None:
        self._server.stop()
        await self._server.close_all_connections()


async def start_health_server(app: AnyApplication) -> HealthServer | None:
    """Start the server if app.bot_data holds a HealthConfig (post_init calls this)."""
    config = app.bot_data.get(HEALTH_CONFIG_KEY)
    if not isinstance(config, HealthConfig):
        return None
    server = HealthServer(app, config)
    server.start()
    app.bot_data[HEALTH_SERVER_KEY] = server
    log.info("health endpoint on http://%s:%d/health", config.host, server.port)
    return server


async def stop_health_server(app: AnyApplication) -> None:
    server = app.bot_data.pop(HEALTH_SERVER_KEY, None)
    if isinstance(server, HealthServer):
        await server.stop()


def health_server_of(app: AnyApplication) -> HealthServer | None:
    server = app.bot_data.get(HEALTH_SERVER_KEY)
    return server if isinstance(server, HealthServer) else None
