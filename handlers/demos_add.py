"""/adddemo, in one line or step by step, ending in a preview with Save / Discard (the
previews of edits and cancellations share its buttons: see handlers/demos_admin.py)."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    CommandHandler,
    ContextTypes,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.demos.cards import (
    MAX_DETAILS,
    MAX_PLACE,
    MAX_TITLE,
    clean_link,
    clean_multiline,
    clean_region,
    clean_text,
    error_text,
    parse_adddemo,
    render_card,
)
from bot.demos.regions import match_region, unknown_region_text
from bot.demos.timeparse import InputError, parse_when
from bot.i18n import texts
from bot.i18n.translate import t
from bot.services import get_services
from bot.telegram.permissions import is_bot_admin, refuse
from bot.telegram.render import callback_data
from bot.telegram.replies import language_for, reply_html
from handlers.demos import chat_zone
from storage.demos import Demo, NewDemo

PREFIX = "demo"
DRAFTS = "demo_drafts"  # user_data: token -> ("add", NewDemo) | ("edit", id, Edit) | ...
MAX_DRAFTS = 5  # previews an admin may have open at once (the oldest expire)
WHEN, PLACE, TITLE, LINK, REGION, DETAILS = range(6)
_STEPS = "demo_steps"


def _keep(context: ContextTypes.DEFAULT_TYPE, draft: tuple[Any, ...]) -> str:
    """Remember a preview's draft under a fresh token (for its Save / Discard buttons)."""
    assert context.user_data is not None
    drafts: dict[str, tuple[Any, ...]] = context.user_data.setdefault(DRAFTS, {})
    while len(drafts) >= MAX_DRAFTS:
        drafts.pop(next(iter(drafts)))
    token = secrets.token_hex(4)
    drafts[token] = draft
    return token


async def show_preview(
    update: Update, context: ContextTypes.DEFAULT_TYPE, html: str, draft: tuple[Any, ...]
) -> None:
    """Reply with html and Save / Discard buttons for draft."""
    lang = await language_for(update, context)
    token = _keep(context, draft)
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
        timezone=new.timezone,
    )


async def _preview(update: Update, context: ContextTypes.DEFAULT_TYPE, new: NewDemo) -> None:
    services = get_services(context)
    tz, _ = await chat_zone(update, services)
    lang = await language_for(update, context)
    region = f"\n📍 {new.region}" if new.region else ""
    if new.region:
        # A typo in a new demonstration's region would hide it from that region's chats.
        match = match_region(new.region, await services.demos.known_regions(services.clock.now()))
        if match.suggestions:
            region += "\n⚠️ " + unknown_region_text(lang, match)
    html = (
        t(lang, texts.ADDDEMO_PREVIEW)
        + "\n\n"
        + render_card(_preview_demo(new), lang, tz, details=True, number=False)
        + region
    )
    await show_preview(update, context, html, ("add", new))


async def adddemo_start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    if not is_bot_admin(update, context):
        await refuse(update, context, texts.NOT_ADMIN)
        return ConversationHandler.END
    services = get_services(context)
    lang = await language_for(update, context)
    text = _text(update)
    rest = text.split(maxsplit=1)[1] if len(text.split(maxsplit=1)) > 1 else ""
    tz, _ = await chat_zone(update, services)
    if rest.strip():
        try:
            new = parse_adddemo(rest, tz, services.clock.now())
        except InputError as exc:
            await reply_html(update, context, error_text(lang, exc))
            return ConversationHandler.END
        # The venue's zone is the admin's when added (changed with /editdemo N zone ...).
        await _preview(update, context, _with_zone(new, tz.key))
        return ConversationHandler.END
    assert context.user_data is not None
    context.user_data[_STEPS] = {}
    await reply_html(update, context, t(lang, texts.ADDDEMO_ASK_WHEN, timezone=tz.key))
    return WHEN


def _with_zone(new: NewDemo, zone: str) -> NewDemo:
    return replace(new, timezone=zone)


async def _lost(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """True (and said) when the answers before this step were erased, e.g. by /forget."""
    if "starts_at" in _steps(context):
        return False
    lang = await language_for(update, context)
    await reply_html(update, context, t(lang, texts.CONVERSATION_LOST, command="/adddemo"))
    return True


def _steps(context: ContextTypes.DEFAULT_TYPE) -> dict[str, Any]:
    assert context.user_data is not None
    steps = context.user_data.setdefault(_STEPS, {})
    assert isinstance(steps, dict)
    return steps


async def _retry(update: Update, context: ContextTypes.DEFAULT_TYPE, exc: InputError) -> None:
    from bot.i18n.translate import Markup

    lang = await language_for(update, context)
    error = Markup(error_text(lang, exc))
    await reply_html(update, context, t(lang, texts.ERR_TRY_AGAIN, error=error))


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
    if key != "starts_at" and await _lost(update, context):
        return ConversationHandler.END
    try:
        _steps(context)[key] = clean(_text(update))
    except InputError as exc:
        await _retry(update, context, exc)
        return again
    await _ask(update, context, question)
    return then


async def step_when(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    services = get_services(context)
    tz, _ = await chat_zone(update, services)
    _steps(context)["timezone"] = tz.key
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
    if await _lost(update, context):
        return ConversationHandler.END
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
    if await _lost(update, context):
        return ConversationHandler.END
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
    if await _lost(update, context):
        return ConversationHandler.END
    assert context.user_data is not None
    steps = context.user_data.pop(_STEPS, {})
    new = NewDemo(
        starts_at=steps["starts_at"],
        place=steps["place"],
        title=steps["title"],
        link=steps.get("link"),
        region=steps.get("region"),
        details=details,
        timezone=steps.get("timezone"),
    )
    await _preview(update, context, new)
    return ConversationHandler.END


async def cancel(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    if context.user_data is not None:
        context.user_data.pop(_STEPS, None)
    await _ask(update, context, texts.ADDDEMO_CANCELLED)
    return ConversationHandler.END


def adddemo_conversation() -> ConversationHandler[Any]:
    text = filters.TEXT & ~filters.COMMAND
    return ConversationHandler(
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
        persistent=True,  # survives a restart (bot/telegram/persistence.py)
    )
