"""The one application factory used by `run`, `shell`, the tests and the benchmarks."""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from typing import Any

from telegram.ext import Application, ApplicationBuilder, BaseRateLimiter
from telegram.request import BaseRequest

from bot.broadcast import announce
from bot.broadcast.budget import SendBudget
from bot.broadcast.outbox import OutboxOptions, build_outbox
from bot.broadcast.ratelimit import OutboxLimits
from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.content.service import ContentService
from bot.feeds.service import build_feed_service
from bot.jobs import (
    HANDOFFS_KEY,
    demo_notice_wakeup,
    hand_over_transports,
    register_jobs,
    reminder_wakeup,
    schedule_start_jobs,
)
from bot.ops.alerts import ErrorAlerts
from bot.ops.health import start_health_server, stop_health_server
from bot.ops.metrics import Metrics, TrackingRequest, install_metrics, metrics_of
from bot.ops.privacy import install_log_privacy
from bot.services import SERVICES_KEY, Services
from bot.telegram.admins import AdminCache
from bot.telegram.chat_order import PerChatUpdateProcessor
from bot.telegram.persistence import SqlitePersistence
from bot.telegram.replies import silence_raw_send_suggestion
from bot.telegram.transport import HandoffRequest
from handlers import register_all
from storage.chats import ChatRepo
from storage.db import Database

log = logging.getLogger(__name__)

# A failed deleteWebhook/getUpdates set-up at start is retried (1 s, then 1.5x longer, at most
# 30 s: about 2 minutes in all) before giving up; PTB's default is not to retry at all.
BOOTSTRAP_RETRIES = 10

# The emulator accepts any well-formed token; used when no real token is configured.
OFFLINE_TOKEN = "123456:OFFLINE-solidarity-bot-token"

AnyApplication = Application[Any, Any, Any, Any, Any, Any]


def build_application(
    settings: Settings,
    *,
    clock: Clock | None = None,
    request: BaseRequest | None = None,
    get_updates_request: BaseRequest | None = None,
    application_class: type[AnyApplication] = Application,
    outbox_limits: OutboxLimits | None = None,
    outbox_options: OutboxOptions | None = None,
) -> AnyApplication:
    """Wire settings, services and handlers into a PTB Application (nothing is opened yet).

    ``outbox_limits`` replace the OUTBOX_* settings and ``outbox_options`` the outbox engine's
    defaults (workers, sleep, timeouts): benchmarks and tests inject them here."""
    clock = clock or SystemClock()
    install_log_privacy(settings.token)  # before anything can log the token or an update
    silence_raw_send_suggestion()
    metrics = Metrics(clock)
    # PTB's httpx transport while starting, aiohttp from shortly after (bot/telegram/transport.py).
    if request is None:
        request = HandoffRequest(connection_pool_size=256)
    if get_updates_request is None:
        get_updates_request = HandoffRequest(connection_pool_size=1)
    handoffs = [r for r in (request, get_updates_request) if isinstance(r, HandoffRequest)]
    # Every Bot API call passes these wrappers: they count sent messages and getUpdates.
    request = TrackingRequest(request, metrics)
    get_updates_request = TrackingRequest(get_updates_request, metrics)
    builder = (
        ApplicationBuilder()
        .application_class(application_class)
        .token(settings.token or OFFLINE_TOKEN)
        .base_url(settings.bot_base_url)
        .base_file_url(settings.file_base_url)
        .post_init(functools.partial(_post_init, wiring=_Wiring(outbox_limits, outbox_options)))
        .post_stop(_post_stop)
        .post_shutdown(_post_shutdown)
    )
    builder = builder.request(request).get_updates_request(get_updates_request)
    # Conversations in progress (/adddemo, /addstatement) survive a restart.
    builder = builder.persistence(SqlitePersistence(settings.db_path, clock))
    # Chats are served concurrently, each chat's updates in order (bot/telegram/chat_order.py).
    builder = builder.concurrent_updates(PerChatUpdateProcessor())
    # One send budget for every call that posts or edits: replies and broadcasts share
    # Telegram's limits, by priority (bot/broadcast/budget.py); the outbox sets its limits.
    budget = SendBudget()
    limiter: BaseRateLimiter[Any] = budget
    builder = builder.rate_limiter(limiter)
    app = builder.build()
    app.bot_data["settings"] = settings
    app.bot_data["clock"] = clock
    app.bot_data[HANDOFFS_KEY] = handoffs
    register_all(app)
    register_jobs(app)
    install_metrics(app, metrics, budget)
    return app


@dataclass(frozen=True)
class _Wiring:
    """What build_application was given for post_init to build the services with."""

    outbox_limits: OutboxLimits | None
    outbox_options: OutboxOptions | None


async def _post_init(app: AnyApplication, wiring: _Wiring) -> None:
    """Open storage, index the corpus, then start the feature services."""
    settings: Settings = app.bot_data["settings"]
    clock: Clock = app.bot_data["clock"]
    persistence = app.persistence
    db = None
    if isinstance(persistence, SqlitePersistence):  # opened (and migrated) it while loading
        db = persistence.hand_over_connection()
    if db is None:
        db = await Database.open(settings.db_path)
    try:
        content = ContentService(db, clock)
        await content.load()
        services = Services(
            settings=settings,
            clock=clock,
            db=db,
            chats=ChatRepo(db),
            content=content,
            admin_cache=AdminCache(clock),
            outbox=build_outbox(
                app, db, clock, wiring.outbox_limits, wiring.outbox_options, settings
            ),
            feeds=build_feed_service(app.bot, db, clock, settings),
        )
        services.alerts = ErrorAlerts(clock)
        app.bot_data[SERVICES_KEY] = services
        if isinstance(persistence, SqlitePersistence):
            await persistence.share(db)
        _install_reminders(app, services)
        # The outbox resumes unfinished broadcasts in the background (bot/broadcast/outbox.py).
        announce.install(services.outbox, app.bot, services.chats)
        await services.outbox.start()
        await services.reminders.start()  # rebuilds the one wake-up, catches up
        await services.demo_service.start()  # wakes for the change notices SQLite holds
    except BaseException:
        await db.close()
        raise
    schedule_start_jobs(app)
    await start_health_server(app)  # only if the runner configured one
    log.info("started as @%s with database %s", app.bot.username, settings.db_path)


def _install_reminders(app: AnyApplication, services: Services) -> None:
    """Demonstrations and their reminders (bot/reminders/); feeds write demos through it."""
    from bot.demos.service import DemoService
    from bot.reminders.service import ReminderService
    from storage.demos import DemoRepo

    services.demos = DemoRepo(services.db)
    services.reminders = ReminderService(
        db=services.db,
        chats=services.chats,
        demos=services.demos,
        outbox=services.outbox,
        clock=services.clock,
        default_timezone=services.settings.timezone,
        on_lateness=metrics_of(app).reminder_lateness.observe,
        wakeup=reminder_wakeup(app),
        per_hour=services.settings.reminders_per_hour,
    )
    services.demo_service = DemoService(
        db=services.db,
        demos=services.demos,
        reminders=services.reminders,
        outbox=services.outbox,
        clock=services.clock,
        default_timezone=services.settings.timezone,
    )
    services.demo_service.schedule = demo_notice_wakeup(app, services.clock)
    feeds = getattr(services, "feeds", None)
    if feeds is not None:  # calendar feeds change demos through the same write path
        feeds.writer = services.reminders


async def _post_stop(app: AnyApplication) -> None:
    """Let in-flight broadcast sends finish while the bot can still send."""
    services = app.bot_data.get(SERVICES_KEY)
    if isinstance(services, Services):
        await services.reminders.stop()
        await services.outbox.stop()


async def _post_shutdown(app: AnyApplication) -> None:
    await stop_health_server(app)
    services = app.bot_data.pop(SERVICES_KEY, None)
    if isinstance(services, Services):
        await services.outbox.stop()  # no-op after post_stop
        await services.db.close()


async def start_application(app: AnyApplication, *, polling: bool = True) -> None:
    """Initialise, run post_init and start (optionally polling): what run_polling does, in parts.

    Tests, the shell and benchmarks use this to keep control of the event loop.
    """
    await app.initialize()
    if app.post_init is not None:
        await app.post_init(app)
    await app.start()
    if polling and app.updater is not None:
        await app.updater.start_polling(
            poll_interval=0.0,
            timeout=10,
            drop_pending_updates=False,
            bootstrap_retries=BOOTSTRAP_RETRIES,
        )
    # At once, not a moment later as `run` does: what follows (a test, a benchmark, the shell)
    # then always meets aiohttp, whatever the timing.
    await hand_over_transports(app)


async def stop_application(app: AnyApplication) -> None:
    """The reverse of start_application, safe to call on a half-started app."""
    if app.updater is not None and app.updater.running:
        await app.updater.stop()
    if app.running:
        await app.stop()
    if app.post_stop is not None:
        await app.post_stop(app)
    await app.shutdown()
    if app.post_shutdown is not None:
        await app.post_shutdown(app)
