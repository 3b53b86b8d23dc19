"""/settings: the chat's time zone, reminder lead times and region filter.

Anyone may look; changing is for whoever may manage the chat (group admins, the user in private).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, TypeVar

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes

from bot.demos.cards import clean_region, error_text, lead_phrase
from bot.demos.regions import match_region, unknown_region_text
from bot.demos.timeparse import InputError, format_lead, parse_leads
from bot.demos.zones import ZoneSuggestion, match_zone
from bot.i18n import texts
from bot.i18n.translate import t
from bot.services import get_services
from bot.telegram.permissions import may_manage_chat, refuse
from bot.telegram.render import callback_data
from bot.telegram.replies import app_language, edit_or_reply, language_for, reply_html

PREFIX = "set"
_V = TypeVar("_V")
COMMON_ZONES = (
    "Europe/London",
    "Europe/Kyiv",
    "Europe/Paris",
    "Europe/Berlin",
    "Asia/Gaza",
    "America/New_York",
    "UTC",
)
LEAD_PRESETS: tuple[tuple[int, ...], ...] = ((1440, 120), (1440,), (120,), (4320, 1440, 120))


def _leads_text(lang: str, leads: tuple[int, ...], sep: str = ", ") -> str:
    """(1440, 180) -> '1 day, 3 hours' in lang."""
    return sep.join(lead_phrase(lang, m) for m in leads)


def _region_button(label: str, value: str) -> InlineKeyboardButton | None:
    """A button that sets the region, or None when the name does not fit in callback data."""
    try:
        return InlineKeyboardButton(label, callback_data=callback_data(PREFIX, "region", value))
    except ValueError:
        return None


def region_keyboard(lang: str, regions: list[str]) -> InlineKeyboardMarkup:
    """One button a region (three a row), then "all regions"."""
    buttons = [b for b in (_region_button("📍 " + r, r) for r in regions) if b is not None]
    rows = [buttons[i : i + 3] for i in range(0, len(buttons), 3)]
    rows.append(
        [
            InlineKeyboardButton(
                "🌍 " + t(lang, texts.REGION_ALL),
                callback_data=callback_data(PREFIX, "region", "off"),
            )
        ]
    )
    return InlineKeyboardMarkup(rows)


def keyboard(lang: str, region_set: bool) -> InlineKeyboardMarkup:
    zones = [
        InlineKeyboardButton(name, callback_data=callback_data(PREFIX, "tz", name))
        for name in COMMON_ZONES
    ]
    rows = [zones[i : i + 3] for i in range(0, len(zones), 3)]
    presets = [
        InlineKeyboardButton(
            "⏰ " + _leads_text(lang, preset, " + "),
            callback_data=callback_data(PREFIX, "lead", "-".join(map(str, preset))),
        )
        for preset in LEAD_PRESETS
    ]
    rows += [presets[i : i + 2] for i in range(0, len(presets), 2)]
    region_row = [
        InlineKeyboardButton(
            t(lang, texts.BUTTON_REGION_PICK), callback_data=callback_data(PREFIX, "pick", "region")
        )
    ]
    if region_set:
        region_row.append(
            InlineKeyboardButton(
                "🌍 " + t(lang, texts.REGION_ALL),
                callback_data=callback_data(PREFIX, "region", "off"),
            )
        )
    rows.append(region_row)
    return InlineKeyboardMarkup(rows)


async def _show(update: Update, context: ContextTypes.DEFAULT_TYPE, prefix: str = "") -> None:
    services = get_services(context)
    chat = update.effective_chat
    if chat is None:
        return
    stored = await services.chats.ensure(
        chat.id, chat.type, services.clock.now(), app_language(update)
    )
    lang = await language_for(update, context)
    body = t(
        lang,
        texts.SETTINGS_SHOW,
        subscribed=t(lang, texts.YES if stored.subscribed else texts.NO),
        timezone=stored.effective_timezone(services.settings.timezone),
        leads=_leads_text(lang, stored.effective_leads()),
        region=stored.region or t(lang, texts.REGION_ALL),
    )
    text = f"{prefix}\n\n{body}" if prefix else body
    await edit_or_reply(update, context, text, keyboard(lang, bool(stored.region)))


async def settings_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    args = list(context.args or [])
    if not args:
        await _show(update, context)
        return
    if not await may_manage_chat(update, context):
        await refuse(update, context, texts.NOT_GROUP_ADMIN)
        return
    lang = await language_for(update, context)
    what, rest = args[0].casefold(), args[1:]
    try:
        if what in ("timezone", "tz", "zone") and rest:
            confirmation = await _set_timezone(update, context, " ".join(rest), lang)
        elif what in ("remind", "reminders", "leads", "lead"):
            confirmation = await _set_leads(update, context, parse_leads(rest), lang)
        elif what in ("region", "regions"):
            if not rest:
                await _pick_region(update, context, lang)
                return
            typed = await _typed_region(update, context, " ".join(rest), lang)
            if typed is None:
                return
            confirmation = typed
        else:
            await reply_html(update, context, t(lang, texts.SETTINGS_USAGE))
            return
    except ZoneSuggestion as exc:
        buttons = [
            [InlineKeyboardButton(name, callback_data=callback_data(PREFIX, "tz", name))]
            for name in exc.choices
        ]
        await reply_html(update, context, error_text(lang, exc), InlineKeyboardMarkup(buttons))
        return
    except InputError as exc:
        await reply_html(update, context, error_text(lang, exc))
        return
    await _show(update, context, confirmation)


async def _pick_region(update: Update, context: ContextTypes.DEFAULT_TYPE, lang: str) -> None:
    """The known regions as buttons (and "all regions")."""
    services = get_services(context)
    chat = update.effective_chat
    stored = await services.chats.get(chat.id) if chat else None
    regions = await services.demos.known_regions(services.clock.now())
    current = stored.region if stored and stored.region else t(lang, texts.REGION_ALL)
    text = t(lang, texts.SETTINGS_REGION_PICK, region=current)
    if not regions:
        text += "\n" + t(lang, texts.SETTINGS_REGION_NONE_KNOWN)
    await edit_or_reply(update, context, text, region_keyboard(lang, regions))


async def _typed_region(
    update: Update, context: ContextTypes.DEFAULT_TYPE, value: str, lang: str
) -> str | None:
    """Set a typed region when it is known (or new and like no known one); for a likely typo,
    offer the close known regions as buttons instead and return None."""
    services = get_services(context)
    known = await services.demos.known_regions(services.clock.now())
    match = match_region(value.strip().strip("\"'“”«»"), known)
    if match.known or not match.suggestions:
        return await _set_region(update, context, match.region, lang, new=not match.known)
    assert match.region is not None
    buttons = [_region_button("📍 " + name, name) for name in match.suggestions]
    buttons.append(
        _region_button(t(lang, texts.BUTTON_REGION_ANYWAY, region=match.region), match.region)
    )
    rows = [[b] for b in buttons if b is not None]
    await reply_html(update, context, unknown_region_text(lang, match), InlineKeyboardMarkup(rows))
    return None


async def _save_setting(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    save: Callable[[int, _V, datetime], Awaitable[None]],
    value: _V,
) -> None:
    """Store one setting of this chat (creating its row first) and let the reminders re-plan."""
    services = get_services(context)
    chat = update.effective_chat
    assert chat is not None
    now = services.clock.now()
    await services.chats.ensure(chat.id, chat.type, now, app_language(update))
    await save(chat.id, value, now)
    await services.reminders.chat_changed(chat.id)


async def _set_timezone(
    update: Update, context: ContextTypes.DEFAULT_TYPE, value: str, lang: str
) -> str:
    name = match_zone(value, get_services(context).clock.now())
    await _save_setting(update, context, get_services(context).chats.set_timezone, name)
    return t(lang, texts.SETTINGS_TZ_SET, timezone=name)


async def _set_leads(
    update: Update, context: ContextTypes.DEFAULT_TYPE, leads: tuple[int, ...], lang: str
) -> str:
    await _save_setting(update, context, get_services(context).chats.set_leads, leads)
    return t(lang, texts.SETTINGS_LEADS_SET, leads=_leads_text(lang, leads))


async def _set_region(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    region: str | None,
    lang: str,
    *,
    new: bool = False,
) -> str:
    await _save_setting(update, context, get_services(context).chats.set_region, region)
    if region is None:
        return t(lang, texts.SETTINGS_REGION_OFF)
    return t(lang, texts.SETTINGS_REGION_NEW if new else texts.SETTINGS_REGION_SET, region=region)


async def settings_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    if query is None:
        return
    parts = (query.data or "").split(":", 2)
    if len(parts) != 3:
        await refuse(update, context, texts.BUTTON_EXPIRED)
        return
    if not await may_manage_chat(update, context):
        await refuse(update, context, texts.NOT_GROUP_ADMIN)
        return
    lang = await language_for(update, context)
    _, what, value = parts
    try:
        if what == "tz":
            confirmation = await _set_timezone(update, context, value, lang)
        elif what == "lead":
            tokens = [format_lead(int(v)).replace(" ", "") for v in value.split("-")]
            confirmation = await _set_leads(update, context, parse_leads(tokens), lang)
        elif what == "region":
            confirmation = await _set_region(update, context, clean_region(value), lang)
        elif what == "pick":
            await query.answer()
            await _pick_region(update, context, lang)
            return
        else:
            await refuse(update, context, texts.BUTTON_EXPIRED)
            return
    except (InputError, ValueError):
        await refuse(update, context, texts.BUTTON_EXPIRED)
        return
    await query.answer()
    await _show(update, context, confirmation)


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    app.add_handler(CommandHandler("settings", settings_command))
    app.add_handler(CallbackQueryHandler(settings_button, pattern=f"^{PREFIX}:"))
