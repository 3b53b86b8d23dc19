"""Why a feed could not be used: error kinds and the phrases that explain them to admins."""

from __future__ import annotations

from bot.i18n import texts
from bot.i18n.translate import format_number, t

MAX_BYTES = 2 * 1024 * 1024  # the largest feed file, after decompression

# Error kinds (stored in feeds.last_error) and the texts that explain them.
ERROR_TEXTS: dict[str, str] = {
    "timeout": texts.FEED_ERR_TIMEOUT,
    "too_large": texts.FEED_ERR_TOO_LARGE,
    "private": texts.FEED_ERR_PRIVATE,
    "scheme": texts.FEED_ERR_SCHEME,
    "address": texts.FEED_ERR_ADDRESS,
    "dns": texts.FEED_ERR_DNS,
    "redirects": texts.FEED_ERR_REDIRECTS,
    "http": texts.FEED_ERR_HTTP,
    "network": texts.FEED_ERR_NETWORK,
    "encoding": texts.FEED_ERR_ENCODING,
    "invalid": texts.FEED_ERR_INVALID,
    "cpu": texts.FEED_ERR_CPU,
    "memory": texts.FEED_ERR_MEMORY,
}


class FeedError(Exception):
    """A feed could not be fetched or read; ``kind`` is one of :data:`ERROR_TEXTS`.

    ``status`` is the HTTP status for ``http``, the CPU seconds for ``cpu`` and the megabytes
    for ``memory`` (the budget that was exceeded), so the explanation can name it.
    """

    def __init__(self, kind: str, status: int | None = None) -> None:
        super().__init__(kind if status is None else f"{kind} {status}")
        self.kind = kind
        self.status = status


def describe_error(lang: str | None, kind: str, status: int | None = None) -> str:
    """The error kind as a short phrase in lang (plain text, already escaped by t())."""
    message = ERROR_TEXTS.get(kind, texts.FEED_ERR_NETWORK)
    if kind == "too_large":
        return t(lang, message, limit=f"{format_number(MAX_BYTES // (1024 * 1024), lang)} MB")
    if kind == "http":
        return t(lang, message, status=status or 0)
    if kind == "cpu":
        return t(lang, message, seconds=format_number(status or 0, lang))
    if kind == "memory":
        return t(lang, message, limit=f"{format_number(status or 0, lang)} MB")
    return t(lang, message)
