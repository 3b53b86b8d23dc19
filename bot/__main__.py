"""The command line: `solidarity-bot run | shell | check` (also `python -m bot`)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Sequence

from bot.config import ConfigError, Settings, load_settings

log = logging.getLogger("bot")


def _setup_logging(json_logs: bool = False) -> None:
    from bot.logs import configure_logging

    configure_logging(json_logs=json_logs)


def _load(token_required: bool) -> Settings:
    try:
        return load_settings(token_required=token_required)
    except ConfigError as exc:
        print(f"solidarity-bot: {exc}", file=sys.stderr)
        raise SystemExit(2) from None


def cmd_run(args: argparse.Namespace) -> int:
    """Long polling against Telegram (or TELEGRAM_API_BASE_URL) until SIGINT/SIGTERM."""
    settings = _load(token_required=True)
    _setup_logging(args.json_logs)
    from bot.app import build_application

    app = build_application(settings)
    # run_polling installs SIGINT/SIGTERM handlers and shuts down cleanly on them.
    app.run_polling(allowed_updates=None, drop_pending_updates=False)
    return 0


def cmd_shell(args: argparse.Namespace) -> int:
    """Chat with the whole bot in the terminal, through the in-process emulator."""
    settings = _load(token_required=False)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    from bot.shell import run_shell

    return asyncio.run(run_shell(settings))


def cmd_check(args: argparse.Namespace) -> int:
    """Validate configuration; with a token, call getMe and print the bot's name."""
    settings = _load(token_required=False)
    print(f"configuration ok: {settings!r}")
    if not settings.token:
        print("no TELEGRAM_BOT_TOKEN set: `solidarity-bot shell` works, `run` needs a token")
        return 0
    from telegram import Bot
    from telegram.error import InvalidToken, NetworkError, TelegramError

    async def get_me() -> int:
        bot = Bot(settings.token or "", base_url=settings.bot_base_url)
        try:
            async with bot:  # initialising calls getMe once
                me = bot.bot
        except InvalidToken:
            print("solidarity-bot: TELEGRAM_BOT_TOKEN was refused by Telegram", file=sys.stderr)
            return 1
        except (NetworkError, TelegramError) as exc:
            print(f"solidarity-bot: cannot reach the Bot API: {exc}", file=sys.stderr)
            return 1
        print(f"bot: @{me.username} ({me.first_name}), id {me.id}")
        return 0

    return asyncio.run(get_me())


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="solidarity-bot", description="Solidarity Bot: statements, facts and reminders."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run the bot (long polling)")
    run.add_argument("--json-logs", action="store_true", help="one JSON object per log line")
    run.set_defaults(func=cmd_run)
    shell = sub.add_parser("shell", help="chat with the bot in this terminal, offline")
    shell.set_defaults(func=cmd_shell)
    check = sub.add_parser("check", help="validate configuration (and the token, if set)")
    check.set_defaults(func=cmd_check)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
