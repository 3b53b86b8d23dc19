"""Send replies the same way everywhere: right chat and topic, HTML, split to fit."""

from __future__ import annotations

import warnings

from telegram import InlineKeyboardMarkup, LinkPreviewOptions, Message, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import ContextTypes
from telegram.warnings import PTBUserWarning

from bot.i18n.translate import DEFAULT_LANGUAGE, normalize_language
from bot.services import get_services
from bot.telegram.render import split_message


async def language_for(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
    """The chat's chosen language, else the user's Telegram language if supported, else English."""
    chat = update.effective_chat
    if chat is not None:
        stored = await get_services(context).chats.language(chat.id)
        if stored:
            return stored
    user = update.effective_user
    return normalize_language(user.language_code if user else None) or DEFAULT_LANGUAGE


def app_language(update: Update) -> str | None:
    """In a private chat, the user's Telegram app language if the bot speaks it."""
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None or chat.type != "private":
        return None
    return normalize_language(user.language_code)


async def reply_html(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    html_text: str,
    reply_markup: InlineKeyboardMarkup | None = None,
) -> Message | None:
    """Answer in the update's chat (and forum topic), split at paragraph boundaries.

    The keyboard goes on the last part so buttons sit under the whole answer.
    """
    message = update.effective_message
    chat = update.effective_chat
    if chat is None:
        return None
    parts = split_message(html_text)
    thread_id = message.message_thread_id if message and message.is_topic_message else None
    sent: Message | None = None
    for i, part in enumerate(parts):
        markup = reply_markup if i == len(parts) - 1 else None
        sent = await context.bot.send_message(
            chat.id,
            part,
            parse_mode=ParseMode.HTML,
            reply_markup=markup,
            message_thread_id=thread_id,
            disable_web_page_preview=True,
        )
    return sent


_NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


def silence_raw_send_suggestion() -> None:
    """do_api_request suggests Bot.sendMessage when given a method the Bot has; in
    _reply_html_lean the raw answer is the point, so that one suggestion is silenced
    (build_application calls this)."""
    warnings.filterwarnings(
        "ignore", message=r"Please use 'Bot\.sendMessage'", category=PTBUserWarning
    )


async def _reply_html_lean(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    html_text: str,
    reply_markup: InlineKeyboardMarkup | None = None,
) -> None:
    """reply_html for callers that do not need the sent Message (same request, same errors).

    ``Bot.do_api_request`` takes the same path as ``send_message`` (defaults, rate limiter,
    PTB's exceptions) but returns the raw answer: skipping the de-serialisation of the returned
    Message (with an entity object for every bold word of an /excerpt page) is a sizeable part
    of a command's CPU time.
    """
    await _send_parts(update, context, split_message(html_text), reply_markup)


async def _send_parts(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    parts: list[str],
    reply_markup: InlineKeyboardMarkup | None,
) -> None:
    """Send parts in order to the update's chat (and topic), the keyboard on the last."""
    message = update.effective_message
    chat = update.effective_chat
    if chat is None:
        return
    thread_id = message.message_thread_id if message and message.is_topic_message else None
    for i, part in enumerate(parts):
        data: dict[str, object] = {
            "chat_id": chat.id,
            "text": part,
            "parse_mode": ParseMode.HTML,
            "reply_markup": reply_markup if i == len(parts) - 1 else None,
            "message_thread_id": thread_id,
            "link_preview_options": _NO_PREVIEW,
        }
        await context.bot.do_api_request("sendMessage", api_kwargs=data)


async def edit_or_reply(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    html_text: str,
    reply_markup: InlineKeyboardMarkup | None = None,
) -> None:
    """For a button press, edit the message in place; otherwise send a new reply.

    A page too long for one message is never cut: the pressed message shows its first part
    and the other parts follow as new messages, the keyboard under the last one (as a reply
    would have it), so the buttons always sit under everything they act on.
    """
    query = update.callback_query
    if query is not None and query.message is not None:
        parts = split_message(html_text)
        try:
            await query.edit_message_text(
                parts[0],
                parse_mode=ParseMode.HTML,
                reply_markup=reply_markup if len(parts) == 1 else None,
                disable_web_page_preview=True,
            )
        except BadRequest as exc:
            # Pressing the same button twice is harmless: nothing to change.
            if "not modified" not in str(exc).lower():
                raise
            return
        if len(parts) > 1:
            await _send_parts(update, context, parts[1:], reply_markup)
        return
    await _reply_html_lean(update, context, html_text, reply_markup)
