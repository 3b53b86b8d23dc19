"""What one feed sync may hold (the horizon and the event cap) and what a parse returns.

Kept apart from bot.feeds.parse so the bot's process never imports the iCalendar parser:
parsing runs in bot.feeds.worker's child processes only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from storage.feeds import FeedDemo

HORIZON = timedelta(days=90)
MAX_EVENTS = 1000  # per feed and sync; more is almost certainly a mistake


@dataclass(frozen=True)
class ParsedFeed:
    """What one feed file holds within the horizon."""

    events: list[FeedDemo]
    capped: bool = False  # there were more events than the cap within the horizon
    unknown_timezone: str | None = None  # X-WR-TIMEZONE was unknown: the bot's zone was used
