"""The one error handler: log first (no message texts), tell the user, tell the admins briefly."""

from __future__ import annotations

import logging
from typing import Any

from telegram import Update
from telegram.constants import ChatType, ParseMode
from telegram.error import TelegramError
from telegram.ext import Application, ContextTypes, MessageHandler, filters

from bot.broadcast.budget import SendAbandoned
from bot.i18n import texts
from bot.i18n.translate import DEFAULT_LANGUAGE, t
from bot.services import SERVICES_KEY, Services
from bot.telegram.replies import language_for, reply_html

log = logging.getLogger(__name__)


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log the exception with ids only, tell the admins (rate-limited), apologise to the user."""
    err = context.error
    if isinstance(err, SendAbandoned):  # logged once by the send budget; the chat is flooded
        return
    chat = update.effective_chat if isinstance(update, Update) else None
    chat_id = chat.id if chat else None
    log.error(
        "error while handling an update for chat %s: %s",
        chat_id,
        type(err).__name__,
        exc_info=err if not isinstance(err, TelegramError) else None,
    )
    await _tell_admins(context, chat_id, err)
    if not isinstance(update, Update):
        return
    try:
        lang = await language_for(update, context)
        if update.callback_query is not None:
            await update.callback_query.answer(t(lang, texts.INTERNAL_ERROR), show_alert=True)
        elif update.effective_message is not None:
            await reply_html(update, context, t(lang, texts.INTERNAL_ERROR))
    except Exception as exc:  # the apology itself failing must not loop
        log.warning("could not tell the user about an error: %s", type(exc).__name__)


async def _tell_admins(
    context: ContextTypes.DEFAULT_TYPE, chat_id: int | None, err: BaseException | None
) -> None:
    """A short report to each bot administrator, at most one every few minutes."""
    services = context.application.bot_data.get(SERVICES_KEY)
    if not isinstance(services, Services) or not services.settings.admin_ids:
        return
    count = services.alerts.record()
    if count is None:
        return
    for admin_id in sorted(services.settings.admin_ids):
        try:
            chat = await services.chats.get(admin_id)
            if chat is None or not chat.active:
                continue  # never started the bot: Telegram would refuse
            lang = chat.language or chat.app_language or DEFAULT_LANGUAGE
            html = t(
                lang,
                texts.ERROR_REPORT,
                count=count,
                error=type(err).__name__ if err else "?",
                chat=chat_id if chat_id is not None else "-",
            )
            await context.bot.send_message(admin_id, html, parse_mode=ParseMode.HTML)
        except Exception as exc:  # an admin who never started the bot, or Telegram down
            log.warning("could not report an error to admin %s: %s", admin_id, type(exc).__name__)


async def unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Unknown commands get a hint in private chats; groups stay quiet (other bots live there)."""
    chat = update.effective_chat
    if chat is None or chat.type != ChatType.PRIVATE:
        return
    lang = await language_for(update, context)
    await reply_html(update, context, t(lang, texts.UNKNOWN_COMMAND))


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    app.add_error_handler(on_error)
    # Registered last in group 0: PTB picks the first matching handler of a group, so this
    # only sees commands that no feature claimed.
    app.add_handler(MessageHandler(filters.COMMAND & filters.ChatType.PRIVATE, unknown_command))
