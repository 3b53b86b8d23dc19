"""Announcements by bot administrators: parsing, the renderer, progress reports.

An announcement is an outbox broadcast of kind ``announce`` whose payload is either
``{"html": "..."}`` (the administrator's formatted text) or ``{"copy_from": [chat, message]}``
(a message the administrator replied to: text, photo, document, poll, forwarded post), plus
the optional ``region`` it was limited to. See docs/broadcasts.md.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import BadRequest

from bot.broadcast.budget import Priority, SendArgs
from bot.broadcast.delivery import limited_args as _limited
from bot.broadcast.outbox import Outbox, Outgoing, Progress
from bot.demos.regions import split_region_prefix
from bot.i18n import texts
from bot.i18n.translate import DEFAULT_LANGUAGE, SUPPORTED_LANGUAGES, t
from bot.telegram.render import callback_data
from storage.chats import Chat, ChatRepo
from storage.outbox import OutboxRepo

log = logging.getLogger(__name__)

KIND = "announce"
PRIORITY = 0  # reminders use a higher priority and overtake announcements
CALLBACK_PREFIX = "ann"
#: progress edits wait like the announcement itself (and a 429 is waited out, bounded)
STATUS_EDITS = SendArgs(Priority.ANNOUNCE)

_COMMAND_RE = re.compile(r"^\s*/announce(?:@\w+)?(?:\s+|$)", re.IGNORECASE)


@dataclass(frozen=True)
class AnnounceRequest:
    """What an administrator asked to announce."""

    html: str | None
    copy_from: tuple[int, int] | None
    region: str | None

    @property
    def payload(self) -> dict[str, Any]:
        payload: dict[str, Any] = {"region": self.region}
        if self.copy_from is not None:
            payload["copy_from"] = list(self.copy_from)
        else:
            payload["html"] = self.html
        return payload


def parse_announce(text_html: str, reply_to: tuple[int, int] | None) -> AnnounceRequest | None:
    """Parse ``/announce [region=NAME] [text]`` (HTML of the command message).

    Replying to a message announces a copy of that message (any text after the command, other
    than the region, is then ignored). None when there is nothing to announce; InputError for a
    malformed ``region=``.
    """
    rest = _COMMAND_RE.sub("", text_html, count=1)
    region, rest = split_region_prefix(rest)
    rest = rest.strip()
    if reply_to is not None:
        return AnnounceRequest(None, reply_to, region)
    if not rest:
        return None
    return AnnounceRequest(rest, None, region)


async def render(payload: dict[str, Any], chat: Chat) -> Outgoing | None:
    """The outbox renderer: every chat sees exactly what the administrator previewed."""
    copy_from = payload.get("copy_from")
    if copy_from:
        return Outgoing(copy_from=(int(copy_from[0]), int(copy_from[1])))
    html = payload.get("html")
    return Outgoing(html=str(html)) if html else None


def format_duration(seconds: float | None, lang: str | None = None) -> str:
    """An estimate in the reader's language and units ("2 min", "2 хв", "2 Min."); "…" unknown."""
    if seconds is None:
        return "…"
    from babel.dates import format_timedelta  # on first use: babel.dates is slow to import

    delta = timedelta(seconds=max(0, round(seconds)))
    locale = lang if lang in SUPPORTED_LANGUAGES else DEFAULT_LANGUAGE
    return str(format_timedelta(delta, threshold=1.5, format="short", locale=locale))


def status_markup(lang: str | None, broadcast_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t(lang, texts.BUTTON_STOP_BROADCAST),
                    callback_data=callback_data(CALLBACK_PREFIX, "stop", broadcast_id),
                )
            ]
        ]
    )


def progress_text(lang: str | None, p: Progress, number: int | None = None) -> str:
    """The status message; ``number`` is the announcement's own number (else its id)."""
    values = {
        "id": p.broadcast_id if number is None else number,
        "sent": p.sent,
        "total": p.total,
        "failed": p.failed,
        "gone": p.gone,
        "skipped": p.skipped,
    }
    if p.final:
        template = texts.ANNOUNCE_STOPPED if p.stopped else texts.ANNOUNCE_FINISHED
        return t(lang, template, **values)
    return t(lang, texts.ANNOUNCE_PROGRESS, eta=format_duration(p.eta_seconds, lang), **values)


class StatusReporter:
    """Edits the administrator's status message in place (the outbox throttles the calls)."""

    def __init__(self, bot: Bot, chats: ChatRepo, broadcasts: OutboxRepo) -> None:
        self.bot = bot
        self.chats = chats
        self.broadcasts = broadcasts

    async def __call__(self, progress: Progress) -> None:
        stored = await self.chats.get(progress.status_chat_id)
        lang = stored.message_language if stored else None
        markup = None if progress.final else status_markup(lang, progress.broadcast_id)
        row = await self.broadcasts.get(progress.broadcast_id)
        try:
            await self.bot.edit_message_text(
                progress_text(lang, progress, row.label if row is not None else None),
                chat_id=progress.status_chat_id,
                message_id=progress.status_message_id,
                parse_mode=ParseMode.HTML,
                reply_markup=markup,
                **_limited(self.bot, STATUS_EDITS),
            )
        except BadRequest as exc:
            if "not modified" not in str(exc).lower():
                raise


def install(outbox: Outbox, bot: Bot, chats: ChatRepo) -> None:
    """Register the announcement renderer and the progress reporter with the outbox."""
    outbox.register_renderer(KIND, render)
    outbox.set_reporter(StatusReporter(bot, chats, outbox.repo))
