"""Who may do what: bot administrators, group administrators (cached), button owners."""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from telegram import Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.i18n import texts
from bot.i18n.translate import t
from bot.services import get_services
from bot.telegram.admins import AdminCache
from bot.telegram.replies import language_for

log = logging.getLogger(__name__)

Handler = Callable[[Update, ContextTypes.DEFAULT_TYPE], Awaitable[Any]]
H = TypeVar("H", bound=Handler)

_ADMIN_STATUSES = {ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR}


def is_bot_admin(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    user = update.effective_user
    return get_services(context).settings.is_admin(user.id if user else None)


async def may_manage_chat(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """In a private chat the user decides; in a group, its administrators (and bot admins)."""
    chat, user, message = update.effective_chat, update.effective_user, update.effective_message
    if chat is None:
        return False
    if chat.type == ChatType.PRIVATE:
        return True
    # An anonymous administrator posts as the group itself.
    if message is not None and message.sender_chat is not None:
        return message.sender_chat.id == chat.id
    if user is None:
        return False
    if is_bot_admin(update, context):
        return True
    services = get_services(context)
    cache: AdminCache = services.admin_cache
    cached = cache.get(chat.id, user.id)
    if cached is not None:
        return cached
    try:
        member = await context.bot.get_chat_member(chat.id, user.id)
    except TelegramError as exc:
        log.warning("getChatMember failed for chat %s: %s", chat.id, type(exc).__name__)
        return False
    allowed = member.status in _ADMIN_STATUSES
    cache.put(chat.id, user.id, allowed)
    return allowed


async def refuse(update: Update, context: ContextTypes.DEFAULT_TYPE, message: str) -> None:
    """Tell the user politely that they may not do this (alert for buttons)."""

    lang = await language_for(update, context)
    if update.callback_query is not None:
        await update.callback_query.answer(t(lang, message), show_alert=True)
    elif update.effective_message is not None:
        await update.effective_message.reply_text(t(lang, message))


def bot_admin_only(func: H) -> H:
    """Run the handler only for BOT_ADMIN_IDS; refuse everyone else politely."""

    @functools.wraps(func)
    async def wrapper(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Any:
        if not is_bot_admin(update, context):
            await refuse(update, context, texts.NOT_ADMIN)
            return None
        return await func(update, context)

    return wrapper  # type: ignore[return-value]


def chat_admin_only(func: H) -> H:
    """Run the handler only for whoever may manage this chat; refuse others politely."""

    @functools.wraps(func)
    async def wrapper(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Any:
        if not await may_manage_chat(update, context):
            await refuse(update, context, texts.NOT_GROUP_ADMIN)
            return None
        return await func(update, context)

    return wrapper  # type: ignore[return-value]
