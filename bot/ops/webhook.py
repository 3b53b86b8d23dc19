"""Webhook mode: options from flags/environment, validated once, and the secret token.

Telegram POSTs each update to the public HTTPS URL; a reverse proxy (Caddy, nginx) terminates
TLS and forwards to PTB's small web server on ``listen:port``. Telegram sends our secret in the
``X-Telegram-Bot-Api-Secret-Token`` header and PTB answers 403 to requests without it.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bot.config import (
    DEFAULT_API_BASE_URL,
    DEFAULT_LISTEN,
    ConfigError,
    parse_listen,
    parse_port,
    parse_webhook_secret,
)
from bot.config import DEFAULT_WEBHOOK_PORT as DEFAULT_PORT

# Telegram: 1-256 characters, only A-Z, a-z, 0-9, _ and -.
_SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")

__all__ = ["DEFAULT_LISTEN", "DEFAULT_PORT", "parse_listen", "parse_port"]


@dataclass(frozen=True)
class WebhookOptions:
    url: str  # the public URL Telegram posts to
    listen: str  # the local address PTB's web server binds
    port: int
    url_path: str  # the path PTB serves (the URL's path, as a proxy passes it through)
    secret: str

    def __repr__(self) -> str:  # never print the secret
        return (
            f"WebhookOptions(url={self.url!r}, listen={self.listen!r}, port={self.port},"
            f" url_path={self.url_path!r}, secret=set)"
        )


def parse_url(raw: str, api_base_url: str) -> str:
    url = raw.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or " " in url:
        raise ConfigError(
            f"--webhook is malformed: expected a public https:// URL such as"
            f" https://bot.example.org/telegram, got {url[:80]!r}"
        )
    if parts.scheme != "https" and api_base_url.rstrip("/") == DEFAULT_API_BASE_URL:
        raise ConfigError(
            "--webhook must be an https:// URL: Telegram only delivers webhooks over HTTPS"
            " (put a reverse proxy such as Caddy in front of the bot)"
        )
    if parts.query or parts.fragment:
        raise ConfigError("--webhook must not contain a query string or fragment")
    return url


def secret_path_for(db_path: Path) -> Path:
    return Path(f"{db_path}.webhook-secret")


def load_or_create_secret(env_value: str | None, db_path: Path) -> str:
    """BOT_WEBHOOK_SECRET if set; else the secret kept beside the database (made once, 0600)."""
    value = parse_webhook_secret(env_value)
    if value is not None:
        return value
    path = secret_path_for(db_path)
    try:
        kept = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        kept = ""
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read the kept webhook secret {str(path)!r}: {exc}") from None
    if kept:
        if not _SECRET_RE.match(kept):
            raise ConfigError(
                f"the kept webhook secret {str(path)!r} is malformed: delete it to make a new one"
            )
        return kept
    value = secrets.token_urlsafe(32)  # 43 characters of [A-Za-z0-9_-]
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it just now: use theirs
        return load_or_create_secret(None, db_path)
    except OSError as exc:
        raise ConfigError(f"cannot keep the webhook secret in {str(path)!r}: {exc}") from None
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(value + "\n")
    return value


def load_webhook_options(
    *,
    url: str,
    listen: str | None,
    port: int | str | None,
    db_path: Path,
    api_base_url: str,
    env: Mapping[str, str] | None = None,
) -> WebhookOptions:
    """Flags win over environment variables; raise ConfigError naming the first bad value."""
    env = os.environ if env is None else env
    webhook_url = parse_url(url, api_base_url)
    if listen is not None:
        bind = parse_listen(listen, "--listen")
    else:
        bind = parse_listen(env.get("BOT_WEBHOOK_LISTEN"), "BOT_WEBHOOK_LISTEN")
    if port is not None:
        number = parse_port(port, "--port", DEFAULT_PORT)
    else:
        number = parse_port(env.get("BOT_WEBHOOK_PORT"), "BOT_WEBHOOK_PORT", DEFAULT_PORT)
    assert number is not None
    path = urlsplit(webhook_url).path.strip("/")
    return WebhookOptions(
        url=webhook_url,
        listen=bind,
        port=number,
        url_path=path,
        secret=load_or_create_secret(env.get("BOT_WEBHOOK_SECRET"), db_path),
    )


def webhook_kwargs(options: WebhookOptions) -> dict[str, Any]:
    """The arguments `run` passes to PTB's run_webhook / Updater.start_webhook."""
    return {
        "listen": options.listen,
        "port": options.port,
        "url_path": options.url_path,
        "webhook_url": options.url,
        "secret_token": options.secret,
        "allowed_updates": None,
        "drop_pending_updates": False,
    }
