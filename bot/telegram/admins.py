"""A short-lived cache of who administers which group (getChatMember answers)."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.clock import Clock

ADMIN_CACHE_TTL = timedelta(minutes=5)


class AdminCache:
    """Briefly remembers getChatMember answers so a busy group costs few API calls."""

    def __init__(self, clock: Clock, ttl: timedelta = ADMIN_CACHE_TTL) -> None:
        self.clock = clock
        self.ttl = ttl
        self._entries: dict[tuple[int, int], tuple[bool, datetime]] = {}

    def get(self, chat_id: int, user_id: int) -> bool | None:
        entry = self._entries.get((chat_id, user_id))
        if entry is None or self.clock.now() - entry[1] > self.ttl:
            return None
        return entry[0]

    def put(self, chat_id: int, user_id: int, is_admin: bool) -> None:
        if len(self._entries) > 10_000:  # bound memory in very busy deployments
            self._entries.clear()
        self._entries[(chat_id, user_id)] = (is_admin, self.clock.now())

    def forget_chat(self, chat_id: int) -> None:
        for key in [k for k in self._entries if k[0] == chat_id]:
            del self._entries[key]
