"""The one scheduler (bot/jobs.py): named JobQueue jobs, the reminders' run_once wake-up."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.jobs import (
    FEEDS_JOB,
    HANDOFF_JOB,
    MENUS_JOB,
    PRUNE_JOB,
    REMINDERS_JOB,
    SEARCH_WARMUP_JOB,
    describe_jobs,
)
from bot.ops.health import collect_health
from bot.reminders.service import MAX_SLEEP
from storage.demos import NewDemo
from tests.harness import USER_ID, BotHarness

# command-menus, transport-handoff and search-warmup run once, soon after start-up (armed by
# schedule_start_jobs): they may have run by now.
ONCE = {MENUS_JOB, HANDOFF_JOB, SEARCH_WARMUP_JOB}


def _reminder_jobs(h: BotHarness) -> list[Any]:
    return list(h.app.job_queue.get_jobs_by_name(REMINDERS_JOB))


def _in_seconds(job: Any) -> float:
    return float((job.next_t - datetime.now(UTC)).total_seconds())


async def _settled(h: BotHarness, timeout: float = 5.0) -> Any:
    """The one reminder job once no pass is pending (the scheduler fires no emulator events)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        jobs = _reminder_jobs(h)
        if len(jobs) == 1 and _in_seconds(jobs[0]) > 1:
            return jobs[0]
        assert asyncio.get_running_loop().time() < deadline, f"jobs: {jobs}"
        await asyncio.sleep(0.01)


async def _subscribed(h: BotHarness) -> None:
    await h.send(USER_ID, USER_ID, "/subscribe")


async def test_every_timed_job_is_a_named_job(harness: BotHarness) -> None:
    names = [job.name for job in describe_jobs(harness.app) if job.name not in ONCE]
    assert names == sorted([FEEDS_JOB, PRUNE_JOB, REMINDERS_JOB])
    assert all(job.next_run is not None for job in describe_jobs(harness.app))
    # Nothing to remind of: the wake-up still re-checks every MAX_SLEEP seconds.
    (job,) = _reminder_jobs(harness)
    assert MAX_SLEEP - 5 < _in_seconds(job) <= MAX_SLEEP


async def test_search_warmup_makes_the_vectors_after_start(harness: BotHarness) -> None:
    # Start-up itself leaves the model and the vectors alone (a thread making them would slow
    # it down); the one-off job makes them, so the first search finds them ready.
    assert harness.app.job_queue is not None
    for job in harness.app.job_queue.get_jobs_by_name(SEARCH_WARMUP_JOB):  # unless it has run
        await job.run(harness.app)
    assert harness.services.content.searcher.vectors_ready()


async def test_reminder_wakeup_is_one_job_replaced_on_reschedule(harness: BotHarness) -> None:
    await _subscribed(harness)
    now = harness.clock.now()
    # Default leads are 1 day and 2 hours: the 2-hour reminder falls due in 30 s.
    await harness.services.reminders.add_demo(
        NewDemo(starts_at=now + timedelta(hours=2, seconds=30), place="P", title="T")
    )
    job = await _settled(harness)
    assert 20 < _in_seconds(job) <= 30
    # A closer demonstration: the same one job, now sooner.
    await harness.services.reminders.add_demo(
        NewDemo(starts_at=now + timedelta(hours=2, seconds=12), place="P", title="U")
    )
    job = await _settled(harness)
    assert 2 < _in_seconds(job) <= 12


async def test_the_wakeup_fires_by_itself(harness: BotHarness) -> None:
    await _subscribed(harness)
    start = harness.clock.now() + timedelta(hours=2, seconds=1)
    await harness.services.reminders.add_demo(NewDemo(starts_at=start, place="P", title="T"))
    # The job is armed about 1 s ahead; the FakeClock reaches the due moment meanwhile.
    harness.clock.advance(timedelta(seconds=1))
    await harness.core.wait_for(
        lambda: any("Reminder" in (m.text or "") for m in harness.replies(USER_ID)), timeout=5
    )


async def test_a_poke_during_a_pass_is_not_lost(
    harness: BotHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    reminders = harness.services.reminders
    compute = reminders.schedule.next_due

    async def poked_meanwhile(now: datetime) -> datetime | None:
        reminders.poke()  # a change committed while the schedule was being computed
        return await compute(now)

    monkeypatch.setattr(reminders.schedule, "next_due", poked_meanwhile)
    await reminders.rebuild()
    (job,) = _reminder_jobs(harness)
    assert _in_seconds(job) < 1


async def test_a_failed_pass_is_retried(
    harness: BotHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    reminders = harness.services.reminders
    calls = 0

    async def broken() -> Any:
        nonlocal calls
        calls += 1
        raise RuntimeError("database is locked")

    monkeypatch.setattr(reminders, "tick", broken)
    reminders.poke()
    for _ in range(500):
        if calls >= 1 and len(_reminder_jobs(harness)) == 1:
            break
        await asyncio.sleep(0.01)
    (job,) = _reminder_jobs(harness)
    assert calls >= 1 and _in_seconds(job) <= 1.0


async def test_health_lists_jobs_and_a_missing_wakeup(harness: BotHarness) -> None:
    await harness.send(USER_ID, USER_ID, "/start")
    doc = await collect_health(harness.app)
    assert doc["ok"] is True, doc["problems"]
    jobs = {job["name"]: job["next_run"] for job in doc["scheduler"]["jobs"]}
    assert set(jobs) - ONCE == {FEEDS_JOB, PRUNE_JOB, REMINDERS_JOB}
    assert all(isinstance(when, str) for when in jobs.values())
    # The wake-up disappears (a dead reminder scheduler): /health says so once it is overdue.
    for job in _reminder_jobs(harness):
        job.schedule_removal()
    assert (await collect_health(harness.app))["ok"] is True  # a pass may be re-arming it
    harness.clock.advance(timedelta(minutes=3))
    doc = await collect_health(harness.app)
    assert "reminder wake-up not scheduled" in doc["problems"]
