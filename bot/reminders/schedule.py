"""When reminders fall due: the one next wake-up, and what has fallen due by now (reads only).

A reminder is due for a chat at ``due_at(start, lead, chat zone)`` for each of the chat's lead
times. Chats are grouped by (lead, zone): the next wake-up is the earliest due moment over all
(demo, lead, zone) combinations, found with a few indexed range queries per distinct lead, and
never one job per chat or per demo.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.demos.timeparse import MAX_DST_SHIFT, due_at
from storage.chats import DEFAULT_LEAD_MINUTES, Chat
from storage.demos import DemoRepo
from storage.reminders import DemoSlot, ReminderRepo

RSVP_KEEP = timedelta(hours=12)  # RSVPs are forgotten this long after a demo began

# zone name -> {lead minutes: due moment}
Pending = dict[str, dict[int, datetime]]


@dataclass(frozen=True)
class DueSlot:
    """One demo with reminders due: for subscribed chats (not fanned out yet) and for the
    private chats of members who are going (checked every time: such a chat may appear later,
    when the member starts the bot)."""

    slot: DemoSlot
    pending: Pending
    pending_rsvp: Pending


@dataclass(frozen=True)
class Due:
    slots: list[DueSlot]
    rsvp: dict[int, list[Chat]]  # demo id -> private chats of members going


class Schedule:
    """Reads the schedule from SQLite; holds no state of its own."""

    def __init__(self, repo: ReminderRepo, demos: DemoRepo, default_timezone: str) -> None:
        self.repo = repo
        self.demos = demos
        self.default_timezone = default_timezone

    def zone(self, name: str | None) -> ZoneInfo:
        try:
            return ZoneInfo(name or self.default_timezone)
        except Exception:
            return ZoneInfo(self.default_timezone)

    async def combos(self) -> dict[int, set[str]]:
        """lead minutes -> zone names in use by chats that can receive reminders."""
        combos: dict[int, set[str]] = defaultdict(set)
        for tz, leads in await self.repo.audience_settings():
            for lead in leads or DEFAULT_LEAD_MINUTES:
                combos[lead].add(self.zone(tz).key)
        return combos

    async def next_due(self, now: datetime) -> datetime | None:
        """The next moment anything is due (a reminder, or forgetting old RSVPs)."""
        best: datetime | None = None
        for lead, tzs in (await self.combos()).items():
            span = timedelta(minutes=lead)
            lo, hi = now + span - MAX_DST_SHIFT, now + span + MAX_DST_SHIFT
            found = self._min_due(await self.repo.slots_between(lo, hi), lead, tzs, now)
            if found is None:
                first = await self.repo.first_start_after(hi)
                if first is not None:
                    slots = await self.repo.slots_between(
                        first - timedelta(seconds=1), first + 2 * MAX_DST_SHIFT
                    )
                    found = self._min_due(slots, lead, tzs, now)
            if found is not None and (best is None or found < best):
                best = found
        cleanup = await self.demos.next_rsvp_cleanup()
        if cleanup is not None:
            when = max(cleanup + RSVP_KEEP, now)
            if best is None or when < best:
                best = when
        return best

    def _min_due(
        self, slots: list[DemoSlot], lead: int, tzs: set[str], now: datetime
    ) -> datetime | None:
        best: datetime | None = None
        for slot in slots:
            for tz in tzs:
                due = due_at(slot.starts_at, lead, self.zone(tz))
                if due > now and (best is None or due < best):
                    best = due
        return best

    async def due(self, now: datetime, only_chat: int | None) -> Due:
        """Every (demo, zone, lead) that has fallen due by now and is not done yet."""
        combos = await self.combos()
        if not combos:
            return Due([], {})
        horizon = now + timedelta(minutes=max(combos)) + MAX_DST_SHIFT
        slots = await self.repo.slots_between(now, horizon)
        if not slots:
            return Due([], {})
        runs = set() if only_chat is not None else await self.repo.runs_for(s.id for s in slots)
        rsvp = await self.repo.rsvp_chats(now, only_chat)
        out: list[DueSlot] = []
        for slot in slots:
            pending: Pending = {}
            pending_rsvp: Pending = {}
            rsvp_tzs = {self.zone(c.timezone).key for c in rsvp.get(slot.id, ())}
            for lead, tzs in combos.items():
                if slot.starts_at - timedelta(minutes=lead) - MAX_DST_SHIFT > now:
                    continue
                for tz in tzs:
                    fresh = (slot.id, lead, tz) not in runs
                    if not fresh and tz not in rsvp_tzs:
                        continue
                    due = due_at(slot.starts_at, lead, self.zone(tz))
                    if due > now:
                        continue
                    if fresh:
                        pending.setdefault(tz, {})[lead] = due
                    if tz in rsvp_tzs:
                        pending_rsvp.setdefault(tz, {})[lead] = due
            if pending or pending_rsvp:
                out.append(DueSlot(slot, pending, pending_rsvp))
        return Due(out, rsvp)
