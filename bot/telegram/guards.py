"""Central input guards, decided before any feature sees an update (handlers/guards.py).

* Flood control: per sender, at most ``limit`` commands/button presses in ``window`` by the
  injected clock. The first refused one gets one polite reply; then silence until the sender's
  window has room again. Bot administrators are exempt (they are few, chosen by the operator,
  and must be able to press Stop on a runaway broadcast at once).
* Edited messages are ignored altogether: an edit must never run a command again (or a
  different one), nor be taken as the answer to a step of a conversation (/adddemo asks for a
  date, the user edits an older message). Commands in forwarded messages or posted through an
  inline bot are ignored (a forwarded ``/announce`` must never act, whoever forwards it).
* Messages from other bots are ignored (anonymous group administrators post as
  GroupAnonymousBot, a bot, *with* ``sender_chat``: they are not "other bots").

The decision functions here are pure (no Telegram calls) so they can be tested directly.
"""

from __future__ import annotations

import enum
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from telegram import Message, Update


class Verdict(enum.Enum):
    ALLOW = "allow"
    WARN = "warn"  # refused, and tell the sender once
    DROP = "drop"  # refused silently


@dataclass
class FloodControl:
    """Sliding-window counter per sender key; only allowed events are counted."""

    limit: int = 10
    window: timedelta = timedelta(seconds=10)
    max_keys: int = 50_000
    _events: dict[int, deque[datetime]] = field(default_factory=dict)
    _warned: set[int] = field(default_factory=set)

    @property
    def enabled(self) -> bool:
        return self.limit > 0

    def check(self, key: int, now: datetime) -> Verdict:
        if not self.enabled:
            return Verdict.ALLOW
        events = self._events.get(key)
        if events is None:
            if len(self._events) >= self.max_keys:
                self._prune(now)
            events = self._events[key] = deque()
        while events and events[0] <= now - self.window:
            events.popleft()
        if len(events) < self.limit:
            events.append(now)
            self._warned.discard(key)
            return Verdict.ALLOW
        if key in self._warned:
            return Verdict.DROP
        self._warned.add(key)
        return Verdict.WARN

    def _prune(self, now: datetime) -> None:
        """Forget senders with no event in the window (bounds memory on busy bots)."""
        stale = [k for k, ev in self._events.items() if not ev or ev[-1] <= now - self.window]
        for key in stale:
            del self._events[key]
            self._warned.discard(key)
        if len(self._events) >= self.max_keys:  # everyone is active: start over
            self._events.clear()
            self._warned.clear()


def is_command(message: Message | None) -> bool:
    """A message that starts with a bot command (text or caption), as PTB's filters see it."""
    if message is None:
        return False
    entities = message.entities or message.caption_entities or ()
    if any(e.type == "bot_command" and e.offset == 0 for e in entities):
        return True
    body = message.text or message.caption or ""
    return body.startswith("/")


def is_relayed(message: Message) -> bool:
    """Forwarded (incl. automatic forwards from a linked channel) or sent via an inline bot."""
    return (
        message.forward_origin is not None
        or bool(message.is_automatic_forward)
        or message.via_bot is not None
    )


def from_other_bot(message: Message, own_bot_id: int) -> bool:
    """Content from another bot. Anonymous admins (a bot user *with* sender_chat) are people;
    service messages (migrations, members joining) are not content and pass."""
    user = message.from_user
    if user is None or not user.is_bot or user.id == own_bot_id:
        return False
    if message.sender_chat is not None:
        return False
    return message.text is not None or message.caption is not None


def sender_key(update: Update) -> int | None:
    """Who is acting, for flood control: the user, or the chat an anonymous admin posts as."""
    message = update.message
    if message is not None and message.sender_chat is not None:
        return message.sender_chat.id
    user = update.effective_user
    return user.id if user is not None else None


def screen(update: Update, own_bot_id: int) -> bool:
    """True if the update must be ignored outright (before flood control and features)."""
    if update.edited_message is not None or update.edited_channel_post is not None:
        return True
    message = update.message
    if message is None:
        return False
    if from_other_bot(message, own_bot_id):
        return True
    return is_command(message) and is_relayed(message)


def counts_for_flood(update: Update) -> bool:
    """Commands and button presses count; plain text, inline queries and service updates do not."""
    return update.callback_query is not None or is_command(update.message)


MAX_ID_DIGITS = 18  # fits SQLite's signed 64-bit INTEGER with room to spare


def parse_id(text: str | None) -> int | None:
    """A positive id typed by a user or carried in callback data ("7", "#7"), else None.

    Only ASCII digits: ``str.isdigit`` also accepts "²" or "①", which ``int`` refuses, and an
    unbounded number overflows SQLite's 64-bit integers (both crashed handlers).
    """
    if text is None:
        return None
    raw = text.strip().removeprefix("#")
    if not raw or len(raw) > MAX_ID_DIGITS or not raw.isascii() or not raw.isdigit():
        return None
    return int(raw)
