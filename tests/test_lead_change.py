"""A change of lead times never sends two reminders of a demo within the hour (e2e, FakeClock)."""

from __future__ import annotations

from datetime import timedelta

from storage.demos import NewDemo
from tests.harness import USER_ID, BotHarness
from tests.outbox_helpers import SleepRecorder

MARK = "Reminder: starts"


def _reminders(h: BotHarness) -> list[str]:
    return [m.text or "" for m in h.replies(USER_ID) if MARK in (m.text or "")]


async def _settled(h: BotHarness, n: int) -> list[str]:
    await h.services.reminders.tick()
    if n:
        await h.core.wait_for(lambda: len(_reminders(h)) >= n, what=f"{n} reminders")
    return _reminders(h)


async def test_leads_changed_to_3d_1d_2h_a_day_and_10_minutes_before(
    fast: SleepRecorder, harness: BotHarness
) -> None:
    await harness.send(USER_ID, USER_ID, "/subscribe")
    t0 = harness.clock.now()
    await harness.services.reminders.add_demo(
        NewDemo(starts_at=t0 + timedelta(days=1, minutes=10), place="P", title="March")
    )
    assert await _settled(harness, 0) == []  # the 1-day reminder is 10 minutes away
    # The 3-day reminder is long overdue, but "1 day" comes within the hour, on time.
    await harness.send(USER_ID, USER_ID, "/settings remind 3d 1d 2h")
    harness.clock.advance(timedelta(minutes=10))
    sent = await _settled(harness, 1)
    assert len(sent) == 1 and "starts in 1 day" in sent[0] and "minute" not in sent[0]
    harness.clock.advance(timedelta(minutes=50))
    assert len(await _settled(harness, 0)) == 1


async def test_a_late_lead_just_after_a_reminder_is_skipped(
    fast: SleepRecorder, harness: BotHarness
) -> None:
    await harness.send(USER_ID, USER_ID, "/subscribe")
    t0 = harness.clock.now()
    await harness.services.reminders.add_demo(
        NewDemo(starts_at=t0 + timedelta(hours=5), place="P", title="March")
    )
    assert len(await _settled(harness, 1)) == 1  # the overdue 1-day one: "starts in 5 hours"
    # 40 minutes later a 4 h 45 min lead is added: it fell due 25 minutes ago.
    harness.clock.advance(timedelta(minutes=40))
    await harness.send(USER_ID, USER_ID, "/settings remind 1d 4h45m 2h")
    assert len(await _settled(harness, 0)) == 1
    # The 2-hour reminder still comes, on time.
    harness.clock.set(t0 + timedelta(hours=3))
    sent = await _settled(harness, 2)
    assert len(sent) == 2 and "starts in 2 hours" in sent[1]


async def test_a_late_reminder_with_nothing_close_is_still_sent(
    fast: SleepRecorder, harness: BotHarness
) -> None:
    await harness.send(USER_ID, USER_ID, "/subscribe")
    t0 = harness.clock.now()
    await harness.services.reminders.add_demo(
        NewDemo(starts_at=t0 + timedelta(hours=10), place="P", title="March")
    )
    sent = await _settled(harness, 1)  # 1 day overdue, the 2-hour one is 8 hours away
    assert "starts in 10 hours" in sent[0]
