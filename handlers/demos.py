"""Demonstrations: /demos, /demo, Going and calendar buttons; admins' /adddemo, /editdemo,
/canceldemo. Parsing and rendering live in bot/demos/cards.py; the write path in
bot/reminders/service.py."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Update
from telegram.constants import ChatType
from telegram.error import BadRequest
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.demos.cards import (
    EDIT_FIELDS,
    MAX_DETAILS,
    MAX_PLACE,
    MAX_TITLE,
    clean_link,
    clean_multiline,
    clean_region,
    clean_text,
    demo_keyboard,
    error_text,
    list_page,
    parse_adddemo,
    parse_edit,
    relabel_going,
    render_card,
)
from bot.demos.ics import demo_ics, ics_filename
from bot.demos.timeparse import InputError, parse_when
from bot.i18n import texts
from bot.i18n.translate import t
from bot.services import Services, get_services
from bot.telegram.guards import parse_id
from bot.telegram.permissions import bot_admin_only, is_bot_admin, refuse
from bot.telegram.render import callback_data, truncate
from bot.telegram.replies import edit_or_reply, language_for, reply_html
from storage.demos import Demo, NewDemo

log = logging.getLogger(__name__)

PREFIX = "demo"
PAGE_SIZE = 5
MAX_REASON = 300
WHEN, PLACE, TITLE, LINK, REGION, DETAILS = range(6)
_DRAFT = "demo_draft"
_STEPS = "demo_steps"


async def _chat_zone(update: Update, services: Services) -> tuple[ZoneInfo, str | None]:
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
    tz, region = await _chat_zone(update, services)
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
    tz, _ = await _chat_zone(update, services)
    chat, user = update.effective_chat, update.effective_user
    private = chat is not None and chat.type == ChatType.PRIVATE
    details = (
        private and user is not None and await services.demos.has_rsvp(demo.id, user.id)
    ) or (private and is_bot_admin(update, context))
    count = await services.demos.rsvp_count(demo.id)
    await reply_html(
        update,
        context,
        render_card(demo, lang, tz, details=details),
        demo_keyboard(demo, lang, count),
    )


async def demo_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """demo:page:N, demo:rsvp:ID[:l], demo:ics:ID, demo:save:TOKEN, demo:drop:TOKEN."""
    query = update.callback_query
    if query is None:
        return
    parts = (query.data or "").split(":")
    action = parts[1] if len(parts) >= 3 else ""
    number = parse_id(parts[2]) if len(parts) >= 3 else None
    if action == "page" and number is not None:
        await query.answer()
        await _page(update, context, number)
    elif action == "rsvp" and number is not None:
        await _rsvp(update, context, number)
    elif action == "ics" and number is not None:
        await _ics(update, context, number)
    elif action in ("save", "drop"):
        await _confirm(update, context, action, parts[2])
    else:
        await refuse(update, context, texts.BUTTON_EXPIRED)


async def _rsvp(update: Update, context: ContextTypes.DEFAULT_TYPE, demo_id: int) -> None:
    query = update.callback_query
    user = update.effective_user
    assert query is not None
    if user is None:
        return
    services = get_services(context)
    lang = await language_for(update, context)
    demo = await services.demos.get(demo_id)
    if demo is None or demo.cancelled or demo.starts_at <= services.clock.now():
        await query.answer(t(lang, texts.DEMO_OVER), show_alert=True)
        return
    going, count = await services.reminders.toggle_rsvp(demo_id, user.id)
    private = await services.chats.get(user.id)
    if not going:
        note = texts.RSVP_OFF
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
    await context.bot.send_document(
        chat.id,
        InputFile(demo_ics(demo, services.clock.now()), filename=ics_filename(demo)),
        caption=t(lang, texts.ICS_CAPTION, title=truncate(demo.title, 200)),
        message_thread_id=thread_id,
    )


# --- adding ---------------------------------------------------------------------------------
def _preview_demo(new: NewDemo) -> Demo:
    return Demo(
        id=0,
        uid="",
        starts_at=new.starts_at,
        place=new.place,
        title=new.title,
        description=new.description,
        link=new.link,
        region=new.region,
        details=new.details,
        status="scheduled",
        cancel_reason=None,
        source="admin",
        feed_id=None,
    )


async def _preview(update: Update, context: ContextTypes.DEFAULT_TYPE, new: NewDemo) -> None:
    services = get_services(context)
    tz, _ = await _chat_zone(update, services)
    lang = await language_for(update, context)
    token = secrets.token_hex(4)
    assert context.user_data is not None
    context.user_data[_DRAFT] = (token, new)
    region = f"\n📍 {new.region}" if new.region else ""
    html = (
        t(lang, texts.ADDDEMO_PREVIEW)
        + "\n\n"
        + render_card(_preview_demo(new), lang, tz, details=True, number=False)
        + region
    )
    markup = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t(lang, texts.BUTTON_SAVE), callback_data=callback_data(PREFIX, "save", token)
                ),
                InlineKeyboardButton(
                    t(lang, texts.BUTTON_DISCARD),
                    callback_data=callback_data(PREFIX, "drop", token),
                ),
            ]
        ]
    )
    await reply_html(update, context, html, markup)


async def _confirm(
    update: Update, context: ContextTypes.DEFAULT_TYPE, action: str, token: str
) -> None:
    query = update.callback_query
    assert query is not None
    if not is_bot_admin(update, context):
        await refuse(update, context, texts.NOT_ADMIN)
        return
    lang = await language_for(update, context)
    draft = (context.user_data or {}).get(_DRAFT)
    if not draft or draft[0] != token:
        await refuse(update, context, texts.BUTTON_EXPIRED)
        return
    assert context.user_data is not None
    context.user_data.pop(_DRAFT, None)
    await query.answer()
    if action == "drop":
        await edit_or_reply(update, context, t(lang, texts.ADDDEMO_DISCARDED))
        return
    services = get_services(context)
    new: NewDemo = draft[1]
    user = update.effective_user
    demo_id = await services.reminders.add_demo(new, created_by=user.id if user else None)
    log.info("demo %s added", demo_id)
    await edit_or_reply(update, context, t(lang, texts.ADDDEMO_SAVED, id=demo_id))


async def adddemo_start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    if not is_bot_admin(update, context):
        await refuse(update, context, texts.NOT_ADMIN)
        return ConversationHandler.END
    services = get_services(context)
    lang = await language_for(update, context)
    message = update.effective_message
    text = (message.text or "") if message else ""
    rest = text.split(maxsplit=1)[1] if len(text.split(maxsplit=1)) > 1 else ""
    tz, _ = await _chat_zone(update, services)
    if rest.strip():
        try:
            new = parse_adddemo(rest, tz, services.clock.now())
        except InputError as exc:
            await reply_html(update, context, error_text(lang, exc))
            return ConversationHandler.END
        await _preview(update, context, new)
        return ConversationHandler.END
    assert context.user_data is not None
    context.user_data[_STEPS] = {}
    await reply_html(update, context, t(lang, texts.ADDDEMO_ASK_WHEN, timezone=tz.key))
    return WHEN


def _steps(context: ContextTypes.DEFAULT_TYPE) -> dict[str, Any]:
    assert context.user_data is not None
    steps = context.user_data.setdefault(_STEPS, {})
    assert isinstance(steps, dict)
    return steps


async def _retry(update: Update, context: ContextTypes.DEFAULT_TYPE, exc: InputError) -> None:
    lang = await language_for(update, context)
    await reply_html(update, context, t(lang, texts.ERR_TRY_AGAIN, error=_markup(lang, exc)))


def _markup(lang: str, exc: InputError) -> Any:
    from bot.i18n.translate import Markup

    return Markup(error_text(lang, exc))


def _text(update: Update) -> str:
    message = update.effective_message
    return (message.text or "") if message else ""


async def _ask(update: Update, context: ContextTypes.DEFAULT_TYPE, question: str) -> None:
    lang = await language_for(update, context)
    await reply_html(update, context, t(lang, question))


async def _step(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    key: str,
    clean: Callable[[str], object],
    *,
    again: int,
    question: str,
    then: int,
) -> int:
    """Store the cleaned answer under ``key``, ask ``question``; on bad input, stay in ``again``."""
    try:
        _steps(context)[key] = clean(_text(update))
    except InputError as exc:
        await _retry(update, context, exc)
        return again
    await _ask(update, context, question)
    return then


async def step_when(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    services = get_services(context)
    tz, _ = await _chat_zone(update, services)
    return await _step(
        update,
        context,
        "starts_at",
        lambda text: parse_when(text, tz, services.clock.now()),
        again=WHEN,
        question=texts.ADDDEMO_ASK_PLACE,
        then=PLACE,
    )


async def step_place(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    return await _step(
        update,
        context,
        "place",
        lambda text: clean_text(
            text, field="place", limit=MAX_PLACE, missing=texts.ERR_PLACE_MISSING
        ),
        again=PLACE,
        question=texts.ADDDEMO_ASK_TITLE,
        then=TITLE,
    )


async def step_title(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    return await _step(
        update,
        context,
        "title",
        lambda text: clean_text(
            text, field="title", limit=MAX_TITLE, missing=texts.ERR_TITLE_MISSING
        ),
        again=TITLE,
        question=texts.ADDDEMO_ASK_LINK,
        then=LINK,
    )


async def step_link(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    return await _step(
        update,
        context,
        "link",
        clean_link,
        again=LINK,
        question=texts.ADDDEMO_ASK_REGION,
        then=REGION,
    )


async def skip_link(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    _steps(context)["link"] = None
    await _ask(update, context, texts.ADDDEMO_ASK_REGION)
    return REGION


async def step_region(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    return await _step(
        update,
        context,
        "region",
        clean_region,
        again=REGION,
        question=texts.ADDDEMO_ASK_DETAILS,
        then=DETAILS,
    )


async def skip_region(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    _steps(context)["region"] = None
    await _ask(update, context, texts.ADDDEMO_ASK_DETAILS)
    return DETAILS


async def step_details(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    try:
        details = clean_multiline(_text(update), field="details", limit=MAX_DETAILS)
    except InputError as exc:
        await _retry(update, context, exc)
        return DETAILS
    return await _finish(update, context, details or None)


async def skip_details(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    return await _finish(update, context, None)


async def _finish(update: Update, context: ContextTypes.DEFAULT_TYPE, details: str | None) -> int:
    assert context.user_data is not None
    steps = context.user_data.pop(_STEPS, {})
    new = NewDemo(
        starts_at=steps["starts_at"],
        place=steps["place"],
        title=steps["title"],
        link=steps.get("link"),
        region=steps.get("region"),
        details=details,
    )
    await _preview(update, context, new)
    return ConversationHandler.END


async def cancel(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    if context.user_data is not None:
        context.user_data.pop(_STEPS, None)
    await _ask(update, context, texts.ADDDEMO_CANCELLED)
    return ConversationHandler.END


# --- editing and cancelling -------------------------------------------------------------------
async def _admin_demo(
    update: Update, context: ContextTypes.DEFAULT_TYPE, raw_id: str, lang: str
) -> Demo | None:
    services = get_services(context)
    demo_id = parse_id(raw_id) or -1
    demo = await services.demos.get(demo_id) if 0 < demo_id < 2**62 else None
    if demo is None:
        await reply_html(update, context, t(lang, texts.DEMO_NOT_FOUND, id=raw_id[:20]))
        return None
    if demo.cancelled:
        await reply_html(update, context, t(lang, texts.DEMO_ALREADY_CANCELLED, id=demo.id))
        return None
    return demo


@bot_admin_only
async def editdemo_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    services = get_services(context)
    lang = await language_for(update, context)
    parts = _text(update).split(maxsplit=3)
    if len(parts) < 4 or parts[2].casefold() not in EDIT_FIELDS:
        await reply_html(update, context, t(lang, texts.EDITDEMO_USAGE))
        return
    demo = await _admin_demo(update, context, parts[1], lang)
    if demo is None:
        return
    tz, _ = await _chat_zone(update, services)
    try:
        edit = parse_edit(parts[2], parts[3], tz, services.clock.now())
    except InputError as exc:
        await reply_html(update, context, error_text(lang, exc))
        return
    await services.reminders.edit_demo(demo, edit)
    await reply_html(update, context, t(lang, texts.EDITDEMO_DONE, id=demo.id))


@bot_admin_only
async def canceldemo_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    services = get_services(context)
    lang = await language_for(update, context)
    parts = _text(update).split(maxsplit=2)
    if len(parts) < 2:
        await reply_html(update, context, t(lang, texts.CANCELDEMO_USAGE))
        return
    demo = await _admin_demo(update, context, parts[1], lang)
    if demo is None:
        return
    reason = None
    if len(parts) > 2:
        try:
            reason = clean_text(parts[2], field="reason", limit=MAX_REASON) or None
        except InputError as exc:
            await reply_html(update, context, error_text(lang, exc))
            return
    await services.reminders.cancel_demo(demo, reason)
    await reply_html(update, context, t(lang, texts.CANCELDEMO_DONE, id=demo.id))


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    text = filters.TEXT & ~filters.COMMAND
    app.add_handler(
        ConversationHandler(
            entry_points=[CommandHandler("adddemo", adddemo_start)],
            states={
                WHEN: [MessageHandler(text, step_when)],
                PLACE: [MessageHandler(text, step_place)],
                TITLE: [MessageHandler(text, step_title)],
                LINK: [MessageHandler(text, step_link), CommandHandler("skip", skip_link)],
                REGION: [MessageHandler(text, step_region), CommandHandler("skip", skip_region)],
                DETAILS: [
                    MessageHandler(text, step_details),
                    CommandHandler("skip", skip_details),
                ],
            },
            fallbacks=[CommandHandler("cancel", cancel)],
            name="adddemo",
            allow_reentry=True,
        )
    )
    app.add_handler(CommandHandler("demos", demos_command))
    app.add_handler(CommandHandler("demo", demo_command))
    app.add_handler(CommandHandler("editdemo", editdemo_command))
    app.add_handler(CommandHandler("canceldemo", canceldemo_command))
    app.add_handler(CallbackQueryHandler(demo_button, pattern=f"^{PREFIX}:"))
