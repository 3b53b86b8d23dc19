"""Privacy: erase a chat on request (/forget) and prune old delivery records daily.

The SQL is in storage/privacy.py; this module adds the retention policy, the in-memory caches
that must forget too, and what the daily job calls (bot/jobs.py; tests call ``prune(now)`` directly
with the FakeClock's time).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from bot.clock import Clock
from bot.services import Services
from storage.db import Database

if TYPE_CHECKING:
    from storage.privacy import Erased, Pruned

log = logging.getLogger(__name__)


class PrivacyService:
    def __init__(self, db: Database, clock: Clock, retention_days: int) -> None:
        # Imported on first use (/forget, the daily prune): start-up needs only the log filter.
        from storage.privacy import PrivacyRepo

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
        # First no broadcast may send to the chat any more (one under way is waited for):
        # nothing arrives after "I have erased everything", and no count is kept for it.
        await services.outbox.forget_chat(chat_id)
        result = await self.repo.erase(chat_id, person=person)
        services.admin_cache.forget_chat(chat_id)
        log.info("erased chat %s on request: %d rows", chat_id, result.total)
        return result


def privacy_service(services: Services) -> PrivacyService:
    return PrivacyService(services.db, services.clock, services.settings.retention_days)


# --- logs ------------------------------------------------------------------------------------
# Third-party libraries log whole updates and API payloads at DEBUG (PTB: every getUpdates
# result, every sendMessage text; aiosqlite: every SQL statement with its parameters) and httpx
# logs request URLs, which contain the bot token, at INFO. Whatever level an operator turns on,
# their records keep their message template but lose every non-numeric argument at DEBUG, and
# any structured argument (an Update, a dict of parameters) at every level; the token is masked
# everywhere. Our own loggers (bot, handlers, storage) log ids only by convention, and
# tests/test_privacy.py checks it.
THIRD_PARTY_PREFIXES = (
    "telegram",
    "aiohttp",
    "httpx",
    "httpcore",
    "aiosqlite",
    "apscheduler",
    "tornado",
)
REDACTED = "…"
_secrets: set[str] = set()
_installed = False


def _third_party(name: str) -> bool:
    return any(name == p or name.startswith(p + ".") for p in THIRD_PARTY_PREFIXES)


def _mask(text: str) -> str:
    for secret in _secrets:
        if secret in text:
            text = text.replace(secret, "<token>")
    return text


def _clean_arg(arg: object, debug: bool) -> object:
    if isinstance(arg, bool | int | float) or arg is None:
        return arg
    if isinstance(arg, str):
        return REDACTED if debug else _mask(arg)
    if isinstance(arg, BaseException):
        return _mask(f"{type(arg).__name__}: {arg}")
    if type(arg).__name__ == "URL" and not debug:  # httpx's request URLs: useful, token masked
        return _mask(str(arg))
    return REDACTED if debug else f"<{type(arg).__name__}>"


def _scrub(record: logging.LogRecord) -> None:
    debug = record.levelno < logging.INFO
    args = record.args
    if isinstance(args, tuple):
        record.args = tuple(_clean_arg(a, debug) for a in args)
    elif isinstance(args, dict):  # logging's single-mapping form
        record.args = {k: _clean_arg(v, debug) for k, v in args.items()}
    if isinstance(record.msg, str):
        record.msg = _mask(record.msg)
    else:
        record.msg = f"<{type(record.msg).__name__}>"


POLLING_FAILED = "Exception happened while polling for updates."  # PTB's default error_callback


def _polling_failure_as_one_line(record: logging.LogRecord) -> None:
    """PTB logs every failed getUpdates with a full traceback at ERROR, although it retries
    on its own (1 s, then 1.5x longer each time, at most 30 s). One WARNING line is enough:
    a long outage would otherwise fill the log with identical tracebacks."""
    if record.name != "telegram.ext.Updater" or record.msg != POLLING_FAILED:
        return
    exc = record.exc_info[1] if record.exc_info else None
    record.msg = "getUpdates failed (%s); polling retries with backoff"
    record.args = (exc,)
    record.exc_info = None
    record.exc_text = None
    record.levelno, record.levelname = logging.WARNING, "WARNING"


def install_log_privacy(token: str | None) -> None:
    """Scrub third-party log records as they are created (every logger, now and later)."""
    global _installed
    if token:
        _secrets.add(token)
        _secrets.add(token.split(":", 1)[-1])  # the secret half alone, as in some URLs
    if _installed:
        return
    _installed = True
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        if _third_party(record.name):
            _polling_failure_as_one_line(record)
            _scrub(record)
        elif _secrets:
            if isinstance(record.msg, str):
                record.msg = _mask(record.msg)
            if isinstance(record.args, tuple):
                record.args = tuple(_mask(a) if isinstance(a, str) else a for a in record.args)
        return record

    logging.setLogRecordFactory(factory)
