"""/facts, /compare words and /table: the comparison table, row by row or whole.

Callback data: ``fa:l`` (the questions), ``fa:r:<row key>`` (one row, keys <= 24 chars),
``fa:tx`` (the table as text, sent as new messages under the picture).
The table PNG is rendered once per process; after its first upload the Telegram file_id is
reused (kept in bot_data, so it never outlives the bot it belongs to).
"""

from __future__ import annotations

import asyncio
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes

from bot.content.corpus import FactRow
from bot.content.service import ContentService
from bot.i18n import texts
from bot.i18n.translate import Markup, t
from bot.services import get_services
from bot.telegram.render import callback_data, escape, truncate
from bot.telegram.replies import edit_or_reply, language_for, reply_html

PREFIX = "fa"
#: who published the table (its source statement); used if that statement is hidden
TABLE_AUTHOR_FALLBACK = "Ukraine Information Group (London)"
TABLE_TITLE = "From Ukraine to Palestine: the comparison"
FILE_ID_KEY = "facts_table_file_id"

_png_cache: dict[tuple[tuple[FactRow, ...], str], bytes] = {}


async def table_png(rows: tuple[FactRow, ...], title: str) -> bytes:
    """The table image, rendered once per process (in a worker thread)."""
    key = (rows, title)
    cached = _png_cache.get(key)
    if cached is None:
        # Pillow is imported on the first picture, not at start-up (about 20 ms of cold start).
        from bot.content.table_image import render_table_png

        cached = await asyncio.to_thread(render_table_png, rows, title=title)
        _png_cache.clear()
        _png_cache[key] = cached
    return cached


def source_html(lang: str, content: ContentService) -> str:
    """``Source: “Why we carry this banner”, Ukraine Information Group (London)``."""
    info = content.statement_info(content.table_source_slug)
    author = info.author if info is not None and info.author else TABLE_AUTHOR_FALLBACK
    return t(lang, texts.FACT_SOURCE, title=content.table_source_title, author=author)


def row_html(lang: str, row: FactRow) -> str:
    """One row: the question, then the two labelled blocks (balanced HTML)."""
    return t(lang, texts.FACT_ROW, question=row.question, israel=row.israel, russia=row.russia)


def questions_markup(rows: tuple[FactRow, ...] | list[FactRow]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    truncate(row.question, 60), callback_data=callback_data(PREFIX, "r", row.key)
                )
            ]
            for row in rows
        ]
    )


def _row_view(lang: str, content: ContentService, row: FactRow) -> tuple[str, InlineKeyboardMarkup]:
    html_text = f"{row_html(lang, row)}\n\n{source_html(lang, content)}"
    markup = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t(lang, texts.FACT_BTN_ALL), callback_data=callback_data(PREFIX, "l")
                )
            ]
        ]
    )
    return html_text, markup


def _list_view(lang: str, content: ContentService) -> tuple[str, InlineKeyboardMarkup]:
    return t(lang, texts.FACT_LIST_HEADER), questions_markup(content.facts())


def table_text(lang: str, content: ContentService) -> str:
    """The whole table as text: every row, paragraph-separated so it splits cleanly."""
    blocks = [t(lang, texts.TABLE_HEADER)]
    blocks += [row_html(lang, row) for row in content.facts()]
    blocks.append(source_html(lang, content))
    return "\n\n".join(blocks)


async def facts_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The six questions as buttons."""
    lang = await language_for(update, context)
    await reply_html(update, context, *_list_view(lang, get_services(context).content))


async def compare_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """One row for loose words; candidates when ambiguous; the questions when unmatched."""
    lang = await language_for(update, context)
    content = get_services(context).content
    query = " ".join(context.args or []).strip()
    if not query:
        await reply_html(update, context, *_list_view(lang, content))
        return
    match = content.match_fact(query)
    if match.kind == "exact" and match.row is not None:
        await reply_html(update, context, *_row_view(lang, content, match.row))
    elif match.kind == "candidates" and match.candidates:
        await reply_html(
            update,
            context,
            t(lang, texts.FACT_CANDIDATES, query=query),
            questions_markup(match.candidates),
        )
    else:
        questions = "\n".join(f"• {escape(row.question)}" for row in content.facts())
        await reply_html(
            update,
            context,
            t(lang, texts.FACT_NONE, query=query, questions=Markup(questions)),
            questions_markup(content.facts()),
        )


async def table_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The whole table as a picture, with a button for the text version."""
    lang = await language_for(update, context)
    content = get_services(context).content
    chat, message = update.effective_chat, update.effective_message
    if chat is None:
        return
    thread_id = message.message_thread_id if message and message.is_topic_message else None
    caption = t(lang, texts.TABLE_CAPTION, source=Markup(source_html(lang, content)))
    markup = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t(lang, texts.TABLE_BTN_TEXT), callback_data=callback_data(PREFIX, "tx")
                )
            ]
        ]
    )
    bot_data = context.application.bot_data
    file_id = bot_data.get(FILE_ID_KEY)
    if isinstance(file_id, str):
        try:
            await context.bot.send_photo(
                chat.id,
                file_id,
                caption=caption,
                parse_mode=ParseMode.HTML,
                reply_markup=markup,
                message_thread_id=thread_id,
            )
            return
        except BadRequest:
            bot_data.pop(FILE_ID_KEY, None)  # stale id: upload the bytes again
    png = await table_png(content.facts(), TABLE_TITLE)
    sent = await context.bot.send_photo(
        chat.id,
        png,
        caption=caption,
        parse_mode=ParseMode.HTML,
        reply_markup=markup,
        message_thread_id=thread_id,
        filename="comparison-table.png",
    )
    if sent.photo:
        bot_data[FILE_ID_KEY] = sent.photo[-1].file_id


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A question (edit in place), back to the questions, or the table as text."""
    cq = update.callback_query
    if cq is None or cq.data is None:
        return
    lang = await language_for(update, context)
    content = get_services(context).content
    parts = cq.data.split(":")
    kind = parts[1] if len(parts) > 1 else ""
    if kind == "l":
        await cq.answer()
        await edit_or_reply(update, context, *_list_view(lang, content))
    elif kind == "r" and len(parts) == 3 and (row := content.fact(parts[2])) is not None:
        await cq.answer()
        await edit_or_reply(update, context, *_row_view(lang, content, row))
    elif kind == "tx":
        await cq.answer()
        # The picture stays; the text comes as new messages in the same chat and topic.
        await reply_html(update, context, table_text(lang, content))
    else:
        await cq.answer(t(lang, texts.BUTTON_EXPIRED), show_alert=True)


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    app.add_handler(CommandHandler("facts", facts_command))
    app.add_handler(CommandHandler("compare", compare_command))
    app.add_handler(CommandHandler("table", table_command))
    app.add_handler(CallbackQueryHandler(on_button, pattern=rf"^{PREFIX}:"))
