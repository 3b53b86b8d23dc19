"""The bundle of long-lived services handlers reach through context.bot_data."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from telegram.ext import CallbackContext

from bot.clock import Clock
from bot.config import Settings
from bot.ops.alerts import ErrorAlerts
from storage.chats import ChatRepo
from storage.db import Database

if TYPE_CHECKING:
    from bot.broadcast.outbox import Outbox
    from bot.content.service import ContentService
    from bot.demos.service import DemoService
    from bot.feeds.service import FeedService
    from bot.reminders.service import ReminderService
    from bot.telegram.admins import AdminCache
    from storage.demos import DemoRepo

SERVICES_KEY = "services"


@dataclass
class Services:
    """Opened in post_init, closed in post_shutdown; one per Application."""

    settings: Settings
    clock: Clock
    db: Database
    chats: ChatRepo
    content: ContentService
    admin_cache: AdminCache
    outbox: Outbox
    feeds: FeedService
    # Errors reported to the administrators (handlers/errors.py).
    alerts: ErrorAlerts = field(init=False)
    # Demonstrations and reminders: set in bot.app.post_init right after construction.
    demos: DemoRepo = field(init=False)
    reminders: ReminderService = field(init=False)
    # The admin write path for demos (add, edit, cancel, restore) and its notices.
    demo_service: DemoService = field(init=False)


def get_services(context: CallbackContext[Any, Any, Any, Any]) -> Services:
    """The Services of the Application that runs this callback."""
    services = context.application.bot_data.get(SERVICES_KEY)
    if not isinstance(services, Services):
        raise RuntimeError("services are not initialised (post_init has not run)")
    return services
