"""The command list: one place that /help and set_my_commands are both built from."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllChatAdministrators,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
)
from telegram.error import BadRequest

from bot.i18n import texts
from bot.i18n.translate import SUPPORTED_LANGUAGES, t

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Command:
    """A command as users see it in menus and /help."""

    name: str
    description: str  # an N_() text from bot.i18n.texts
    private: bool = True  # offered in private chats
    group: bool = True  # offered in groups
    group_admin: bool = False  # offered to group administrators only (group-management)
    bot_admin: bool = False  # for BOT_ADMIN_IDS only; shown in /help to them alone


# Order is the order of the menus and of /help. Features add their commands here.
COMMANDS: list[Command] = [
    Command("start", texts.CMD_START),
    Command("help", texts.CMD_HELP),
    Command("statements", texts.CMD_STATEMENTS),
    Command("excerpt", texts.CMD_EXCERPT),
    Command("quote", texts.CMD_QUOTE),
    Command("facts", texts.CMD_FACTS),
    Command("compare", texts.CMD_COMPARE),
    Command("table", texts.CMD_TABLE),
    Command("addstatement", texts.CMD_ADDSTATEMENT, group=False, bot_admin=True),
    Command("removestatement", texts.CMD_REMOVESTATEMENT, group=False, bot_admin=True),
    Command("announce", texts.CMD_ANNOUNCE, group=False, bot_admin=True),
    Command("broadcasts", texts.CMD_BROADCASTS, group=False, bot_admin=True),
    Command("stopbroadcast", texts.CMD_STOPBROADCAST, group=False, bot_admin=True),
    Command("stats", texts.CMD_STATS, group=False, bot_admin=True),
    Command("language", texts.CMD_LANGUAGE, group_admin=True),
    Command("calendar", texts.CMD_CALENDAR),
    Command("feed", texts.CMD_FEED, group=False, bot_admin=True),
    Command("forget", texts.CMD_FORGET, group_admin=True),
    Command("subscribe", texts.CMD_SUBSCRIBE, group_admin=True),
    Command("unsubscribe", texts.CMD_UNSUBSCRIBE, group_admin=True),
    Command("settings", texts.CMD_SETTINGS),
    Command("demos", texts.CMD_DEMOS),
    Command("demo", texts.CMD_DEMO),
    Command("adddemo", texts.CMD_ADDDEMO, group=False, bot_admin=True),
    Command("editdemo", texts.CMD_EDITDEMO, group=False, bot_admin=True),
    Command("canceldemo", texts.CMD_CANCELDEMO, group=False, bot_admin=True),
    Command("restoredemo", texts.CMD_RESTOREDEMO, group=False, bot_admin=True),
]


def visible_commands(*, private: bool, is_group_admin: bool, is_bot_admin: bool) -> list[Command]:
    """The commands a given person should see in /help, in order."""
    out = []
    for cmd in COMMANDS:
        if cmd.bot_admin and not is_bot_admin:
            continue
        if cmd.group_admin and not (is_group_admin or is_bot_admin or private):
            continue
        if not cmd.bot_admin and not (cmd.private if private else cmd.group):
            continue
        out.append(cmd)
    return out


def _menu(lang: str, cmds: list[Command]) -> list[BotCommand]:
    return [BotCommand(c.name, t(lang, c.description)[:256]) for c in cmds]


async def register_menus(bot: Bot, admin_ids: frozenset[int]) -> None:
    """Publish the menus per scope (and per language), so each audience sees its own."""
    private = [c for c in COMMANDS if c.private and not c.bot_admin]
    group = [c for c in COMMANDS if c.group and not c.bot_admin and not c.group_admin]
    group_admins = [c for c in COMMANDS if c.group and not c.bot_admin]
    admins = [c for c in COMMANDS if c.private or c.bot_admin]
    for lang in SUPPORTED_LANGUAGES:
        code = None if lang == "en" else lang
        await bot.set_my_commands(
            _menu(lang, private), scope=BotCommandScopeAllPrivateChats(), language_code=code
        )
        await bot.set_my_commands(
            _menu(lang, group), scope=BotCommandScopeAllGroupChats(), language_code=code
        )
        await bot.set_my_commands(
            _menu(lang, group_admins),
            scope=BotCommandScopeAllChatAdministrators(),
            language_code=code,
        )
    # Bot administrators see their commands in their private chat with the bot.
    for admin_id in sorted(admin_ids):
        try:
            await bot.set_my_commands(_menu("en", admins), scope=BotCommandScopeChat(admin_id))
        except BadRequest:
            # Telegram refuses a chat scope until the admin has started the bot once.
            log.info("admin %s has not started the bot yet; no admin menu for them", admin_id)
