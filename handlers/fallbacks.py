"""What no feature claimed: /cancel with nothing to cancel, and plain text in a private chat,
which is taken as a search (the /excerpt answer, with a one-time hint that /excerpt exists)."""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import Application, CommandHandler, ContextTypes, MessageHandler, filters

from bot.i18n import texts
from bot.i18n.translate import t
from bot.services import get_services
from bot.telegram.replies import language_for, reply_html
from handlers.excerpt import nothing_found, remember_query, search_page

#: chat_data key: the hint about /excerpt was given in this chat (kept in memory only)
HINTED = "search_hinted"
#: longer texts are not searches (a pasted article, a forwarded post)
MAX_QUERY = 200


async def nothing_to_cancel(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/cancel outside any step-by-step command (those handle their own /cancel first)."""
    chat = update.effective_chat
    if chat is None or chat.type != ChatType.PRIVATE:
        return
    lang = await language_for(update, context)
    await reply_html(update, context, t(lang, texts.NOTHING_TO_CANCEL))


async def private_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Plain text in a private chat: search the statements for it, as /excerpt does."""
    message = update.effective_message
    query = " ".join((message.text or "").split()) if message else ""
    if not query or len(query) > MAX_QUERY:
        return
    lang = await language_for(update, context)
    content = get_services(context).content
    result = await search_page(lang, content, query, 0, remember_query(context.chat_data, query))
    html, markup = result if result is not None else nothing_found(lang, query)
    chat_data = context.chat_data
    if chat_data is not None and not chat_data.get(HINTED):
        chat_data[HINTED] = True
        html = t(lang, texts.SEARCH_HINT) + "\n\n" + html
    await reply_html(update, context, html, markup)


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    # Registered after every feature in group 0: step-by-step commands (/adddemo,
    # /addstatement) take their own /cancel and answers first.
    app.add_handler(CommandHandler("cancel", nothing_to_cancel))
    app.add_handler(
        MessageHandler(
            filters.UpdateType.MESSAGE & filters.TEXT & ~filters.COMMAND & filters.ChatType.PRIVATE,
            private_text,
        )
    )
