"""Typed settings read from the environment, validated once at start-up."""

from __future__ import annotations

import ipaddress
import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_API_BASE_URL = "https://api.telegram.org"
DEFAULT_LISTEN = "127.0.0.1"
DEFAULT_WEBHOOK_PORT = 8443
_WEBHOOK_SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_TOKEN_RE = re.compile(r"^\d{1,20}:[A-Za-z0-9_-]{20,}$")


class ConfigError(Exception):
    """A configuration value is missing or malformed; the message names the variable."""


@dataclass(frozen=True)
class Settings:
    """Everything the bot reads from its environment."""

    token: str | None
    api_base_url: str = DEFAULT_API_BASE_URL
    db_path: Path = Path("./solidarity-bot.sqlite3")
    admin_ids: frozenset[int] = field(default_factory=frozenset)
    timezone: str = "UTC"
    # Per-user flood control (bot/telegram/guards.py): at most flood_limit commands/button
    # presses in flood_window_seconds; 0 turns it off. BOT_FLOOD_LIMIT.
    flood_limit: int = 10
    flood_window_seconds: int = 10
    # Delivery records older than this are pruned daily (bot/ops/privacy.py). BOT_RETENTION_DAYS.
    retention_days: int = 30
    # Reminders a chat gets in any hour at most; beyond that, one digest a day points to /demos
    # (bot/reminders/fanout.py). BOT_REMINDERS_PER_HOUR.
    reminders_per_hour: int = 3
    # Broadcast limits (None: off). OUTBOX_PER_SECOND, OUTBOX_PER_MINUTE_GROUP,
    # OUTBOX_PER_SECOND_CHAT; bot/broadcast/ratelimit.py reads them with parse_rate.
    outbox_per_second: float | None = 30.0
    outbox_per_minute_group: float | None = 20.0
    outbox_per_second_chat: float | None = 1.0
    # Calendar feeds. BOT_FEEDS_INTERVAL_MINUTES, BOT_FEEDS_ALLOW_PRIVATE.
    feeds_interval_minutes: int = 30
    feeds_allow_private: bool = False
    # The /health server (None: off) and webhook mode's local server.
    health_port: int | None = None
    health_listen: str = DEFAULT_LISTEN
    webhook_listen: str = DEFAULT_LISTEN
    webhook_port: int = DEFAULT_WEBHOOK_PORT

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def bot_base_url(self) -> str:
        """The URL prefix PTB puts the token after (``.../bot<token>``)."""
        return self.api_base_url.rstrip("/") + "/bot"

    @property
    def file_base_url(self) -> str:
        return self.api_base_url.rstrip("/") + "/file/bot"

    def is_admin(self, user_id: int | None) -> bool:
        return user_id is not None and user_id in self.admin_ids

    def __repr__(self) -> str:  # never print the token
        return (
            f"Settings(token={'set' if self.token else 'unset'},"
            f" api_base_url={self.api_base_url!r},"
            f" db_path={str(self.db_path)!r}, admin_ids={sorted(self.admin_ids)},"
            f" timezone={self.timezone!r})"
        )


def _parse_token(raw: str | None, required: bool) -> str | None:
    if raw is None or raw.strip() == "":
        if required:
            raise ConfigError(
                "TELEGRAM_BOT_TOKEN is not set: expected the token @BotFather gave you,"
                " like 123456:ABC-DEF..."
            )
        return None
    token = raw.strip()
    if not _TOKEN_RE.match(token):
        raise ConfigError(
            "TELEGRAM_BOT_TOKEN is malformed: expected digits, a colon and at least 20 letters,"
            " digits, '_' or '-' (like 123456:ABC-DEF...)"
        )
    return token


def _parse_url(raw: str | None) -> str:
    if raw is None or raw.strip() == "":
        return DEFAULT_API_BASE_URL
    url = raw.strip().rstrip("/")
    if not re.match(r"^https?://[^\s/]+(/\S*)?$", url):
        raise ConfigError(
            "TELEGRAM_API_BASE_URL is malformed: expected an http:// or https:// URL"
            " such as https://api.telegram.org"
        )
    return url


def _parse_admins(raw: str | None) -> frozenset[int]:
    if raw is None or raw.strip() == "":
        return frozenset()
    ids: set[int] = set()
    for part in raw.split(","):
        part = part.strip()
        if not part:
            continue
        if not re.fullmatch(r"-?\d{1,20}", part):
            raise ConfigError(
                f"BOT_ADMIN_IDS is malformed: expected comma-separated numeric Telegram user ids,"
                f" got {part[:40]!r}"
            )
        ids.add(int(part))
    return frozenset(ids)


def _parse_timezone(raw: str | None) -> str:
    if raw is None or raw.strip() == "":
        return "UTC"
    name = raw.strip()
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"BOT_TIMEZONE is not a known IANA time zone: got {name[:60]!r},"
            " expected a name like Europe/London or UTC"
        ) from None
    return name


def _parse_db_path(raw: str | None) -> Path:
    if raw is None or raw.strip() == "":
        return Path("./solidarity-bot.sqlite3")
    path = Path(raw.strip()).expanduser()
    if path.exists() and path.is_dir():
        raise ConfigError(f"BOT_DB_PATH is a directory: expected a file path, got {str(path)!r}")
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.exists():
        raise ConfigError(
            f"BOT_DB_PATH's folder does not exist: {str(parent)!r} (create it or choose another)"
        )
    return path


def _parse_int(raw: str | None, name: str, default: int, low: int, high: int, what: str) -> int:
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip()
    if not re.fullmatch(r"\d{1,6}", value) or not low <= int(value) <= high:
        raise ConfigError(f"{name} is malformed: expected {what}, got {value[:40]!r}")
    return int(value)


def parse_rate(env: Mapping[str, str], name: str, default: float | None) -> float | None:
    """A messages-per-period limit: a positive number, or 'off' (also 'none', '0')."""
    raw = env.get(name, "").strip()
    if not raw:
        return default
    if raw.lower() in ("off", "none", "0"):
        return None
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not (value > 0 and math.isfinite(value)):
        raise ConfigError(f"{name} must be a positive number or 'off', got {raw[:20]!r}")
    return value


def parse_flag(env: Mapping[str, str], name: str) -> bool:
    raw = env.get(name, "").strip().lower()
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("", "0", "false", "no", "off"):
        return False
    raise ConfigError(f"{name} is malformed: expected 1 (on) or 0 (off), got {raw[:20]!r}")


def parse_feeds_interval(env: Mapping[str, str]) -> int:
    return _parse_int(
        env.get("BOT_FEEDS_INTERVAL_MINUTES"),
        "BOT_FEEDS_INTERVAL_MINUTES",
        30,
        5,
        7 * 24 * 60,
        "a whole number of minutes from 5 to 10080",
    )


def parse_listen(raw: str | None, source: str) -> str:
    if raw is None or raw.strip() == "":
        return DEFAULT_LISTEN
    value = raw.strip()
    try:
        ipaddress.ip_address(value)
    except ValueError:
        raise ConfigError(
            f"{source} is malformed: expected an IP address such as 127.0.0.1 or 0.0.0.0,"
            f" got {value[:60]!r}"
        ) from None
    return value


def parse_port(raw: str | int | None, source: str, default: int | None) -> int | None:
    if raw is None or (isinstance(raw, str) and raw.strip() == ""):
        return default
    text = str(raw).strip()
    if not re.fullmatch(r"\d{1,5}", text) or not 1 <= int(text) <= 65535:
        raise ConfigError(
            f"{source} is malformed: expected a port number 1-65535, got {text[:20]!r}"
        )
    return int(text)


def parse_webhook_secret(raw: str | None) -> str | None:
    if raw is None or raw.strip() == "":
        return None
    value = raw.strip()
    if not _WEBHOOK_SECRET_RE.match(value):
        raise ConfigError(
            "BOT_WEBHOOK_SECRET is malformed: expected 1-256 letters, digits, '_' or '-'"
        )
    return value


def load_settings(env: Mapping[str, str] | None = None, *, token_required: bool = True) -> Settings:
    """Read and validate every setting; raise ConfigError naming the first bad variable.

    Everything `run` reads from the environment is checked here, so `check` refuses what
    `run` would refuse (one line, exit 2) instead of `run` failing later with a traceback.
    """
    env = os.environ if env is None else env
    parse_webhook_secret(env.get("BOT_WEBHOOK_SECRET"))
    webhook_port = parse_port(env.get("BOT_WEBHOOK_PORT"), "BOT_WEBHOOK_PORT", DEFAULT_WEBHOOK_PORT)
    assert webhook_port is not None
    return Settings(
        token=_parse_token(env.get("TELEGRAM_BOT_TOKEN"), token_required),
        api_base_url=_parse_url(env.get("TELEGRAM_API_BASE_URL")),
        db_path=_parse_db_path(env.get("BOT_DB_PATH")),
        admin_ids=_parse_admins(env.get("BOT_ADMIN_IDS")),
        timezone=_parse_timezone(env.get("BOT_TIMEZONE")),
        flood_limit=_parse_int(
            env.get("BOT_FLOOD_LIMIT"),
            "BOT_FLOOD_LIMIT",
            10,
            0,
            1000,
            "commands per 10 seconds per user, 0 to 1000 (0 turns flood control off)",
        ),
        retention_days=_parse_int(
            env.get("BOT_RETENTION_DAYS"),
            "BOT_RETENTION_DAYS",
            30,
            1,
            3650,
            "a whole number of days from 1 to 3650",
        ),
        reminders_per_hour=_parse_int(
            env.get("BOT_REMINDERS_PER_HOUR"),
            "BOT_REMINDERS_PER_HOUR",
            3,
            1,
            60,
            "reminders per chat per hour, a whole number from 1 to 60",
        ),
        outbox_per_second=parse_rate(env, "OUTBOX_PER_SECOND", 30.0),
        outbox_per_minute_group=parse_rate(env, "OUTBOX_PER_MINUTE_GROUP", 20.0),
        outbox_per_second_chat=parse_rate(env, "OUTBOX_PER_SECOND_CHAT", 1.0),
        feeds_interval_minutes=parse_feeds_interval(env),
        feeds_allow_private=parse_flag(env, "BOT_FEEDS_ALLOW_PRIVATE"),
        health_port=parse_port(env.get("BOT_HEALTH_PORT"), "BOT_HEALTH_PORT", None),
        health_listen=parse_listen(env.get("BOT_HEALTH_LISTEN"), "BOT_HEALTH_LISTEN"),
        webhook_listen=parse_listen(env.get("BOT_WEBHOOK_LISTEN"), "BOT_WEBHOOK_LISTEN"),
        webhook_port=webhook_port,
    )
