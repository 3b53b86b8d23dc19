"""/start and /help: what the bot is for and the commands this person may use."""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import Application, CommandHandler, ContextTypes

from bot.i18n import texts
from bot.i18n.translate import Markup, t
from bot.services import get_services
from bot.telegram.commands import visible_commands
from bot.telegram.permissions import is_bot_admin, may_manage_chat
from bot.telegram.replies import app_language, language_for, reply_html


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Greet, remember the chat (ids only), and point to /help."""
    services = get_services(context)
    chat = update.effective_chat
    if chat is not None:
        await services.chats.ensure(chat.id, chat.type, services.clock.now(), app_language(update))
    lang = await language_for(update, context)
    await reply_html(update, context, t(lang, texts.START, banner=t(lang, texts.BANNER)))


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """List the commands; administrators' commands only to administrators."""
    chat = update.effective_chat
    private = chat is None or chat.type == ChatType.PRIVATE
    admin = is_bot_admin(update, context)
    group_admin = not private and await may_manage_chat(update, context)
    lang = await language_for(update, context)
    lines = [t(lang, texts.HELP_HEADER)]
    admin_lines: list[str] = []
    for cmd in visible_commands(private=private, is_group_admin=group_admin, is_bot_admin=admin):
        line = f"/{cmd.name} — {t(lang, cmd.description)}"
        (admin_lines if cmd.bot_admin else lines).append(line)
    if admin_lines:
        lines += ["", t(lang, texts.HELP_ADMIN_HEADER), *admin_lines]
    lines += ["", t(lang, texts.HELP_FOOTER, username=Markup(context.bot.username or "bot"))]
    await reply_html(update, context, "\n".join(lines))


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CommandHandler("help", help_command))
