"""/excerpt words (alias /quote): the best-matching paragraphs, matched words in bold.

Without words: a random paragraph. Nothing found: say so and offer topics as buttons. A query
in a language the statements are not in is told so (in the chat's language), with the
closest passages if there are any.
The query itself never goes into callback data: it is kept in a small bounded per-chat
cache (``context.chat_data``) under a short id; ``ex:m:<id>:<offset>`` pages through it and a
missing id (e.g. after a restart) answers "expired, send again".
Callback data: ``ex:m:<id>:<offset>``, ``ex:t:<topic index>``, ``ex:r`` (another random one).
"""

from __future__ import annotations

import random
from collections.abc import MutableMapping
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes

from bot.content.service import ContentService, Hit
from bot.i18n import texts
from bot.i18n.translate import Markup, t
from bot.services import get_services
from bot.telegram.guards import parse_id
from bot.telegram.render import callback_data, escape, split_message, visible_length
from bot.telegram.replies import edit_or_reply, language_for, reply_html
from handlers.statements import source_line

PREFIX = "ex"
#: at most this many hits a page, fewer when they would not fit in one message
PAGE_SIZE = 4
#: visible characters a page may use (Telegram allows 4096; keep room for the header)
PAGE_BUDGET = 3600
#: one very long paragraph is cut to this many visible characters on a page
HIT_MAX = 3000
#: characters of the query a reply header shows (longer ones end in an ellipsis)
HEADER_QUERY_CHARS = 60
#: queries remembered per chat for the "More" button
CACHE_SIZE = 32
CACHE_KEY = "excerpt_queries"
COUNTER_KEY = "excerpt_counter"
#: topics offered when nothing is found (each has passages in the built-in statements)
TOPICS: tuple[str, ...] = (
    "genocide",
    "campism",
    "Vietnam",
    "solidarity",
    "resistance",
    "occupation",
)

_rng = random.Random()


def remember_query(chat_data: MutableMapping[Any, Any] | None, query: str) -> str | None:
    """Store query in the chat's bounded cache; return its short id (None without chat_data)."""
    if chat_data is None:
        return None
    cache = chat_data.setdefault(CACHE_KEY, {})
    for qid, known in cache.items():
        if known == query:
            return str(qid)
    counter = int(chat_data.get(COUNTER_KEY, 0)) + 1
    chat_data[COUNTER_KEY] = counter
    qid = _base36(counter)
    cache[qid] = query
    while len(cache) > CACHE_SIZE:
        del cache[next(iter(cache))]
    return qid


def recall_query(chat_data: MutableMapping[Any, Any] | None, qid: str) -> str | None:
    if chat_data is None:
        return None
    found = chat_data.get(CACHE_KEY, {}).get(qid)
    return found if isinstance(found, str) else None


def _base36(n: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        n, r = divmod(n, 36)
        out = digits[r] + out
        if n == 0:
            return out


def render_hit(lang: str, hit: Hit) -> str:
    """The highlighted paragraph (cut if very long) and its source line, balanced HTML."""
    body = hit.highlighted_html
    if visible_length(body) > HIT_MAX:
        body = split_message(body, HIT_MAX)[0] + " …"
    return f"{body}\n{source_line(lang, hit.statement)}"


def short_query(query: str) -> str:
    """The query as a reply header shows it: one line, at most HEADER_QUERY_CHARS."""
    flat = " ".join(query.split())
    return flat if len(flat) <= HEADER_QUERY_CHARS else flat[: HEADER_QUERY_CHARS - 1] + "…"


async def search_page(
    lang: str, content: ContentService, query: str, offset: int, qid: str | None
) -> tuple[str, InlineKeyboardMarkup | None]:
    """A page of results from offset (the last page if offset is past the end), or the
    "nothing found" reply; a query in a language no statement is in says so."""
    page = await content.search(query, limit=PAGE_SIZE, offset=offset, lang=lang)
    if not page.hits and offset > 0 and page.total > 0:
        offset = max(0, page.total - PAGE_SIZE)
        page = await content.search(query, limit=PAGE_SIZE, offset=offset, lang=lang)
    if not page.hits:
        return nothing_found(lang, query, page.foreign)
    items: list[str] = []
    used = 0
    for hit in page.hits:
        item = render_hit(lang, hit)
        size = visible_length(item)
        if items and used + size > PAGE_BUDGET:
            break
        items.append(item)
        used += size + 2
    first, last = offset + 1, offset + len(items)
    header_text = texts.EX_FOREIGN if page.foreign else texts.EX_HEADER
    header = t(
        lang, header_text, query=short_query(query), first=first, last=last, total=page.total
    )
    buttons: list[InlineKeyboardButton] = []
    if qid is not None and offset > 0:
        buttons.append(
            InlineKeyboardButton(
                t(lang, texts.EX_BTN_FIRST), callback_data=callback_data(PREFIX, "m", qid, 0)
            )
        )
    if qid is not None and last < page.total:
        buttons.append(
            InlineKeyboardButton(
                t(lang, texts.EX_BTN_MORE), callback_data=callback_data(PREFIX, "m", qid, last)
            )
        )
    markup = InlineKeyboardMarkup([buttons]) if buttons else None
    return "\n\n".join([header, *items]), markup


def nothing_found(
    lang: str, query: str, foreign: str | None = None
) -> tuple[str, InlineKeyboardMarkup]:
    examples = "\n".join(f"/excerpt {escape(topic)}" for topic in TOPICS)
    if foreign:
        html_text = t(lang, texts.EX_FOREIGN_NONE, query=short_query(query))
    else:
        html_text = t(lang, texts.EX_NONE, query=short_query(query), examples=Markup(examples))
    buttons = [
        InlineKeyboardButton(topic, callback_data=callback_data(PREFIX, "t", i))
        for i, topic in enumerate(TOPICS)
    ]
    return html_text, InlineKeyboardMarkup([buttons[:3], buttons[3:]])


async def random_excerpt(
    lang: str, content: ContentService, shown: str | None = None
) -> tuple[str, InlineKeyboardMarkup | None]:
    """A random passage; for "Another", one that differs from the passage now shown."""
    excerpt = await content.random_paragraph(_rng)
    for _ in range(8):  # with 40 passages, a repeat survives 8 draws about once in 10^13
        if excerpt is None or shown is None or excerpt.display_text not in shown:
            break
        excerpt = await content.random_paragraph(_rng)
    if excerpt is None:
        return t(lang, texts.EX_EMPTY_CORPUS), None
    body = escape(excerpt.display_text)
    html_text = "\n\n".join(
        [t(lang, texts.EX_RANDOM_HEADER), f"{body}\n{source_line(lang, excerpt.statement)}"]
    )
    markup = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t(lang, texts.EX_BTN_ANOTHER), callback_data=callback_data(PREFIX, "r")
                )
            ]
        ]
    )
    return html_text, markup


async def _answer_query(
    update: Update, context: ContextTypes.DEFAULT_TYPE, lang: str, query: str
) -> None:
    content = get_services(context).content
    qid = remember_query(context.chat_data, query)
    await edit_or_reply(update, context, *await search_page(lang, content, query, 0, qid))


async def excerpt_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Search for the words after the command; a random paragraph without words."""
    lang = await language_for(update, context)
    query = " ".join(context.args or []).strip()
    if not query:
        html_text, markup = await random_excerpt(lang, get_services(context).content)
        await reply_html(update, context, html_text, markup)
        return
    await _answer_query(update, context, lang, query)


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """More results, a suggested topic, or another random passage (edits in place)."""
    cq = update.callback_query
    if cq is None or cq.data is None:
        return
    lang = await language_for(update, context)
    content = get_services(context).content
    parts = cq.data.split(":")
    kind = parts[1] if len(parts) > 1 else ""
    if kind == "r":
        await cq.answer()
        shown = cq.message.text if isinstance(cq.message, Message) else None
        await edit_or_reply(update, context, *await random_excerpt(lang, content, shown))
        return
    number = parse_id(parts[-1]) if len(parts) in (3, 4) else None
    if kind == "t" and len(parts) == 3 and number is not None and number < len(TOPICS):
        await cq.answer()
        await _answer_query(update, context, lang, TOPICS[number])
        return
    if kind == "m" and len(parts) == 4 and number is not None:
        query = recall_query(context.chat_data, parts[2])
        result = (
            await search_page(lang, content, query, number, parts[2]) if query is not None else None
        )
        if result is not None:
            await cq.answer()
            await edit_or_reply(update, context, *result)
            return
    await cq.answer(t(lang, texts.EX_EXPIRED), show_alert=True)


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    app.add_handler(CommandHandler(["excerpt", "quote"], excerpt_command))
    app.add_handler(CallbackQueryHandler(on_button, pattern=rf"^{PREFIX}:"))
