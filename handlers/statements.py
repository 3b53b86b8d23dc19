"""/statements: the group's statements as buttons, then paragraph by paragraph with ◀ ▶.

Callback data (all well within 64 bytes): ``st:l`` (the list), ``st:p:<key>:<index>``
(a statement's paragraph; ``key`` is a 10-hex-digit hash of the slug, so long slugs fit).
"""

from __future__ import annotations

import hashlib
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes

from bot.content.service import ContentService, StatementInfo, StatementPage
from bot.i18n import texts
from bot.i18n.translate import t
from bot.services import get_services
from bot.telegram.guards import parse_id
from bot.telegram.render import callback_data, escape, truncate
from bot.telegram.replies import edit_or_reply, language_for, reply_html

PREFIX = "st"
BUTTON_TITLE_CHARS = 60
#: a page is edited in place, so it must fit one message: longer paragraphs are cut


def slug_key(slug: str) -> str:
    """A short, stable key for a slug that always fits in callback data."""
    return hashlib.sha1(slug.encode("utf-8")).hexdigest()[:10]


async def find_by_key(content: ContentService, key: str) -> StatementInfo | None:
    """The visible statement whose slug hashes to key (there are only a handful)."""
    for info in await content.list_statements():
        if slug_key(info.slug) == key:
            return info
    return None


def byline(info: StatementInfo) -> str:
    """``author, date`` with whichever of the two is known (plain text)."""
    return ", ".join(part for part in (info.author.strip(), info.date.strip()) if part)


def source_line(lang: str, info: StatementInfo) -> str:
    """``<i>Title</i> — Author, date`` as safe HTML."""
    by = byline(info)
    if not by:
        return t(lang, texts.CONTENT_SOURCE_TITLE_ONLY, title=info.title)
    return t(lang, texts.CONTENT_SOURCE, title=info.title, byline=by)


def _list_markup(statements: list[StatementInfo]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    truncate(info.title, BUTTON_TITLE_CHARS),
                    callback_data=callback_data(PREFIX, "p", slug_key(info.slug), 0),
                )
            ]
            for info in statements
        ]
    )


async def _list(lang: str, content: ContentService) -> tuple[str, InlineKeyboardMarkup | None]:
    statements = await content.list_statements()
    if not statements:
        return t(lang, texts.ST_LIST_EMPTY), None
    return t(lang, texts.ST_LIST_HEADER), _list_markup(statements)


def render_page(lang: str, page: StatementPage) -> tuple[str, InlineKeyboardMarkup]:
    """One paragraph of a statement with its header, sub-heading, position and buttons."""
    info = page.statement
    by = byline(info)
    header = (
        t(lang, texts.ST_HEADER, title=info.title, byline=by)
        if by
        else t(lang, texts.CONTENT_SOURCE_TITLE_ONLY, title=info.title)
    )
    blocks = [header]
    heading = page.paragraph.heading
    if heading:
        blocks.append(t(lang, texts.ST_HEADING, heading=heading))
    # A very long uploaded paragraph is shown whole: edit_or_reply sends a page that needs
    # several messages as several (the buttons under the last), never a cut version.
    blocks.append(escape(page.display_text))
    blocks.append(t(lang, texts.ST_POSITION, n=page.index + 1, total=page.total))
    key = slug_key(info.slug)
    nav: list[InlineKeyboardButton] = []
    if page.has_prev:
        nav.append(
            InlineKeyboardButton(
                t(lang, texts.CONTENT_BTN_PREV),
                callback_data=callback_data(PREFIX, "p", key, page.index - 1),
            )
        )
    if page.has_next:
        nav.append(
            InlineKeyboardButton(
                t(lang, texts.CONTENT_BTN_NEXT),
                callback_data=callback_data(PREFIX, "p", key, page.index + 1),
            )
        )
    rows = [nav] if nav else []
    rows.append(
        [InlineKeyboardButton(t(lang, texts.ST_BTN_BACK), callback_data=callback_data(PREFIX, "l"))]
    )
    return "\n\n".join(blocks), InlineKeyboardMarkup(rows)


async def statements_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """List the statements as buttons."""
    lang = await language_for(update, context)
    html_text, markup = await _list(lang, get_services(context).content)
    await reply_html(update, context, html_text, markup)


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """``st:l`` back to the list; ``st:p:<key>:<n>`` show paragraph n (edits in place)."""
    query = update.callback_query
    if query is None or query.data is None:
        return
    content = get_services(context).content
    lang = await language_for(update, context)
    parts = query.data.split(":")
    if parts[1:2] == ["l"]:
        await query.answer()
        html_text, markup = await _list(lang, content)
        await edit_or_reply(update, context, html_text, markup)
        return
    if len(parts) != 4 or parts[1] != "p" or parse_id(parts[3]) is None:
        await query.answer(t(lang, texts.BUTTON_EXPIRED), show_alert=True)
        return
    info = await find_by_key(content, parts[2])
    page = await content.statement_page(info.slug, int(parts[3])) if info else None
    if page is None:
        await query.answer(t(lang, texts.ST_GONE), show_alert=True)
        return
    await query.answer()
    html_text, markup = render_page(lang, page)
    await edit_or_reply(update, context, html_text, markup)


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    app.add_handler(CommandHandler("statements", statements_command))
    app.add_handler(CallbackQueryHandler(on_button, pattern=rf"^{PREFIX}:"))


__all__ = ["byline", "find_by_key", "register", "render_page", "slug_key", "source_line"]
