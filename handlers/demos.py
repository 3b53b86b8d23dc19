"""Demonstrations for members: /demos, /demo, the Going and calendar buttons. The admins'
commands are in handlers/demos_admin.py; parsing and rendering in bot/demos/cards.py."""

from __future__ import annotations

import logging
from typing import Any
from zoneinfo import ZoneInfo

from telegram import InputFile, Update
from telegram.constants import ChatType
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
)

from bot.demos.cards import (
    demo_keyboard,
    list_page,
    render_card,
)
from bot.demos.ics import ics_filename
from bot.i18n import texts
from bot.i18n.translate import t
from bot.services import Services, get_services
from bot.telegram.guards import parse_id
from bot.telegram.permissions import is_bot_admin, refuse
from bot.telegram.render import truncate
from bot.telegram.replies import edit_or_reply, language_for, reply_html
from handlers import rsvp

log = logging.getLogger(__name__)

PREFIX = "demo"
PAGE_SIZE = 5
MAX_REASON = 300
WHEN, PLACE, TITLE, LINK, REGION, DETAILS = range(6)
_DRAFT = "demo_draft"
_STEPS = "demo_steps"


async def chat_zone(update: Update, services: Services) -> tuple[ZoneInfo, str | None]:
    """The chat's time zone and region filter (defaults when the chat is unknown)."""
    chat = update.effective_chat
    stored = await services.chats.get(chat.id) if chat else None
    name = stored.effective_timezone(services.settings.timezone) if stored else None
    try:
        tz = ZoneInfo(name or services.settings.timezone)
    except Exception:
        tz = ZoneInfo(services.settings.timezone)
    return tz, stored.region if stored else None


# --- browsing -------------------------------------------------------------------------------
async def _page(update: Update, context: ContextTypes.DEFAULT_TYPE, page: int) -> None:
    services = get_services(context)
    now = services.clock.now()
    tz, region = await chat_zone(update, services)
    lang = await language_for(update, context)
    total = await services.demos.count_upcoming(now, region=region)
    if total == 0:
        await edit_or_reply(update, context, t(lang, texts.DEMOS_NONE))
        return
    pages = (total + PAGE_SIZE - 1) // PAGE_SIZE
    page = max(0, min(page, pages - 1))
    demos = await services.demos.upcoming(
        now, region=region, offset=page * PAGE_SIZE, limit=PAGE_SIZE
    )
    counts = await services.demos.rsvp_counts([d.id for d in demos])
    html, markup = list_page(demos, counts, lang, tz, page, pages)
    await edit_or_reply(update, context, html, markup)


async def demos_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await _page(update, context, 0)


async def demo_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    services = get_services(context)
    lang = await language_for(update, context)
    args = context.args or []
    if len(args) != 1 or parse_id(args[0]) is None:
        await reply_html(update, context, t(lang, texts.DEMO_USAGE))
        return
    demo_id = int(args[0].lstrip("#"))
    demo = await services.demos.get(demo_id) if demo_id < 2**62 else None
    if demo is None:
        await reply_html(update, context, t(lang, texts.DEMO_NOT_FOUND, id=demo_id))
        return
    tz, _ = await chat_zone(update, services)
    chat, user = update.effective_chat, update.effective_user
    private = chat is not None and chat.type == ChatType.PRIVATE
    # In private a member sees their own answer, and the practical details once going.
    mine = await services.demos.rsvp_answer(demo.id, user.id) if private and user else None
    details = mine is True or (private and is_bot_admin(update, context))
    count = await services.demos.rsvp_count(demo.id)
    html = render_card(demo, lang, tz, details=details)
    if mine is not None:
        html += "\n" + rsvp.answer_line(lang, mine)
    await reply_html(update, context, html, demo_keyboard(demo, lang, count))


async def demo_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """demo:page:N, demo:rsvp:ID[:l] (Going), demo:cant:ID[:l], demo:ics:ID (previews' buttons:
    handlers/demos_admin)."""
    query = update.callback_query
    if query is None:
        return
    parts = (query.data or "").split(":")
    action = parts[1] if len(parts) >= 3 else ""
    number = parse_id(parts[2]) if len(parts) >= 3 else None
    if action == "page" and number is not None:
        await query.answer()
        await _page(update, context, number)
    elif action in ("rsvp", "cant") and number is not None:
        await rsvp.answer(update, context, number, going=action == "rsvp")
    elif action == "ics" and number is not None:
        await _ics(update, context, number)
    else:
        await refuse(update, context, texts.BUTTON_EXPIRED)


async def _ics(update: Update, context: ContextTypes.DEFAULT_TYPE, demo_id: int) -> None:
    query = update.callback_query
    chat = update.effective_chat
    assert query is not None
    services = get_services(context)
    lang = await language_for(update, context)
    demo = await services.demos.get(demo_id)
    if demo is None or chat is None:
        await query.answer(t(lang, texts.DEMO_OVER), show_alert=True)
        return
    await query.answer()
    message = update.effective_message
    thread_id = message.message_thread_id if message and message.is_topic_message else None
    now = services.clock.now()  # the file is kept until the demonstration changes
    await context.bot.send_document(
        chat.id,
        InputFile(services.feeds.export.demo_file(demo, now), filename=ics_filename(demo)),
        caption=t(lang, texts.ICS_CAPTION, title=truncate(demo.title, 200)),
        message_thread_id=thread_id,
    )


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    app.add_handler(CommandHandler("demos", demos_command))
    app.add_handler(CommandHandler("demo", demo_command))
    app.add_handler(CallbackQueryHandler(demo_button, pattern=f"^{PREFIX}:"))
