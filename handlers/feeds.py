"""/calendar (everyone: upcoming demonstrations as .ics) and /feed (bot administrators)."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from telegram import InputFile, Update
from telegram.constants import ParseMode
from telegram.ext import Application, CommandHandler, ContextTypes

from bot.demos.cards import clean_region, format_when
from bot.demos.timeparse import InputError
from bot.feeds.errors import FeedError, describe_error
from bot.feeds.fetch import check_url
from bot.feeds.limits import HORIZON
from bot.feeds.service import SyncResult
from bot.i18n import texts
from bot.i18n.translate import Markup, t, tn
from bot.services import get_services
from bot.telegram.guards import parse_id
from bot.telegram.permissions import bot_admin_only
from bot.telegram.replies import language_for, reply_html


async def calendar_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Send an .ics of every upcoming demonstration (the chat's region filter applies)."""
    services = get_services(context)
    chat, message = update.effective_chat, update.effective_message
    if chat is None:
        return
    lang = await language_for(update, context)
    stored = await services.chats.get(chat.id)
    now = services.clock.now()
    demos = await services.feeds.repo.calendar_demos(now, stored.region if stored else None)
    scheduled = sum(1 for d in demos if not d.cancelled)
    if scheduled == 0:
        await reply_html(update, context, t(lang, texts.CALENDAR_EMPTY))
        return
    # Rendered once and kept until a demonstration in it changes (bot/feeds/export.py).
    data = await services.feeds.export.calendar(demos, now, t(lang, texts.CALENDAR_NAME))
    thread_id = message.message_thread_id if message and message.is_topic_message else None
    await context.bot.send_document(
        chat.id,
        InputFile(data, filename="demonstrations.ics", attach=True),
        caption=tn(lang, texts.CALENDAR_CAPTION, texts.CALENDAR_CAPTION_PLURAL, scheduled),
        parse_mode=ParseMode.HTML,
        message_thread_id=thread_id,
    )


def _result_lines(lang: str, result: SyncResult, default_timezone: str) -> str:
    if result.error is not None:
        return t(
            lang,
            texts.FEED_SYNC_FAILED,
            id=result.feed_id,
            error=Markup(describe_error(lang, result.error.kind, result.error.status)),
        )
    if result.not_modified:
        return t(lang, texts.FEED_SYNC_NOT_MODIFIED, id=result.feed_id)
    lines = [
        t(
            lang,
            texts.FEED_SYNC_RESULT,
            id=result.feed_id,
            added=result.added,
            updated=result.updated,
            cancelled=result.cancelled,
            kept=result.kept,
        )
    ]
    if result.capped is not None:
        n = result.capped
        lines.append(t(lang, texts.FEED_SYNC_CAPPED, id=result.feed_id, n=n, days=HORIZON.days))
    if result.unknown_timezone is not None:
        lines.append(
            t(
                lang,
                texts.FEED_TIMEZONE_UNKNOWN,
                id=result.feed_id,
                zone=result.unknown_timezone,
                default=default_timezone,
            )
        )
    return "\n".join(lines)


async def _feed_add(
    update: Update, context: ContextTypes.DEFAULT_TYPE, lang: str, args: list[str]
) -> None:
    services = get_services(context)
    if not args:
        await reply_html(update, context, t(lang, texts.FEED_USAGE))
        return
    try:
        check_url(args[0])
    except FeedError as exc:
        if exc.kind == "scheme":
            await reply_html(update, context, t(lang, texts.FEED_BAD_URL, url=args[0][:200]))
            return
    try:
        region = clean_region(" ".join(args[1:]))
    except InputError:
        await reply_html(update, context, t(lang, texts.FEED_BAD_REGION))
        return
    try:
        # Nothing that can never work is saved: a bad port, an unknown host, a private address.
        url = await services.feeds.check_new(args[0])
    except FeedError as exc:
        error = Markup(describe_error(lang, exc.kind, exc.status))
        await reply_html(update, context, t(lang, texts.FEED_ADD_REFUSED, error=error))
        return
    user = update.effective_user
    user_id = user.id if user else None
    feed_id, created = await services.feeds.repo.add(url, region, services.clock.now(), user_id)
    if not created:
        await reply_html(update, context, t(lang, texts.FEED_EXISTS, id=feed_id))
        return
    await reply_html(update, context, t(lang, texts.FEED_ADDED, id=feed_id))
    result = await services.feeds.sync(feed_id, requested_by=user_id)
    await reply_html(update, context, _result_lines(lang, result, services.settings.timezone))


async def _feed_list(update: Update, context: ContextTypes.DEFAULT_TYPE, lang: str) -> None:
    services = get_services(context)
    feeds = await services.feeds.repo.all()
    if not feeds:
        await reply_html(update, context, t(lang, texts.FEED_LIST_EMPTY))
        return
    chat = update.effective_chat
    stored = await services.chats.get(chat.id) if chat else None
    tz = stored.effective_timezone(services.settings.timezone) if stored else None
    zone = ZoneInfo(tz or services.settings.timezone)
    counts = await services.feeds.repo.count_upcoming_by_feed(services.clock.now())
    blocks = [t(lang, texts.FEED_LIST_HEADER)]
    for feed in feeds:
        seen = feed.last_ok_at or feed.last_fetched_at
        when = format_when(seen, zone, lang) if seen else None
        if feed.last_error is not None:
            error = Markup(describe_error(lang, feed.last_error, feed.last_status))
            status = t(lang, texts.FEED_STATUS_FAILING, error=error)
        else:
            status = t(lang, texts.FEED_STATUS_OK)
        n = counts.get(feed.id, 0)
        blocks.append(
            t(
                lang,
                texts.FEED_LIST_ITEM,
                id=feed.id,
                url=feed.url,
                region=feed.region or t(lang, texts.REGION_ALL),
                demos=tn(lang, texts.FEED_DEMOS, texts.FEED_DEMOS_PLURAL, n),
                when=when or t(lang, texts.FEED_NEVER),
                status=Markup(status),
            )
        )
    await reply_html(update, context, "\n\n".join(blocks))


async def _feed_remove(
    update: Update, context: ContextTypes.DEFAULT_TYPE, lang: str, args: list[str]
) -> None:
    services = get_services(context)
    feed_id = parse_id(args[0]) if args else None
    if feed_id is None:
        await reply_html(update, context, t(lang, texts.FEED_USAGE))
        return
    if await services.feeds.repo.remove(feed_id):
        await reply_html(update, context, t(lang, texts.FEED_REMOVED, id=feed_id))
    else:
        await reply_html(update, context, t(lang, texts.FEED_NOT_FOUND, id=feed_id))


async def _feed_sync(update: Update, context: ContextTypes.DEFAULT_TYPE, lang: str) -> None:
    services = get_services(context)
    user = update.effective_user
    results = await services.feeds.sync_all(requested_by=user.id if user else None)
    if not results:
        await reply_html(update, context, t(lang, texts.FEED_SYNC_NONE))
        return
    zone = services.settings.timezone
    await reply_html(update, context, "\n".join(_result_lines(lang, r, zone) for r in results))


@bot_admin_only
async def feed_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/feed add <url> [region] | list | remove <id> | sync"""
    services = get_services(context)
    chat = update.effective_chat
    if chat is not None:
        await services.chats.ensure(chat.id, chat.type, services.clock.now())
    lang = await language_for(update, context)
    args = list(context.args or [])
    sub = args[0].lower() if args else ""
    if sub == "add":
        await _feed_add(update, context, lang, args[1:])
    elif sub == "list":
        await _feed_list(update, context, lang)
    elif sub in ("remove", "delete", "rm"):
        await _feed_remove(update, context, lang, args[1:])
    elif sub == "sync":
        await _feed_sync(update, context, lang)
    else:
        await reply_html(update, context, t(lang, texts.FEED_USAGE))


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    app.add_handler(CommandHandler("calendar", calendar_command))
    app.add_handler(CommandHandler("feed", feed_command))
