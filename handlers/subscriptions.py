"""/subscribe and /unsubscribe: which chats get demonstration reminders (and in which topic).

In a private chat the user decides; in a group only its administrators (anonymous ones too).
"""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes

from bot.i18n import texts
from bot.i18n.translate import t
from bot.services import get_services
from bot.telegram.permissions import chat_admin_only
from bot.telegram.replies import app_language, language_for, reply_html

PREFIX = "sub"


def _thread_id(update: Update) -> int | None:
    """The forum topic the command (or the pressed button) lives in, if any."""
    message = update.effective_message
    if message is not None and message.is_topic_message:
        return message.message_thread_id
    return None


async def _subscribe(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    services = get_services(context)
    chat = update.effective_chat
    if chat is None:
        return
    now = services.clock.now()
    stored = await services.chats.ensure(chat.id, chat.type, now, app_language(update))
    thread_id = _thread_id(update)
    lang = await language_for(update, context)
    if update.callback_query is not None:
        await update.callback_query.answer()
    if stored.subscribed and stored.active and stored.thread_id == thread_id:
        await reply_html(update, context, t(lang, texts.ALREADY_SUBSCRIBED))
        return
    await services.chats.set_subscribed(chat.id, True, now, thread_id)
    text = t(lang, texts.SUBSCRIBED_TOPIC if thread_id else texts.SUBSCRIBED)
    await reply_html(update, context, text)
    # Demos whose reminder moment has already passed are caught up now (once).
    await services.reminders.chat_changed(chat.id)


@chat_admin_only
async def subscribe_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await _subscribe(update, context)


@chat_admin_only
async def subscribe_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await _subscribe(update, context)


@chat_admin_only
async def unsubscribe_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    services = get_services(context)
    chat = update.effective_chat
    if chat is None:
        return
    lang = await language_for(update, context)
    stored = await services.chats.get(chat.id)
    if stored is None or not stored.subscribed:
        await reply_html(update, context, t(lang, texts.NOT_SUBSCRIBED))
        return
    await services.chats.set_subscribed(chat.id, False, services.clock.now())
    services.reminders.poke()
    await reply_html(update, context, t(lang, texts.UNSUBSCRIBED))


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    app.add_handler(CommandHandler("subscribe", subscribe_command))
    app.add_handler(CommandHandler("unsubscribe", unsubscribe_command))
    app.add_handler(CallbackQueryHandler(subscribe_button, pattern=f"^{PREFIX}:on$"))
