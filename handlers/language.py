"""/language: choose the language the bot speaks in this chat (`/language uk`, or buttons).

In a private chat the user decides; in a group only its administrators (and bot admins) may
change it. "Automatic" clears the choice: each person is then answered in their Telegram language.
"""

from __future__ import annotations

from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes

from bot.i18n import texts
from bot.i18n.translate import (
    LANGUAGE_FLAGS,
    LANGUAGE_NAMES,
    SUPPORTED_LANGUAGES,
    normalize_language,
    t,
)
from bot.services import get_services
from bot.telegram.permissions import may_manage_chat, refuse
from bot.telegram.render import callback_data
from bot.telegram.replies import app_language, edit_or_reply, language_for, reply_html

PREFIX = "lang"
AUTO = "auto"
# English names people may type: `/language ukrainian`.
ENGLISH_NAMES: dict[str, str] = {
    "en": "english",
    "uk": "ukrainian",
    "fr": "french",
    "de": "german",
    "es": "spanish",
    "ar": "arabic",
}


def keyboard(lang: str) -> InlineKeyboardMarkup:
    """Two languages a row, each named in itself, then "Automatic" in the current language."""
    buttons = [
        InlineKeyboardButton(
            f"{LANGUAGE_FLAGS[code]} {LANGUAGE_NAMES[code]}",
            callback_data=callback_data(PREFIX, "set", code),
        )
        for code in SUPPORTED_LANGUAGES
    ]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    rows.append(
        [
            InlineKeyboardButton(
                "🌐 " + t(lang, texts.LANGUAGE_AUTO),
                callback_data=callback_data(PREFIX, "set", AUTO),
            )
        ]
    )
    return InlineKeyboardMarkup(rows)


def language_choice(value: str) -> str | None:
    """'uk', 'UK', 'uk-UA', 'Українська', 'ukrainian', 'auto' -> a code or AUTO; None if unknown."""
    cleaned = value.strip().casefold()
    if cleaned in (AUTO, "automatic"):
        return AUTO
    code = normalize_language(cleaned)
    if code is not None:
        return code
    for known, name in LANGUAGE_NAMES.items():
        if cleaned in (name.casefold(), ENGLISH_NAMES[known]):
            return known
    return None


async def language_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """`/language uk` switches at once; `/language` alone shows the current one and the choices."""
    if not await may_manage_chat(update, context):
        await refuse(update, context, texts.NOT_GROUP_ADMIN)
        return
    args = context.args or []
    choice = language_choice(" ".join(args)) if args else None
    if choice is not None:
        await reply_html(update, context, await _store(update, context, choice))
        return
    lang = await language_for(update, context)
    prefix = t(lang, texts.LANGUAGE_UNKNOWN, value=" ".join(args)[:40]) + "\n" if args else ""
    await reply_html(
        update,
        context,
        prefix + t(lang, texts.LANGUAGE_CHOOSE, language=LANGUAGE_NAMES[lang]),
        keyboard(lang),
    )


async def _store(update: Update, context: ContextTypes.DEFAULT_TYPE, choice: str) -> str:
    """Save the chat's language (or AUTO: none) and return the confirmation in it."""
    chat = update.effective_chat
    assert chat is not None
    services = get_services(context)
    now = services.clock.now()
    await services.chats.ensure(chat.id, chat.type, now, app_language(update))
    if choice == AUTO:
        await services.chats.set_language(chat.id, None, now)
        return t(await language_for(update, context), texts.LANGUAGE_AUTO_SET)
    await services.chats.set_language(chat.id, choice, now)
    return t(choice, texts.LANGUAGE_SET)


async def language_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A language button: store the choice and confirm in the new language."""
    query = update.callback_query
    chat = update.effective_chat
    if query is None or chat is None:
        return
    parts = (query.data or "").split(":")
    choice = parts[2] if len(parts) == 3 and parts[1] == "set" else None
    if choice != AUTO and choice not in SUPPORTED_LANGUAGES:
        await refuse(update, context, texts.BUTTON_EXPIRED)
        return
    if not await may_manage_chat(update, context):
        await refuse(update, context, texts.NOT_GROUP_ADMIN)
        return
    confirmation = await _store(update, context, choice)
    await query.answer()
    await edit_or_reply(update, context, confirmation)


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    app.add_handler(CommandHandler("language", language_command))
    app.add_handler(CallbackQueryHandler(language_button, pattern=f"^{PREFIX}:"))
