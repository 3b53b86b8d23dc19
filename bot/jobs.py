"""Every timed job, as a named APScheduler job on PTB's JobQueue (the bot's one scheduler).

SQLite holds the truth; a job only wakes a service, which reads what is due from the database
and uses the injected clock, so tests drive the services directly (``reminders.tick()``,
``feeds.tick()``, ``prune(now)``) and the jobs themselves only decide *when* that happens.

* ``calendar-feeds``: every minute, sync the feeds that are due (each every 30 min by default).
* ``privacy-prune``: daily, delete records older than the retention period.
* ``reminders-wake``: one ``run_once`` job at the next due reminder, replaced each time the
  reminder service reschedules (the timerbot pattern): never one job per chat or per demo.
* ``demo-notice-N``: one ``run_once`` job per demo with a change notice waiting (its
  coalescing window), replaced on each change; the notice itself waits in SQLite.
* ``command-menus``: once, a second after start-up, publish the command menus in every
  language (cosmetic; compiling six catalogs first would only hold up the first getUpdates).
* ``transport-handoff``: once, 1.5 s after start-up, switch the Bot API transport from PTB's
  httpx to aiohttp (bot/telegram/transport.py): importing aiohttp would hold up getMe.
* ``gc-resume``: once, as soon as the scheduler runs (`run` only, which pauses garbage
  collection while it starts): freeze what start-up made out of later collections, resume them.
* ``search-warmup``: once, two seconds after start-up, load the search model and make the
  vectors in a thread; sooner, that thread would slow the start-up it competes with for the GIL.

/health lists them with their next run (:func:`describe_jobs`).
"""

from __future__ import annotations

import asyncio
import gc
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from telegram.ext import Application, ContextTypes, JobQueue

from bot.clock import Clock
from bot.i18n.translate import load_catalogs
from bot.ops.privacy import privacy_service
from bot.services import SERVICES_KEY, Services
from bot.telegram.commands import register_menus

log = logging.getLogger(__name__)

FEEDS_JOB = "calendar-feeds"
FEEDS_EVERY = 60.0  # seconds between looks at which feeds are due (each feed: every 30 min)
PRUNE_JOB = "privacy-prune"
PRUNE_EVERY = timedelta(days=1)
PRUNE_FIRST = timedelta(minutes=10)  # not at start: a crash loop must not hammer the disk
REMINDERS_JOB = "reminders-wake"
DEMO_NOTICE_JOB = "demo-notice"
MENUS_JOB = "command-menus"
MENUS_AFTER = 1.0  # seconds after post_init
GC_RESUME_JOB = "gc-resume"
HANDOFF_JOB = "transport-handoff"
HANDOFF_AFTER = 1.5  # seconds after post_init: the updates waiting at start are answered
HANDOFFS_KEY = "transport_handoffs"  # bot_data: build_application's HandoffRequests
SEARCH_WARMUP_JOB = "search-warmup"
SEARCH_WARMUP_AFTER = 2.0  # seconds after post_init: polling has begun, the backlog is served
RETRY_AFTER_FAILURE = 1.0  # seconds before a failed reminder pass is tried again

# APScheduler skips a run more than a second late by default; a busy event loop must delay a
# wake-up, never lose it (nothing else would re-arm the reminders).
_NEVER_SKIP: dict[str, Any] = {"misfire_grace_time": None, "coalesce": True}

AnyApplication = Application[Any, Any, Any, Any, Any, Any]
AnyJobQueue = JobQueue[Any]


def _services(context: ContextTypes.DEFAULT_TYPE) -> Services | None:
    services = context.application.bot_data.get(SERVICES_KEY)
    return services if isinstance(services, Services) else None


async def _feeds_tick(context: ContextTypes.DEFAULT_TYPE) -> None:
    services = _services(context)
    if services is not None:
        await services.feeds.tick()


async def _prune_tick(context: ContextTypes.DEFAULT_TYPE) -> None:
    services = _services(context)
    if services is None:
        return
    try:
        await privacy_service(services).prune()
    except Exception as exc:  # retry tomorrow; never take the bot down
        log.warning("retention pruning failed: %s", type(exc).__name__)


async def _reminders_tick(context: ContextTypes.DEFAULT_TYPE) -> None:
    services = _services(context)
    if services is None:
        return
    reminders = services.reminders
    try:
        await reminders.tick()  # re-arms this job at the next due moment
    except Exception:
        log.exception("reminder pass failed")
        reminders.arm_in(RETRY_AFTER_FAILURE)


def register_jobs(app: AnyApplication) -> None:
    """The repeating jobs; the reminders' wake-up is armed by the service once it has started."""
    if app.job_queue is None:
        raise RuntimeError("PTB's job queue is missing: install python-telegram-bot[job-queue]")
    app.job_queue.run_repeating(
        _feeds_tick, interval=FEEDS_EVERY, first=FEEDS_EVERY, name=FEEDS_JOB
    )
    app.job_queue.run_repeating(
        _prune_tick,
        interval=PRUNE_EVERY.total_seconds(),
        first=PRUNE_FIRST.total_seconds(),
        name=PRUNE_JOB,
    )


async def _publish_menus(context: ContextTypes.DEFAULT_TYPE) -> None:
    services = _services(context)
    if services is None:
        return
    await asyncio.to_thread(load_catalogs)  # every language's catalog, off the event loop
    try:
        await register_menus(context.bot, services.settings.admin_ids)
    except Exception as exc:  # menus failing must never stop the bot
        log.warning("could not publish command menus: %s", type(exc).__name__)


async def _resume_gc(context: ContextTypes.DEFAULT_TYPE) -> None:
    # Start-up's objects live as long as the bot: moved to the permanent generation, no later
    # collection walks them again. (A few hundred KB of start-up's cycles stay with them.)
    gc.freeze()
    gc.enable()


def schedule_gc_resume(app: AnyApplication) -> None:
    """Arm the one-off gc-resume job: it runs once post_init is done and the bot polls."""
    if app.job_queue is not None:
        app.job_queue.run_once(_resume_gc, when=0, name=GC_RESUME_JOB, job_kwargs=_NEVER_SKIP)
    else:  # no scheduler to wait for: collect as usual
        gc.enable()


async def hand_over_transports(app: AnyApplication) -> None:
    """Switch the Bot API requests made by build_application to aiohttp (idempotent)."""
    for request in app.bot_data.get(HANDOFFS_KEY, ()):
        await request.hand_over()


async def _transport_handoff(context: ContextTypes.DEFAULT_TYPE) -> None:
    try:
        await hand_over_transports(context.application)
    except Exception:  # httpx keeps serving: slower under load, never wrong
        log.exception("could not switch the Bot API transport to aiohttp")


async def _search_warmup(context: ContextTypes.DEFAULT_TYPE) -> None:
    services = _services(context)
    if services is not None:
        await services.content.warm_up()


def schedule_start_jobs(app: AnyApplication) -> None:
    """Arm the one-off jobs that follow start-up: command-menus, transport-handoff and
    search-warmup (a search that comes sooner loads what it needs)."""
    if app.job_queue is None:
        return
    for callback, when, name in (
        (_publish_menus, MENUS_AFTER, MENUS_JOB),
        (_transport_handoff, HANDOFF_AFTER, HANDOFF_JOB),
        (_search_warmup, SEARCH_WARMUP_AFTER, SEARCH_WARMUP_JOB),
    ):
        app.job_queue.run_once(callback, when=when, name=name, job_kwargs=_NEVER_SKIP)


class ReminderWakeup:
    """The reminder service's alarm: one named ``run_once`` job, replaced on each reschedule."""

    def __init__(self, job_queue: AnyJobQueue) -> None:
        self.job_queue = job_queue

    def __call__(self, delay: float | None) -> None:
        """Wake the reminders in ``delay`` seconds (None: do not wake them at all)."""
        for job in self.job_queue.get_jobs_by_name(REMINDERS_JOB):
            job.schedule_removal()
        if delay is not None:
            self.job_queue.run_once(
                _reminders_tick, when=max(0.0, delay), name=REMINDERS_JOB, job_kwargs=_NEVER_SKIP
            )


def reminder_wakeup(app: AnyApplication) -> ReminderWakeup:
    if app.job_queue is None:
        raise RuntimeError("PTB's job queue is missing: install python-telegram-bot[job-queue]")
    return ReminderWakeup(app.job_queue)


async def _notices_tick(context: ContextTypes.DEFAULT_TYPE) -> None:
    services = _services(context)
    if services is not None:
        await services.demo_service.flush()  # re-arms the notices that are not due yet


class DemoNoticeWakeup:
    """Wakes the demo service when a demo's change notice is due: one job per demo."""

    def __init__(self, job_queue: AnyJobQueue, clock: Clock) -> None:
        self.job_queue = job_queue
        self.clock = clock

    def __call__(self, demo_id: int, due: datetime) -> None:
        name = f"{DEMO_NOTICE_JOB}-{demo_id}"
        for job in self.job_queue.get_jobs_by_name(name):
            job.schedule_removal()
        delay = max(0.0, (due - self.clock.now()).total_seconds()) + 1.0
        self.job_queue.run_once(_notices_tick, when=delay, name=name, job_kwargs=_NEVER_SKIP)


def demo_notice_wakeup(app: AnyApplication, clock: Clock) -> DemoNoticeWakeup:
    if app.job_queue is None:
        raise RuntimeError("PTB's job queue is missing: install python-telegram-bot[job-queue]")
    return DemoNoticeWakeup(app.job_queue, clock)


@dataclass(frozen=True)
class JobInfo:
    name: str
    next_run: datetime | None  # None: paused, or running right now (a run_once that fired)


def describe_jobs(app: AnyApplication) -> list[JobInfo]:
    """Every scheduled job and its next run, by name."""
    if app.job_queue is None:
        return []
    return sorted(
        (JobInfo(job.name or "", job.next_t) for job in app.job_queue.jobs()),
        key=lambda j: j.name,
    )


def scheduler_running(app: AnyApplication) -> bool | None:
    """Whether PTB's JobQueue (APScheduler) is running; None if there is none."""
    if app.job_queue is None:
        return None
    return bool(app.job_queue.scheduler.running)
