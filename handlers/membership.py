"""The bot's own membership: hello when added to a group, silence when removed or blocked,
and a group's settings following it when it becomes a supergroup."""

from __future__ import annotations

import logging
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatMemberStatus, ChatType, ParseMode
from telegram.error import TelegramError
from telegram.ext import Application, ChatMemberHandler, ContextTypes, MessageHandler, filters

from bot.i18n import texts
from bot.i18n.translate import t
from bot.services import get_services
from bot.telegram.render import callback_data
from bot.telegram.replies import language_for

log = logging.getLogger(__name__)

_IN = {ChatMemberStatus.MEMBER, ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER}
_OUT = {ChatMemberStatus.LEFT, ChatMemberStatus.BANNED}
# Membership and migrations are handled in their own group so no feature can shadow them.
MEMBERSHIP_GROUP = -5


async def my_chat_member(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    change = update.my_chat_member
    if change is None:
        return
    services = get_services(context)
    chat = change.chat
    now = services.clock.now()
    old, new = change.old_chat_member.status, change.new_chat_member.status
    if new in _OUT:
        # Removed, kicked or blocked: nothing more goes to this chat.
        if await services.chats.get(chat.id) is not None:
            await services.chats.set_active(chat.id, False, now)
        services.admin_cache.forget_chat(chat.id)
        services.reminders.poke()
        log.info("bot removed from chat %s", chat.id)
        return
    if new in _IN and old in _OUT:
        await services.chats.ensure(chat.id, chat.type, now)
        await services.chats.set_active(chat.id, True, now)
        services.reminders.poke()
        if chat.type in (ChatType.GROUP, ChatType.SUPERGROUP):
            lang = await language_for(update, context)
            markup = InlineKeyboardMarkup(
                [
                    [
                        InlineKeyboardButton(
                            t(lang, texts.BUTTON_SUBSCRIBE),
                            callback_data=callback_data("sub", "on"),
                        )
                    ]
                ]
            )
            try:
                await context.bot.send_message(
                    chat.id,
                    t(lang, texts.HELLO_GROUP),
                    parse_mode=ParseMode.HTML,
                    reply_markup=markup,
                )
            except TelegramError as exc:  # e.g. a group where members may not write
                log.info("could not greet chat %s: %s", chat.id, type(exc).__name__)


async def migrated(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A group became a supergroup: move its subscription, settings and reminder history."""
    message = update.effective_message
    if message is None:
        return
    if message.migrate_to_chat_id:
        old_id, new_id = message.chat.id, message.migrate_to_chat_id
    elif message.migrate_from_chat_id:
        old_id, new_id = message.migrate_from_chat_id, message.chat.id
    else:
        return
    services = get_services(context)
    await services.reminders.migrate_chat(old_id, new_id)
    services.admin_cache.forget_chat(old_id)
    log.info("chat %s migrated to %s", old_id, new_id)


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    app.add_handler(
        ChatMemberHandler(my_chat_member, ChatMemberHandler.MY_CHAT_MEMBER), group=MEMBERSHIP_GROUP
    )
    app.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, migrated), group=MEMBERSHIP_GROUP)
