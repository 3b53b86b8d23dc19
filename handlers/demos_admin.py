"""Bot administrators' demonstration commands: /adddemo (one line or guided), /editdemo,
/canceldemo and /restoredemo. Each change is previewed (old → new) with Save / Discard; a
cancellation can be undone. Parsing and rendering live in bot/demos/; the write path and the
notices in bot/demos/service.py."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
)

from bot.demos.cards import (
    EDIT_FIELDS,
    clean_text,
    error_text,
    parse_edit,
    render_card,
    venue_zone,
)
from bot.demos.changes import change_lines
from bot.demos.service import UNDO_WINDOW
from bot.demos.timeparse import InputError
from bot.i18n import texts
from bot.i18n.translate import t
from bot.services import get_services
from bot.telegram.guards import parse_id
from bot.telegram.permissions import bot_admin_only, is_bot_admin, refuse
from bot.telegram.render import callback_data
from bot.telegram.replies import edit_or_reply, language_for, reply_html
from handlers.demos import chat_zone
from handlers.demos_add import DRAFTS, PREFIX, adddemo_conversation, show_preview
from storage.demos import Demo, NewDemo

log = logging.getLogger(__name__)

MAX_REASON = 300


def _text(update: Update) -> str:
    message = update.effective_message
    return (message.text or "") if message else ""


async def _admin_demo(
    update: Update, context: ContextTypes.DEFAULT_TYPE, raw_id: str, lang: str
) -> Demo | None:
    """The demo an admin named, or None after saying why not (unknown, or cancelled)."""
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
    if len(parts) == 3 and parts[2].casefold() in EDIT_FIELDS:
        parts.append("")  # "/editdemo 3 title": an empty value, refused below for what it is
    if len(parts) < 4 or parts[2].casefold() not in EDIT_FIELDS:
        await reply_html(update, context, t(lang, texts.EDITDEMO_USAGE))
        return
    demo = await _admin_demo(update, context, parts[1], lang)
    if demo is None:
        return
    tz, _ = await chat_zone(update, services)
    venue = venue_zone(demo) or tz
    try:
        edit = parse_edit(parts[2], parts[3], venue, services.clock.now())
    except InputError as exc:
        await reply_html(update, context, error_text(lang, exc))
        return
    edit, changes = services.demo_service.plan(demo, edit, tz)
    if not changes:
        await reply_html(update, context, t(lang, texts.EDITDEMO_SAME, id=demo.id))
        return
    shown = ZoneInfo(str(edit.value)) if edit.column == "timezone" else venue_zone(demo)
    lines = change_lines(lang, changes, shown or tz)
    html = t(lang, texts.EDITDEMO_PREVIEW, id=demo.id) + "\n\n" + "\n".join(lines)
    await show_preview(update, context, html, ("edit", demo.id, edit))


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
    tz, _ = await chat_zone(update, services)
    shown = replace(demo, status="cancelled", cancel_reason=reason)
    html = t(lang, texts.CANCELDEMO_PREVIEW, id=demo.id) + "\n\n" + render_card(shown, lang, tz)
    await show_preview(update, context, html, ("cancel", demo.id, reason))


@bot_admin_only
async def restoredemo_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    lang = await language_for(update, context)
    parts = _text(update).split()
    if len(parts) != 2:
        await reply_html(update, context, t(lang, texts.RESTOREDEMO_USAGE))
        return
    services = get_services(context)
    demo_id = parse_id(parts[1]) or -1
    demo = await services.demos.get(demo_id) if 0 < demo_id < 2**62 else None
    if demo is None:
        await reply_html(update, context, t(lang, texts.DEMO_NOT_FOUND, id=parts[1][:20]))
        return
    await reply_html(update, context, await _restore(context, demo, lang))


async def _restore(context: ContextTypes.DEFAULT_TYPE, demo: Demo, lang: str) -> str:
    services = get_services(context)
    if not demo.cancelled:
        return t(lang, texts.RESTOREDEMO_NOT_CANCELLED, id=demo.id)
    if demo.starts_at <= services.clock.now():
        return t(lang, texts.RESTOREDEMO_OVER, id=demo.id)
    await services.demo_service.restore(demo)
    log.info("demo %s restored", demo.id)
    return t(lang, texts.RESTOREDEMO_DONE, id=demo.id)


async def admin_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """demo:save:TOKEN, demo:drop:TOKEN (any preview), demo:undo:ID:MINUTE (a cancellation)."""
    query = update.callback_query
    assert query is not None
    if not is_bot_admin(update, context):
        await refuse(update, context, texts.NOT_ADMIN)
        return
    parts = (query.data or "").split(":")
    if parts[1] == "undo":
        await _undo(update, context, parts)
        return
    drafts = (context.user_data or {}).get(DRAFTS) or {}
    draft = drafts.pop(parts[2], None) if len(parts) == 3 else None
    if draft is None:
        await refuse(update, context, texts.BUTTON_EXPIRED)
        return
    await query.answer()
    lang = await language_for(update, context)
    if parts[1] == "drop":
        done = texts.ADDDEMO_DISCARDED if draft[0] == "add" else texts.EDITDEMO_DISCARDED
        await edit_or_reply(update, context, t(lang, done, id=draft[1] if draft[0] != "add" else 0))
        return
    await _save(update, context, draft, lang)


async def _save(
    update: Update, context: ContextTypes.DEFAULT_TYPE, draft: tuple[Any, ...], lang: str
) -> None:
    services = get_services(context)
    kind = draft[0]
    if kind == "add":
        new: NewDemo = draft[1]
        user = update.effective_user
        demo_id = await services.demo_service.add(new, created_by=user.id if user else None)
        log.info("demo %s added", demo_id)
        await edit_or_reply(update, context, t(lang, texts.ADDDEMO_SAVED, id=demo_id))
        return
    demo = await services.demos.get(int(draft[1]))
    if demo is None or demo.cancelled:
        await edit_or_reply(update, context, t(lang, texts.DEMO_ALREADY_CANCELLED, id=draft[1]))
        return
    if kind == "edit":
        await services.demo_service.edit(demo, draft[2])
        log.info("demo %s edited", demo.id)
        await edit_or_reply(update, context, t(lang, texts.EDITDEMO_DONE, id=demo.id))
        return
    await services.demo_service.cancel(demo, draft[2])
    log.info("demo %s cancelled", demo.id)
    minute = int(services.clock.now().timestamp() // 60)
    undo = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t(lang, texts.BUTTON_UNDO),
                    callback_data=callback_data(PREFIX, "undo", demo.id, minute),
                )
            ]
        ]
    )
    html = (
        t(lang, texts.CANCELDEMO_DONE, id=demo.id)
        + "\n"
        + t(lang, texts.CANCELDEMO_UNDO, id=demo.id)
    )
    await edit_or_reply(update, context, html, undo)


async def _undo(update: Update, context: ContextTypes.DEFAULT_TYPE, parts: list[str]) -> None:
    query = update.callback_query
    assert query is not None
    services = get_services(context)
    demo_id = parse_id(parts[2]) if len(parts) == 4 else None
    minute = parse_id(parts[3]) if len(parts) == 4 else None
    now = services.clock.now()
    if demo_id is None or minute is None or demo_id >= 2**62 or minute >= 2**40:
        await refuse(update, context, texts.BUTTON_EXPIRED)
        return
    if now - datetime.fromtimestamp(minute * 60, UTC) > UNDO_WINDOW:
        await refuse(update, context, texts.BUTTON_EXPIRED)
        return
    demo = await services.demos.get(demo_id)
    if demo is None:
        await refuse(update, context, texts.BUTTON_EXPIRED)
        return
    await query.answer()
    lang = await language_for(update, context)
    await edit_or_reply(update, context, await _restore(context, demo, lang))


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Admin commands; the preview buttons before the members' demo: buttons."""
    app.add_handler(adddemo_conversation())
    app.add_handler(CommandHandler("editdemo", editdemo_command))
    app.add_handler(CommandHandler("canceldemo", canceldemo_command))
    app.add_handler(CommandHandler("restoredemo", restoredemo_command))
    app.add_handler(CallbackQueryHandler(admin_button, pattern=f"^{PREFIX}:(save|drop|undo):"))
