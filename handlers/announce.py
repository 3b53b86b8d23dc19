"""/announce (preview, Send/Cancel), /broadcasts, /stopbroadcast, /stats: bot administrators."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatType
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes

from bot.broadcast import announce
from bot.broadcast.budget import REPLY
from bot.broadcast.delivery import Job, placeholder_chat, transmit
from bot.broadcast.outbox import Target
from bot.demos.cards import error_text
from bot.demos.regions import match_region, unknown_region_text
from bot.demos.timeparse import InputError
from bot.i18n import texts
from bot.i18n.translate import t, tn
from bot.services import Services, get_services
from bot.telegram.guards import parse_id
from bot.telegram.permissions import bot_admin_only, is_bot_admin, refuse
from bot.telegram.render import callback_data, truncate
from bot.telegram.replies import edit_or_reply, language_for, reply_html
from storage.outbox import OutboxRepo, week_ago

#: upcoming demonstrations whose answers /stats counts
STATS_DEMOS = 10


def _repo(services: Services) -> OutboxRepo:
    return services.outbox.repo


async def _targets(services: Services, region: str | None) -> list[Target]:
    chats = await _repo(services).target_chats(region)
    return [Target(c.chat_id, c.thread_id) for c in chats]


def _where(lang: str, region: str | None) -> str:
    return t(lang, texts.ANNOUNCE_IN_REGION, region=region) if region else ""


@bot_admin_only
async def announce_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Preview the announcement exactly as members will see it, then ask to Send or Cancel."""
    services = get_services(context)
    message, chat, user = update.effective_message, update.effective_chat, update.effective_user
    if message is None or chat is None or user is None:
        return
    lang = await language_for(update, context)
    if chat.type != ChatType.PRIVATE:
        await reply_html(update, context, t(lang, texts.ANNOUNCE_PRIVATE_ONLY))
        return
    reply = message.reply_to_message
    try:
        request = announce.parse_announce(
            message.text_html or "", (chat.id, reply.message_id) if reply is not None else None
        )
    except InputError as exc:
        await reply_html(update, context, error_text(lang, exc))
        return
    if request is None:
        await reply_html(update, context, t(lang, texts.ANNOUNCE_USAGE))
        return
    if request.region is not None:
        known = await services.demos.known_regions(services.clock.now())
        match = match_region(request.region, known)
        if not match.known:
            await reply_html(update, context, unknown_region_text(lang, match))
            return
        request = replace(request, region=match.region)
    targets = await _targets(services, request.region)
    if not targets:
        text = t(lang, texts.ANNOUNCE_NO_TARGETS, where=_where(lang, request.region))
        await reply_html(update, context, text)
        return
    draft_id = await services.outbox.create_draft(
        kind=announce.KIND, payload=request.payload, created_by=user.id
    )
    # The preview goes through the same renderer and sending code as the real thing.
    out = await announce.render(request.payload, placeholder_chat(chat.id))
    if out is not None:
        job = Job(draft_id, chat.id, None, 0, None)
        await transmit(context.bot, job, out, how=REPLY)
    buttons = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t(lang, texts.BUTTON_SEND),
                    callback_data=callback_data(announce.CALLBACK_PREFIX, "send", draft_id),
                ),
                InlineKeyboardButton(
                    t(lang, texts.BUTTON_CANCEL),
                    callback_data=callback_data(announce.CALLBACK_PREFIX, "cancel", draft_id),
                ),
            ]
        ]
    )
    where = _where(lang, request.region)
    confirm = tn(
        lang, texts.ANNOUNCE_CONFIRM, texts.ANNOUNCE_CONFIRM_PLURAL, len(targets), where=where
    )
    await reply_html(update, context, confirm, buttons)


async def announce_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Send / Cancel under a preview, Stop under a status message: only its administrator."""
    query = update.callback_query
    if query is None or query.data is None or query.message is None:
        return
    services = get_services(context)
    lang = await language_for(update, context)
    m = re.fullmatch(r"ann:(send|cancel|stop):([0-9]{1,18})", query.data)
    broadcast = await _repo(services).get(int(m.group(2))) if m else None
    if m is None or broadcast is None:
        await query.answer(t(lang, texts.BUTTON_EXPIRED), show_alert=True)
        return
    if not is_bot_admin(update, context) or query.from_user.id != broadcast.created_by:
        await refuse(update, context, texts.NOT_YOUR_BUTTON)
        return
    action = m.group(1)
    if action == "cancel":
        if await _repo(services).cancel_draft(broadcast.id):
            await query.answer()
            await edit_or_reply(update, context, t(lang, texts.ANNOUNCE_CANCELLED))
        else:
            await query.answer(t(lang, texts.BUTTON_EXPIRED), show_alert=True)
        return
    if action == "stop":
        stopped = await services.outbox.stop_broadcast(broadcast.id)
        await query.answer(
            t(lang, texts.STOP_OK if stopped else texts.STOP_NOT_FOUND, id=broadcast.label)
        )
        return
    region = broadcast.payload.get("region")
    targets = await _targets(services, region if isinstance(region, str) else None)
    status_at = (query.message.chat.id, query.message.message_id)
    # The outbox holds its progress edits until this "started" edit is done, so it can never
    # land after a (fast) broadcast's final report.
    if not await services.outbox.launch(
        broadcast.id, targets, status_at=status_at, hold_status=True
    ):
        await query.answer(t(lang, texts.BUTTON_EXPIRED), show_alert=True)
        return
    try:
        await query.answer()
        launched = await _repo(services).get(broadcast.id)
        number = launched.label if launched is not None else broadcast.id
        text = tn(
            lang, texts.ANNOUNCE_STARTED, texts.ANNOUNCE_STARTED_PLURAL, len(targets), id=number
        )
        await edit_or_reply(update, context, text, announce.status_markup(lang, broadcast.id))
    finally:
        services.outbox.release_status(broadcast.id)


@bot_admin_only
async def broadcasts_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The most recent broadcasts with their counts."""
    services = get_services(context)
    lang = await language_for(update, context)
    rows = await _repo(services).recent(10)
    if not rows:
        await reply_html(update, context, t(lang, texts.BROADCASTS_EMPTY))
        return
    lines = [t(lang, texts.BROADCASTS_HEADER)]
    for b in rows:
        lines.append(
            t(
                lang,
                texts.BROADCASTS_LINE if b.number is not None else texts.BROADCASTS_LINE_OTHER,
                id=b.number,
                kind=b.kind,
                status=b.status,
                sent=b.sent,
                total=b.total,
                failed=b.failed,
                gone=b.gone,
                created=b.created_at.strftime("%Y-%m-%d %H:%M"),
            )
        )
    await reply_html(update, context, "\n".join(lines))


@bot_admin_only
async def stopbroadcast_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    services = get_services(context)
    lang = await language_for(update, context)
    args = context.args or []
    broadcast_id = parse_id(args[0]) if len(args) == 1 else None
    if broadcast_id is None:
        await reply_html(update, context, t(lang, texts.STOP_USAGE))
        return
    # N is the announcement's own number, as shown in its status message and /broadcasts.
    known = (
        await _repo(services).by_number(announce.KIND, broadcast_id)
        if broadcast_id < 2**62
        else None
    )
    if known is None:
        await reply_html(update, context, t(lang, texts.STOP_NO_SUCH, id=broadcast_id))
        return
    stopped = await services.outbox.stop_broadcast(known.id)
    await reply_html(
        update,
        context,
        t(lang, texts.STOP_OK if stopped else texts.STOP_NOT_FOUND, id=broadcast_id),
    )


@bot_admin_only
async def stats_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Active subscribed chats, upcoming demonstrations, deliveries in the last 7 days, and
    the Going / Can't go counts of the next demonstrations (counts only, never who)."""
    services = get_services(context)
    lang = await language_for(update, context)
    now = services.clock.now()
    repo = _repo(services)
    demos = await repo.upcoming_demos(now)
    text = t(
        lang,
        texts.STATS,
        chats=await services.chats.count_subscribed(),
        demos="—" if demos is None else demos,
        delivered=await repo.delivered_since(week_ago(now)),
        running=len(services.outbox.active_ids),
    )
    upcoming = await services.demos.upcoming(now, limit=STATS_DEMOS)
    if upcoming:
        summary = await services.demos.rsvp_summary([d.id for d in upcoming])
        lines = [t(lang, texts.STATS_DEMOS_HEADER)]
        for demo in upcoming:
            going, cant = summary[demo.id]
            title = truncate(demo.title, 60)
            lines.append(
                t(lang, texts.STATS_DEMO_LINE, id=demo.id, title=title, going=going, cant=cant)
            )
        text += "\n\n" + "\n".join(lines)
    await reply_html(update, context, text)


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    app.add_handler(CommandHandler("announce", announce_command))
    app.add_handler(CommandHandler("broadcasts", broadcasts_command))
    app.add_handler(CommandHandler("stopbroadcast", stopbroadcast_command))
    app.add_handler(CommandHandler("stats", stats_command))
    app.add_handler(CallbackQueryHandler(announce_button, pattern=r"^ann:"))
