"""RSVP buttons under a demonstration: Going and Can't go. The popup states the answer after
the press; Going sends the practical details privately at once to a member who started the bot.
Only the numeric user id and the answer are stored (see storage/demos.py)."""

from __future__ import annotations

import logging
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from telegram import Update
from telegram.error import BadRequest, Forbidden
from telegram.ext import ContextTypes

from bot.demos.cards import demo_keyboard, relabel_going, render_card
from bot.i18n import texts
from bot.i18n.translate import t
from bot.services import get_services
from bot.telegram.replies import app_language, language_for
from storage.demos import Demo

log = logging.getLogger(__name__)


def answer_line(lang: str, answer: bool | None) -> str:
    """ "Your answer: going." for a member's own /demo in private ("" without an answer)."""
    if answer is None:
        return ""
    return t(lang, texts.RSVP_YOURS_GOING if answer else texts.RSVP_YOURS_CANT)


async def answer(
    update: Update, context: ContextTypes.DEFAULT_TYPE, demo_id: int, going: bool
) -> None:
    """Record a Going / Can't go press, say the new state, update the count on the card."""
    query = update.callback_query
    user = update.effective_user
    if query is None or user is None:
        return
    services = get_services(context)
    lang = await language_for(update, context)
    demo = await services.demos.get(demo_id)
    if demo is None or demo.cancelled or demo.starts_at <= services.clock.now():
        await query.answer(t(lang, texts.DEMO_OVER), show_alert=True)
        return
    chat = update.effective_chat
    if chat is not None and chat.id == user.id:
        # Pressed in the private chat with the bot: the bot may write here (reminders too).
        await services.chats.ensure(chat.id, chat.type, services.clock.now(), app_language(update))
    before = await services.demos.rsvp_answer(demo_id, user.id)
    count = await services.reminders.set_rsvp(demo_id, user.id, going)
    private = await services.chats.get(user.id)
    if not going:
        note = texts.RSVP_CANT
    elif private is not None and private.active:
        note = texts.RSVP_ON_PRIVATE
    else:
        note = texts.RSVP_ON
    await query.answer(t(lang, note))
    message = query.message
    markup = relabel_going(
        message.reply_markup if message is not None and hasattr(message, "reply_markup") else None,
        demo_id,
        lang,
        count,
    )
    if markup is not None:
        try:
            await query.edit_message_reply_markup(markup)
        except BadRequest as exc:
            if "not modified" not in str(exc).lower():
                raise
    if going and before is not True and private is not None and private.active:
        # Once per change of answer: pressing Going again does not send them again.
        tz = _zone(private.effective_timezone(services.settings.timezone))
        await _send_details(context, demo, user.id, private.message_language or lang, tz, count)


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


async def _send_details(
    context: ContextTypes.DEFAULT_TYPE,
    demo: Demo,
    user_id: int,
    lang: str,
    tz: ZoneInfo,
    count: int,
) -> None:
    """The card with its practical details, in the member's private chat with the bot."""
    html = t(lang, texts.RSVP_DETAILS_HEADER) + "\n\n" + render_card(demo, lang, tz, details=True)
    try:
        await context.bot.send_message(
            user_id, html, parse_mode="HTML", reply_markup=demo_keyboard(demo, lang, count)
        )
    except Forbidden:  # blocked the bot since: the answer is still recorded
        log.info("could not send demo details privately to %s", user_id)
