"""Group -1: runs before every feature and stops updates the bot must not act on.

See bot/telegram/guards.py for the rules. Stopping means raising ApplicationHandlerStop, so no
handler of any later group sees the update.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import Application, ApplicationHandlerStop, ContextTypes, TypeHandler

from bot.config import Settings
from bot.i18n import texts
from bot.i18n.translate import t
from bot.services import get_services
from bot.telegram.guards import FloodControl, Verdict, counts_for_flood, screen, sender_key
from bot.telegram.replies import language_for, reply_html

log = logging.getLogger(__name__)

GUARD_GROUP = -1
FLOOD_KEY = "flood_control"


def _flood(context: ContextTypes.DEFAULT_TYPE) -> FloodControl:
    flood = context.application.bot_data.get(FLOOD_KEY)
    if not isinstance(flood, FloodControl):
        settings: Settings = get_services(context).settings
        flood = FloodControl(
            limit=settings.flood_limit, window=timedelta(seconds=settings.flood_window_seconds)
        )
        context.application.bot_data[FLOOD_KEY] = flood
    return flood


async def guard(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if screen(update, context.bot.id):
        raise ApplicationHandlerStop
    if not counts_for_flood(update):
        return
    services = get_services(context)
    user = update.effective_user
    anonymous = update.message is not None and update.message.sender_chat is not None
    if user is not None and not anonymous and services.settings.is_admin(user.id):
        return  # bot administrators are exempt (see bot/telegram/guards.py)
    key = sender_key(update)
    if key is None:
        return
    verdict = _flood(context).check(key, services.clock.now())
    if verdict is Verdict.ALLOW:
        return
    if verdict is Verdict.WARN:
        log.info("flood control: ignoring sender %s for a while", key)
        try:
            lang = await language_for(update, context)
            if update.callback_query is not None:
                await update.callback_query.answer(t(lang, texts.FLOOD_WARNING), show_alert=True)
            else:
                await reply_html(update, context, t(lang, texts.FLOOD_WARNING))
        except TelegramError as exc:  # the warning is a courtesy; never let it fail the stop
            log.info("could not send the flood warning: %s", type(exc).__name__)
    raise ApplicationHandlerStop


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    app.add_handler(TypeHandler(Update, guard), group=GUARD_GROUP)
