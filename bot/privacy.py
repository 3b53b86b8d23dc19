"""Privacy: erase a chat on request (/forget) and prune old delivery records daily.

The SQL is in storage/privacy.py; this module adds the retention policy, the in-memory caches
that must forget too, and the daily job (PTB's JobQueue; tests call ``prune(now)`` directly with
the FakeClock's time).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from telegram.ext import Application, ContextTypes

from bot.clock import Clock
from bot.services import Services, get_services
from storage.db import Database
from storage.privacy import Erased, PrivacyRepo, Pruned

log = logging.getLogger(__name__)

PRUNE_EVERY = timedelta(days=1)
PRUNE_FIRST = timedelta(minutes=10)  # not at start: a crash loop must not hammer the disk
JOB_NAME = "privacy-prune"


class PrivacyService:
    def __init__(self, db: Database, clock: Clock, retention_days: int) -> None:
        self.repo = PrivacyRepo(db)
        self.clock = clock
        self.retention = timedelta(days=retention_days)

    async def prune(self, now: datetime | None = None) -> Pruned:
        """Delete delivery records (and finished broadcasts, reminder logs, RSVPs of past
        demonstrations) older than the retention period."""
        result = await self.repo.prune(now or self.clock.now(), self.retention)
        log.info(
            "retention: pruned %d deliveries, %d broadcasts, %d reminder log rows, %d rsvps",
            result.deliveries,
            result.broadcasts,
            result.reminder_log,
            result.rsvps,
        )
        return result

    async def erase(self, services: Services, chat_id: int, *, person: bool) -> Erased:
        result = await self.repo.erase(chat_id, person=person)
        services.admin_cache.forget_chat(chat_id)
        log.info("erased chat %s on request: %d rows", chat_id, result.total)
        return result


def privacy_service(services: Services) -> PrivacyService:
    return PrivacyService(services.db, services.clock, services.settings.retention_days)


async def _prune_tick(context: ContextTypes.DEFAULT_TYPE) -> None:
    try:
        await privacy_service(get_services(context)).prune()
    except Exception as exc:  # retry tomorrow; never take the bot down
        log.warning("retention pruning failed: %s", type(exc).__name__)


def schedule_pruning(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """A daily job on PTB's JobQueue (started and stopped with the Application)."""
    if app.job_queue is None:
        log.warning("no job queue: old delivery records will not be pruned")
        return
    app.job_queue.run_repeating(
        _prune_tick,
        interval=PRUNE_EVERY.total_seconds(),
        first=PRUNE_FIRST.total_seconds(),
        name=JOB_NAME,
    )
