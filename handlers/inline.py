"""Inline mode: ``@bot words`` offers matching facts and excerpts to share in any chat.

An empty query offers the six facts. Each result is an InlineQueryResultArticle whose
message is HTML within Telegram's 4,096 UTF-16 units (bot/telegram/limits.py) with its source;
ids are short and unique.
"""

from __future__ import annotations

import hashlib
import html
import re
from typing import Any

from telegram import InlineQueryResultArticle, InputTextMessageContent, Update
from telegram.constants import ParseMode
from telegram.ext import Application, ContextTypes, InlineQueryHandler

from bot.content.corpus import FactRow
from bot.content.service import ContentService, Hit
from bot.i18n import texts
from bot.i18n.translate import t
from bot.services import get_services
from bot.telegram import limits
from bot.telegram.render import escape, truncate
from bot.telegram.replies import language_for
from handlers.facts import row_html, source_html
from handlers.statements import source_line

MAX_RESULTS = 50
MAX_EXCERPTS = 40
#: the most of a shared message a source line may take (a longer one is shortened)
SOURCE_MAX_UNITS = 1024
DESCRIPTION_CHARS = 100
TITLE_CHARS = 64
CACHE_SECONDS = 300


def _fact_result(lang: str, content: ContentService, row: FactRow) -> InlineQueryResultArticle:
    html_text = f"{row_html(lang, row)}\n\n{source_html(lang, content)}"
    description = t(lang, texts.INLINE_FACT_DESCRIPTION, israel=row.israel, russia=row.russia)
    return InlineQueryResultArticle(
        id=f"f:{row.key}",
        title=row.question,
        description=truncate(description, DESCRIPTION_CHARS),
        input_message_content=InputTextMessageContent(
            html_text, parse_mode=ParseMode.HTML, disable_web_page_preview=True
        ),
    )


def _hit_id(hit: Hit) -> str:
    slug_hash = hashlib.sha1(hit.statement.slug.encode("utf-8")).hexdigest()[:12]
    return f"p:{slug_hash}:{hit.paragraph.index}"


def shared_message(plain_body: str, source_html: str) -> str:
    """The paragraph (plain text) and its source line (HTML), within the inline result limit.

    The source keeps its formatting unless it is very long (then it is shortened as plain
    text); the paragraph gets what is left, cut with an ellipsis.
    """
    if limits.visible_units(source_html) > SOURCE_MAX_UNITS:
        plain_source = limits.clip(_plain(source_html), SOURCE_MAX_UNITS)
        source_html = escape(plain_source)
    budget = limits.INLINE_MESSAGE - 2 - limits.visible_units(source_html)
    return f"{escape(limits.clip(plain_body, budget))}\n\n{source_html}"


def _plain(html_text: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", html_text))


def _hit_result(lang: str, hit: Hit) -> InlineQueryResultArticle:
    plain = hit.display_text
    html_text = shared_message(plain, source_line(lang, hit.statement))
    return InlineQueryResultArticle(
        id=_hit_id(hit),
        title=truncate(hit.statement.title, TITLE_CHARS),
        description=truncate(plain, DESCRIPTION_CHARS),
        input_message_content=InputTextMessageContent(
            html_text, parse_mode=ParseMode.HTML, disable_web_page_preview=True
        ),
    )


async def inline_results(
    lang: str, content: ContentService, query: str
) -> list[InlineQueryResultArticle]:
    """Facts the query means first, then the best excerpts; at most 50, unique ids."""
    query = query.strip()
    if not query:
        return [_fact_result(lang, content, row) for row in content.facts()]
    results: list[InlineQueryResultArticle] = []
    match = content.match_fact(query)
    rows = [match.row] if match.kind == "exact" and match.row else list(match.candidates)
    results += [_fact_result(lang, content, row) for row in rows]
    page = await content.search(query, limit=MAX_EXCERPTS, lang=lang)
    seen = {r.id for r in results}
    for hit in page.hits:
        result = _hit_result(lang, hit)
        if result.id not in seen:
            seen.add(result.id)
            results.append(result)
    return results[:MAX_RESULTS]


async def on_inline_query(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    inline = update.inline_query
    if inline is None:
        return
    lang = await language_for(update, context)
    results = await inline_results(lang, get_services(context).content, inline.query)
    await inline.answer(results, cache_time=CACHE_SECONDS, is_personal=False)


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    app.add_handler(InlineQueryHandler(on_inline_query))
