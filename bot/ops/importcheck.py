"""`import` checked at the bot level: the rules of the commands and feeds, before any write.

storage/transfer.py checks the file's shape and types (it may not import bot/); this adds what
only the bot knows: its languages, its text limits, the links and dates it can show.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from bot.demos import cards, intake
from bot.demos.timeparse import MAX_LEAD_MINUTES, MAX_LEADS, MIN_LEAD_MINUTES, InputError
from bot.i18n.translate import SUPPORTED_LANGUAGES
from storage.transfer import CHAT_FIELDS, DEMO_FIELDS, TransferError, ValidatedImport

MAX_REASON = 300  # /canceldemo's reason
_DEMO_TEXTS = (
    ("title", cards.MAX_TITLE, False),
    ("place", cards.MAX_PLACE, False),
    ("description", cards.MAX_DESCRIPTION, True),
    ("details", cards.MAX_DETAILS, True),
    ("cancel_reason", MAX_REASON, True),
)


def _refuse(where: str, reason: str, value: Any = None) -> TransferError:
    got = f", got {repr(value)[:40]}" if value is not None else ""
    return TransferError(f"{where}: {reason}{got}")


def _region(where: str, value: str | None) -> None:
    if value is None:
        return
    try:
        cleaned = cards.clean_region(value)
    except InputError:
        cleaned = None
    if cleaned != value:
        raise _refuse(
            where, f"expected a region of at most {cards.MAX_REGION} letters, in lower case", value
        )


def _chat(i: int, row: tuple[Any, ...]) -> None:
    item = dict(zip(CHAT_FIELDS, row, strict=True))
    where = f"chats[{i}]"
    language = item["language"]
    if language is not None and language not in SUPPORTED_LANGUAGES:
        raise _refuse(
            f"{where}.language",
            f"expected one of {', '.join(SUPPORTED_LANGUAGES)} or null",
            language,
        )
    _region(f"{where}.region", item["region"])
    if item["lead_minutes"] is not None:
        leads = json.loads(item["lead_minutes"])
        if len(leads) > MAX_LEADS or not all(
            MIN_LEAD_MINUTES <= m <= MAX_LEAD_MINUTES for m in leads
        ):
            raise _refuse(
                f"{where}.lead_minutes",
                f"expected at most {MAX_LEADS} lead times of {MIN_LEAD_MINUTES} to"
                f" {MAX_LEAD_MINUTES} minutes",
                leads,
            )


def _demo(i: int, row: tuple[Any, ...]) -> None:
    item = dict(zip(DEMO_FIELDS, row, strict=True))
    where = f"demos[{i}]"
    for name, limit, multiline in _DEMO_TEXTS:
        value = item[name]
        if value is None:
            continue
        try:
            if multiline:
                cards.clean_multiline(value, field=name, limit=limit)
            else:
                cards.clean_text(value, field=name, limit=limit)
        except InputError:
            raise _refuse(f"{where}.{name}", f"longer than {limit} characters") from None
    link = item["link"]
    if link is not None and (problem := intake.link_problem(link)) is not None:
        raise _refuse(f"{where}.link", problem, link)
    _region(f"{where}.region", item["region"])
    for name in ("starts_at", "created_at", "updated_at"):
        problem = intake.year_problem(datetime.fromisoformat(item[name]))
        if problem is not None:
            raise _refuse(f"{where}.{name}", problem, item[name])


def check_import(data: ValidatedImport) -> None:
    """Raise TransferError (one line: where and why) at the first row the bot cannot handle."""
    for i, row in enumerate(data.chats):
        _chat(i, row)
    for i, row in enumerate(data.demos):
        _demo(i, row)
