"""/forget: erase everything stored about this chat, after a confirmation button.

In a private chat the user decides (their RSVPs go too); in a group or forum, its
administrators (anonymous ones included) and bot administrators. The buttons carry the chat id
and only act in that chat, for someone who may manage it.
"""

from __future__ import annotations

import re
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatType
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes

from bot.i18n import texts
from bot.i18n.translate import t
from bot.ops.privacy import privacy_service
from bot.services import get_services
from bot.telegram.permissions import may_manage_chat, refuse
from bot.telegram.render import callback_data
from bot.telegram.replies import edit_or_reply, language_for, reply_html

PREFIX = "forget"
_DATA = re.compile(r"forget:(yes|no):(-?\d{1,20})")


async def forget_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    chat = update.effective_chat
    if chat is None:
        return
    if not await may_manage_chat(update, context):
        await refuse(update, context, texts.NOT_GROUP_ADMIN)
        return
    lang = await language_for(update, context)
    rsvps = t(lang, texts.FORGET_CONFIRM_RSVPS) if chat.type == ChatType.PRIVATE else ""
    buttons = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t(lang, texts.BUTTON_ERASE), callback_data=callback_data(PREFIX, "yes", chat.id)
                ),
                InlineKeyboardButton(
                    t(lang, texts.BUTTON_KEEP), callback_data=callback_data(PREFIX, "no", chat.id)
                ),
            ]
        ]
    )
    await reply_html(update, context, t(lang, texts.FORGET_CONFIRM, rsvps=rsvps), buttons)


async def forget_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query, chat = update.callback_query, update.effective_chat
    if query is None or chat is None:
        return
    m = _DATA.fullmatch(query.data or "")
    if m is None or int(m.group(2)) != chat.id:
        await refuse(update, context, texts.BUTTON_EXPIRED)
        return
    if not await may_manage_chat(update, context):
        await refuse(update, context, texts.NOT_YOUR_BUTTON)
        return
    lang = await language_for(update, context)
    if m.group(1) == "no":
        await query.answer()
        await edit_or_reply(update, context, t(lang, texts.FORGET_KEPT))
        return
    services = get_services(context)
    person = chat.type == ChatType.PRIVATE
    await privacy_service(services).erase(services, chat.id, person=person)
    # In memory too: conversation drafts, remembered search queries.
    context.application.drop_chat_data(chat.id)
    if person:
        context.application.drop_user_data(chat.id)
    await query.answer()
    await edit_or_reply(update, context, t(lang, texts.FORGET_DONE))


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    app.add_handler(CommandHandler("forget", forget_command))
    app.add_handler(CallbackQueryHandler(forget_button, pattern=f"^{PREFIX}:"))
