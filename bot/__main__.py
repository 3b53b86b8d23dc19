"""The command line: `solidarity-bot run | shell | check | backup | restore | export | import`.

Also `python -m bot`. Bad configuration, or a file `import` refuses: one line on stderr and
status 2; a refused or failed operation: one line and status 1.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

# httpx, which PTB imports, also loads the dependencies of its own command-line client (click,
# rich, pygments) whenever they are installed, as they are here (rich draws the shell). The bot
# never runs that client; blocking the one module keeps about 80 ms off every start. httpx
# then defines a stub `httpx.main` instead, which nothing here calls.
sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]

from bot.config import ConfigError, Settings, load_settings  # noqa: E402

if TYPE_CHECKING:
    from bot.ops.health import HealthConfig

log = logging.getLogger("bot")


def _fail(message: str, status: int = 1) -> int:
    print(f"solidarity-bot: {message}", file=sys.stderr)
    return status


def _health_config(args: argparse.Namespace, settings: Settings) -> HealthConfig | None:
    """--health-port, else BOT_HEALTH_PORT (validated in bot/config.py); off when neither."""
    from bot.config import parse_port
    from bot.ops.health import HealthConfig

    port = settings.health_port
    flag = getattr(args, "health_port", None)
    if flag is not None:
        try:
            port = parse_port(flag, "--health-port", None)
        except ConfigError as exc:
            raise SystemExit(_fail(str(exc), 2)) from None
    return HealthConfig(host=settings.health_listen, port=port) if port is not None else None


def _setup_logging(json_logs: bool = False) -> None:
    from bot.ops.logs import configure_logging

    configure_logging(json_logs=json_logs)


def _load(token_required: bool) -> Settings:
    try:
        return load_settings(token_required=token_required)
    except ConfigError as exc:
        print(f"solidarity-bot: {exc}", file=sys.stderr)
        raise SystemExit(2) from None


def cmd_run(args: argparse.Namespace) -> int:
    """Long polling (default) or a webhook, until SIGINT/SIGTERM; one process per database."""
    # No cyclic garbage collection while starting: collections triggered while the imports and
    # services make ~70,000 long-lived objects walk them over and over (80-120 ms of a 1 s
    # start). The gc-resume job (bot/jobs.py) turns it back on once the bot polls.
    gc.disable()
    settings = _load(token_required=True)
    from bot.ops.webhook import load_webhook_options, webhook_kwargs

    webhook = None
    if args.webhook is not None:
        try:
            webhook = load_webhook_options(
                url=args.webhook,
                listen=args.listen,
                port=args.port,
                db_path=settings.db_path,
                api_base_url=settings.api_base_url,
            )
        except ConfigError as exc:
            return _fail(str(exc), 2)
    elif args.listen is not None or args.port is not None:
        return _fail("--listen and --port only apply with --webhook URL", 2)
    health = _health_config(args, settings)
    _setup_logging(args.json_logs)
    import sqlite3

    from telegram.error import InvalidToken, TelegramError

    from bot.app import BOOTSTRAP_RETRIES, build_application
    from bot.jobs import schedule_gc_resume
    from bot.ops.health import HEALTH_CONFIG_KEY, MODE_KEY
    from bot.ops.lock import RUNNING_MESSAGE, AlreadyLocked, InstanceLock
    from storage.db import DatabaseError

    lock = InstanceLock(settings.db_path)
    try:
        lock.acquire()
    except AlreadyLocked:
        return _fail(RUNNING_MESSAGE)
    except OSError as exc:
        return _fail(f"cannot create the lock file {str(lock.path)!r}: {exc.strerror}")
    try:
        app = build_application(settings)
        schedule_gc_resume(app)
        if health is not None:
            app.bot_data[HEALTH_CONFIG_KEY] = health
        # run_polling/run_webhook install SIGINT/SIGTERM handlers and shut down cleanly on them.
        if webhook is None:
            app.bot_data[MODE_KEY] = "polling"
            app.run_polling(
                allowed_updates=None,
                drop_pending_updates=False,
                bootstrap_retries=BOOTSTRAP_RETRIES,
            )
        else:
            app.bot_data[MODE_KEY] = "webhook"
            log.info("webhook server on %s:%d/%s", webhook.listen, webhook.port, webhook.url_path)
            app.run_webhook(**webhook_kwargs(webhook))
    except OSError as exc:  # e.g. the webhook or health port is taken
        return _fail(f"cannot start: {exc.strerror or exc}")
    except DatabaseError as exc:  # corrupt, newer schema...: restarting will not help
        return _fail(str(exc))
    except sqlite3.Error as exc:  # read-only, disk full while migrating...
        return _fail(f"database {str(settings.db_path)!r} is not usable: {exc}")
    except InvalidToken:
        return _fail("TELEGRAM_BOT_TOKEN was refused by Telegram", 2)
    except TelegramError as exc:  # e.g. the Bot API unreachable at start: the supervisor retries
        return _fail(f"cannot reach the Bot API: {exc}")
    finally:
        lock.release()
    return 0


def cmd_shell(args: argparse.Namespace) -> int:
    """Chat with the whole bot in the terminal, on its own database, through the emulator."""
    settings = _load(token_required=False)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    from bot.ops.lock import RUNNING_MESSAGE, AlreadyLocked
    from bot.ops.shell import DatabaseRefused, choose_database, shell_main

    explicit = Path(args.db).expanduser() if args.db else None
    try:
        db = choose_database(settings.db_path, explicit=explicit, keep=args.keep)
        return shell_main(settings, db)
    except DatabaseRefused as exc:
        return _fail(str(exc), 2)
    except AlreadyLocked:
        return _fail(f"{RUNNING_MESSAGE}: the shell needs a database of its own")


def cmd_check(args: argparse.Namespace) -> int:
    """Validate configuration; with a token, call getMe and print the bot's name."""
    settings = _load(token_required=False)
    print(f"configuration ok: {settings!r}")
    if args.live:
        return _check_live(args, settings)
    if not settings.token:
        print("no TELEGRAM_BOT_TOKEN set: `solidarity-bot shell` works, `run` needs a token")
        return 0
    from telegram import Bot
    from telegram.error import InvalidToken, NetworkError, TelegramError

    from bot.telegram.aiohttp_request import AiohttpRequest

    async def get_me() -> int:
        # The transport `run` uses: the same proxy and certificate settings are checked.
        bot = Bot(settings.token or "", base_url=settings.bot_base_url, request=AiohttpRequest())
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


def _check_live(args: argparse.Namespace, settings: Settings) -> int:
    """Ask the running bot's /health if a health port is configured, else look at the DB."""
    health = _health_config(args, settings)
    if health is not None:
        import json
        import urllib.error
        import urllib.request

        host = "127.0.0.1" if health.host in ("0.0.0.0", "::") else health.host
        url = f"http://{host}:{health.port}/health"
        try:
            with urllib.request.urlopen(url, timeout=5) as resp:
                doc = json.loads(resp.read())
        except urllib.error.HTTPError as exc:  # 503: the body still says what is wrong
            try:
                doc = json.loads(exc.read())
            except ValueError:
                return _fail(f"{url} answered {exc.code}")
        except (OSError, ValueError) as exc:
            return _fail(f"no bot answers at {url}: {exc}")
        print(f"health: {'ok' if doc.get('ok') else 'NOT OK'} ({url})")
        for problem in doc.get("problems") or []:
            print(f"  problem: {problem}")
        updates = doc.get("updates") or {}
        print(
            f"  mode: {doc.get('mode')}, last update: {updates.get('last_update_at')},"
            f" last getUpdates: {updates.get('last_get_updates_at')}"
        )
        print(
            f"  database: {doc.get('database')}, broadcast backlog: {doc.get('broadcast_backlog')}"
        )
        return 0 if doc.get("ok") else 1
    from bot.ops.lock import is_locked
    from storage.maintenance import NotABotDatabase, inspect_database

    try:
        report = inspect_database(settings.db_path, full=False)
    except NotABotDatabase as exc:
        return _fail(str(exc))
    running = is_locked(settings.db_path)
    print(
        f"database ok: schema version {report.schema_version}/{report.latest_version},"
        f" {report.tables.get('chats', 0)} chats, {report.tables.get('demos', 0)} demos"
    )
    print("a bot is running on it" if running else "no bot is running on it")
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    """Copy the live database (safe while the bot runs)."""
    settings = _load(token_required=False)
    from bot.clock import SystemClock
    from bot.ops.backup import BackupError, backup

    try:
        result = backup(settings.db_path, Path(args.path), SystemClock().now())
    except BackupError as exc:
        return _fail(str(exc))
    print(
        f"backup written: {result.path} ({result.size} bytes, schema version"
        f" {result.report.schema_version}, {result.report.tables.get('chats', 0)} chats,"
        f" {result.report.tables.get('demos', 0)} demos; integrity ok)"
    )
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    """Replace the database with a backup (the bot must be stopped)."""
    settings = _load(token_required=False)
    from bot.ops.backup import BackupError, restore

    try:
        report, previous = restore(settings.db_path, Path(args.path))
    except BackupError as exc:
        return _fail(str(exc))
    print(f"restored {args.path} into {settings.db_path} (schema version {report.schema_version})")
    if previous is not None:
        print(f"the database it replaced is kept at {previous}")
    if report.schema_version < report.latest_version:
        print("migrations to the current schema run when the bot starts")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    """Demonstrations and chat settings as JSON (to a file or stdout)."""
    settings = _load(token_required=False)
    from bot.clock import SystemClock
    from storage.transfer import TransferError, export_json

    if not settings.db_path.is_file():
        return _fail(f"no database at {str(settings.db_path)!r} (check BOT_DB_PATH)")
    try:
        text = asyncio.run(export_json(settings.db_path, SystemClock().now()))
    except TransferError as exc:
        return _fail(str(exc))
    if args.path in (None, "-"):
        sys.stdout.write(text)
        return 0
    target = Path(args.path)
    tmp = target.with_name(f".{target.name}.partial")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, target)
    except OSError as exc:
        return _fail(f"cannot write {args.path!r}: {exc.strerror}")
    print(f"exported to {target}", file=sys.stderr)
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    """Upsert demonstrations and chat settings from an export (the bot must be stopped)."""
    settings = _load(token_required=False)
    from bot.clock import SystemClock
    from bot.ops.importcheck import check_import
    from bot.ops.lock import RUNNING_MESSAGE, AlreadyLocked, InstanceLock
    from storage.transfer import TransferError, import_json

    try:
        text = sys.stdin.read() if args.path == "-" else Path(args.path).read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return _fail(f"cannot read {args.path!r}: {exc}")
    lock = InstanceLock(settings.db_path)
    try:
        lock.acquire()
    except AlreadyLocked:
        return _fail(f"{RUNNING_MESSAGE}: stop it before importing")
    try:
        result = asyncio.run(
            import_json(settings.db_path, text, SystemClock().now(), check=check_import)
        )
    except TransferError as exc:  # the file (checked whole before any write): status 2
        return _fail(f"import refused: {exc}", 2)
    finally:
        lock.release()
    print(
        f"imported {result.chats} chats and {result.demos} demos into {settings.db_path}"
        f" ({result.demos_new} new demos)"
    )
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="solidarity-bot", description="Solidarity Bot: statements, facts and reminders."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run the bot (long polling, or a webhook)")
    run.add_argument("--json-logs", action="store_true", help="one JSON object per log line")
    run.add_argument(
        "--webhook",
        metavar="URL",
        help="receive updates at this public https:// URL instead of long polling",
    )
    run.add_argument(
        "--listen", metavar="ADDR", help="webhook server address (BOT_WEBHOOK_LISTEN, 127.0.0.1)"
    )
    run.add_argument("--port", metavar="N", help="webhook server port (BOT_WEBHOOK_PORT, 8443)")
    run.add_argument(
        "--health-port", metavar="N", help="serve /health and /metrics here (BOT_HEALTH_PORT)"
    )
    run.set_defaults(func=cmd_run)
    shell = sub.add_parser(
        "shell",
        help="chat with the bot in this terminal, offline, on a database of its own",
        description="By default on a temporary database, never the one `run` uses.",
    )
    shell.add_argument(
        "--keep",
        action="store_true",
        help="keep the shell's database between sessions (beside BOT_DB_PATH, '-shell' added)",
    )
    shell.add_argument(
        "--db", metavar="PATH", help="use this database (the only way to open the run database)"
    )
    shell.set_defaults(func=cmd_shell)
    check = sub.add_parser("check", help="validate configuration (and the token, if set)")
    check.add_argument(
        "--live",
        action="store_true",
        help="check the running bot: its /health if a health port is set, else the database",
    )
    check.add_argument("--health-port", metavar="N", help="the running bot's health port")
    check.set_defaults(func=cmd_check)
    backup = sub.add_parser("backup", help="copy the live database to PATH (a file or folder)")
    backup.add_argument("path", metavar="PATH")
    backup.set_defaults(func=cmd_backup)
    restore = sub.add_parser("restore", help="replace the database with a backup (bot stopped)")
    restore.add_argument("path", metavar="PATH")
    restore.set_defaults(func=cmd_restore)
    export = sub.add_parser("export", help="demonstrations and chat settings as JSON")
    export.add_argument("path", metavar="PATH", nargs="?", default="-", help="file, or - (stdout)")
    export.set_defaults(func=cmd_export)
    imp = sub.add_parser("import", help="load an export (upsert; bot stopped)")
    imp.add_argument("path", metavar="PATH", help="file, or - (stdin)")
    imp.set_defaults(func=cmd_import)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
