"""What an edit changes (old → new), how pending notices merge, and how a change reads (pure)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.demos.cards import short_when
from bot.demos.timeparse import from_iso, to_iso
from bot.i18n import texts
from bot.i18n.translate import t
from bot.telegram.render import escape, truncate
from storage.demos import Demo
from storage.notices import Change, PendingNotice

# Every column an admin may change, in the order a preview lists them, with its label.
LABELS = {
    "starts_at": texts.FIELD_TIME,
    "timezone": texts.FIELD_ZONE,
    "place": texts.FIELD_PLACE,
    "title": texts.FIELD_TITLE,
    "link": texts.FIELD_LINK,
    "description": texts.FIELD_DESCRIPTION,
    "region": texts.FIELD_REGION,
    "details": texts.FIELD_DETAILS,
}
# What chats that were reminded are told about (details are private, the rest does not move
# anybody); the other changes are saved quietly.
NOTICE_FIELDS = frozenset({"starts_at", "timezone", "place", "title", "link"})
_SHOWN = 80  # characters of a long value in a change line


def _stored(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return to_iso(value)
    return str(value)


def changes_of(demo: Demo, fields: dict[str, Any]) -> list[Change]:
    """(field, old, new) for each field whose value differs, in LABELS order."""
    out: list[Change] = []
    for name in LABELS:
        if name not in fields:
            continue
        old, new = _stored(getattr(demo, name)), _stored(fields[name])
        if old != new:
            out.append((name, old, new))
    return out


def merge(
    pending: PendingNotice | None,
    event: str,
    changes: list[Change],
    demo_id: int,
    due_at: datetime,
) -> PendingNotice | None:
    """The pending notice after one more event ('changed', 'cancelled' or 'restored').

    Changes keep their first old value and their latest new one (a change undone is dropped).
    A cancellation undone before its notice went out is never told; a cancellation after a
    restore that was not told yet leaves chats where they were (told it is cancelled).
    """
    merged: dict[str, tuple[str, str]] = {}
    for name, old, new in pending.changes if pending else ():
        merged[name] = (old, new)
    for name, old, new in changes:
        if name not in NOTICE_FIELDS:
            continue
        first = merged[name][0] if name in merged else old
        merged[name] = (first, new)
    kept = tuple((n, o, v) for n, (o, v) in merged.items() if o != v)
    state = pending.state if pending else None
    if event == "cancelled":
        state = None if state == "restored" else "cancelled"
    elif event == "restored":
        state = "changed" if state == "cancelled" else "restored"
    elif state is None:
        state = "changed"
    if state is None or (state == "changed" and not kept):
        return None
    return PendingNotice(demo_id, state, kept, due_at)


def change_lines(lang: str, changes: list[Change] | tuple[Change, ...], tz: ZoneInfo) -> list[str]:
    """'Time: Sun 6 Dec 15:00 → 16:00' per change (times in tz, the venue's zone), as HTML."""
    lines = []
    for name, old, new in changes:
        label = t(lang, LABELS.get(name, texts.FIELD_DETAILS))
        if name == "starts_at" and old and new:
            before, after = from_iso(old), from_iso(new)
            same_day = before.astimezone(tz).date() == after.astimezone(tz).date()
            old_text = short_when(before, tz, lang)
            new_text = short_when(after, tz, lang, time_only=same_day)
        else:
            old_text, new_text = truncate(old, _SHOWN) or "—", truncate(new, _SHOWN) or "—"
        lines.append(f"{escape(label)}: {escape(old_text)} → {escape(new_text)}")
    return lines
