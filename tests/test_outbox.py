"""The outbox end to end: real Application, fake Bot API over HTTP, each error path."""

from __future__ import annotations

import random

import pytest

from bot.emulator import FaultKind, RateLimits
from tests.harness import ADMIN_ID, BotHarness
from tests.outbox_helpers import SleepRecorder, broadcast, fast_options, received, subscribe

pytestmark = pytest.mark.asyncio

WAIT = 20.0


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> SleepRecorder:
    return fast_options(monkeypatch)


async def test_delivers_once_to_every_chat_and_records_it(
    sleeps: SleepRecorder, harness: BotHarness
) -> None:
    chats = [3000 + i for i in range(30)] + [-100500 - i for i in range(10)]
    await subscribe(harness, chats)
    outbox = harness.services.outbox
    bid = await broadcast(harness, chats, "<b>Hello</b> all")
    await outbox.wait_finished(bid, WAIT)
    assert received(harness, chats, "Hello") == {c: 1 for c in chats}
    row = await outbox.repo.get(bid)
    assert row is not None
    assert (row.status, row.total, row.sent, row.failed, row.gone) == ("done", 40, 40, 0, 0)
    states = await outbox.repo.delivery_states(bid)
    assert set(states.values()) == {"sent"}
    assert harness.core.message(chats[0], harness.core.sent_to(chats[0])[0].message_id)


async def test_retry_after_pauses_everyone_for_exactly_retry_after(
    sleeps: SleepRecorder, harness: BotHarness
) -> None:
    chats = [3100 + i for i in range(10)]
    await subscribe(harness, chats)
    harness.core.faults.add("sendMessage", chat_id=chats[3], kind="429", retry_after=7)
    bid = await broadcast(harness, chats, "flood")
    await harness.services.outbox.wait_finished(bid, WAIT)
    assert received(harness, chats, "flood") == {c: 1 for c in chats}
    assert 7.0 in sleeps.calls  # the global pause lasted exactly retry_after
    assert harness.services.outbox.stats["floods"] == 1
    row = await harness.services.outbox.repo.get(bid)
    assert row is not None and row.sent == 10 and row.failed == 0


@pytest.mark.parametrize("kind", ["500", "502", "timeout", "drop"])
async def test_transient_errors_are_retried_with_backoff(
    kind: FaultKind, sleeps: SleepRecorder, harness: BotHarness
) -> None:
    chats = [3200 + i for i in range(5)]
    await subscribe(harness, chats)
    harness.core.faults.add("sendMessage", chat_id=chats[1], kind=kind, times=2)
    bid = await broadcast(harness, chats, "transient")
    await harness.services.outbox.wait_finished(bid, WAIT)
    assert received(harness, chats, "transient") == {c: 1 for c in chats}
    # two failures: backoff 0.5 then 1.0 (with jitter between half and all of it)
    backoffs = [s for s in sleeps.calls if s > 0]
    assert len(backoffs) == 2 and 0.25 <= backoffs[0] <= 0.5 and 0.5 <= backoffs[1] <= 1.0
    states = await harness.services.outbox.repo.delivery_states(bid)
    assert states[chats[1]] == "sent"


async def test_persistent_server_errors_end_as_failed(
    sleeps: SleepRecorder, harness: BotHarness
) -> None:
    chats = [3300 + i for i in range(4)]
    await subscribe(harness, chats)
    harness.core.faults.add("sendMessage", chat_id=chats[0], kind="500", times=-1)
    bid = await broadcast(harness, chats, "bounded")
    await harness.services.outbox.wait_finished(bid, WAIT)
    row = await harness.services.outbox.repo.get(bid)
    assert row is not None and (row.sent, row.failed) == (3, 1)
    calls = [c for c in harness.core.calls_for("sendMessage") if c.params["chat_id"] == chats[0]]
    assert len(calls) == harness.services.outbox.options.max_attempts
    chat = await harness.services.chats.get(chats[0])
    assert chat is not None and chat.active  # a failing server is not the chat's fault


async def test_blocked_kicked_and_missing_chats_become_inactive_without_retry(
    sleeps: SleepRecorder, harness: BotHarness
) -> None:
    blocked, kicked, ok, missing = 3401, -1003402, 3403, 3404
    await subscribe(harness, [blocked, kicked, ok, missing])
    harness.core.block(blocked)
    harness.core.set_member(kicked, harness.core.bot_id, "kicked")
    del harness.core.chats[missing]  # Telegram answers "chat not found"
    bid = await broadcast(harness, [blocked, kicked, ok, missing], "gone?")
    await harness.services.outbox.wait_finished(bid, WAIT)
    row = await harness.services.outbox.repo.get(bid)
    assert row is not None and (row.sent, row.gone, row.failed) == (1, 3, 0)
    for chat_id in (blocked, kicked, missing):
        chat = await harness.services.chats.get(chat_id)
        assert chat is not None and not chat.active
        tries = [c for c in harness.core.calls_for("sendMessage") if c.params["chat_id"] == chat_id]
        assert len(tries) == 1
    assert [s for s in sleeps.calls if s > 0] == []
    # Inactive chats are no longer targeted.
    targets = await harness.services.outbox.repo.target_chats()
    assert [c.chat_id for c in targets] == [ok]


async def test_migrated_group_is_moved_and_delivered_at_the_new_id(
    sleeps: SleepRecorder, harness: BotHarness
) -> None:
    old, new = -3500, -1003500
    await subscribe(harness, [old, 3501])
    harness.core.group_chat(new)
    harness.core.chats[old].migrated_to = new
    bid = await broadcast(harness, [old, 3501], "moved")
    await harness.services.outbox.wait_finished(bid, WAIT)
    assert received(harness, [new, 3501], "moved") == {new: 1, 3501: 1}
    assert await harness.services.chats.get(old) is None
    moved = await harness.services.chats.get(new)
    assert moved is not None and moved.subscribed and moved.active
    states = await harness.services.outbox.repo.delivery_states(bid)
    assert states == {new: "sent", 3501: "sent"}


async def test_fault_storm_delivers_every_chat_exactly_once(
    sleeps: SleepRecorder, harness: BotHarness
) -> None:
    rng = random.Random(20261121)
    chats = [4000 + i for i in range(150)] + [-1004000 - i for i in range(50)]
    await subscribe(harness, chats)
    faulty = 0
    for chat_id in chats:
        if rng.random() < 0.10:
            faulty += 1
            # timeouts are held (never delivered) until the client gives up
            kinds: list[FaultKind] = ["500", "502", "timeout", "drop"]
            kind = rng.choice(kinds)
            times = rng.randint(1, 3)
            harness.core.faults.add("sendMessage", chat_id=chat_id, kind=kind, times=times)
    assert faulty >= 10
    bid = await broadcast(harness, chats, "storm")
    await harness.services.outbox.wait_finished(bid, 60)
    assert received(harness, chats, "storm") == {c: 1 for c in chats}
    row = await harness.services.outbox.repo.get(bid)
    assert row is not None and (row.sent, row.failed, row.gone) == (200, 0, 0)


async def test_restart_mid_broadcast_resumes_without_duplicates(
    sleeps: SleepRecorder, harness: BotHarness
) -> None:
    chats = [5000 + i for i in range(60)]
    await subscribe(harness, chats)
    # The second half is held by the fake server (as if Telegram stalled) ...
    for chat_id in chats[30:]:
        harness.core.faults.add("sendMessage", chat_id=chat_id, kind="timeout", times=1)
    outbox = harness.services.outbox
    outbox.options.send_timeout = 30  # ... and the bot is stopped while waiting for it
    bid = await broadcast(harness, chats, "resume")
    await harness.core.wait_for(lambda: len(received(harness, chats[:30], "resume")) == 30, 10)
    await harness.restart()
    await harness.services.outbox.wait_finished(bid, WAIT)
    assert received(harness, chats, "resume") == {c: 1 for c in chats}
    row = await harness.services.outbox.repo.get(bid)
    assert row is not None and (row.status, row.sent) == ("done", 60)


async def test_reminders_overtake_announcements(sleeps: SleepRecorder, harness: BotHarness) -> None:
    chats = [5100 + i for i in range(300)]
    await subscribe(harness, chats)
    outbox = harness.services.outbox
    low = await broadcast(harness, chats, "news")
    high = await broadcast(harness, chats[:20], "reminder", priority=10)
    await outbox.wait_finished(high, WAIT)
    news_so_far = sum(received(harness, chats, "news").values())
    assert news_so_far < 300
    await outbox.wait_finished(low, WAIT)
    assert received(harness, chats, "news") == {c: 1 for c in chats}


async def test_rate_limits_are_kept_with_no_429(
    monkeypatch: pytest.MonkeyPatch, harness: BotHarness
) -> None:
    fast_options(monkeypatch)
    # scaled-down Telegram: 100/s overall, 1/s per chat, 20/min per group
    harness.core.limits = RateLimits(per_second_global=100, per_minute_group=20, per_second_chat=1)
    monkeypatch.setenv("OUTBOX_PER_SECOND", "100")
    monkeypatch.setenv("OUTBOX_PER_SECOND_CHAT", "1")
    monkeypatch.setenv("OUTBOX_PER_MINUTE_GROUP", "20")
    await harness.restart()
    chats = [6000 + i for i in range(150)] + [-1006000]
    await subscribe(harness, chats)
    first = await broadcast(harness, chats, "limits one")
    second = await broadcast(harness, chats[-3:], "limits two")  # same chats again: per-chat
    await harness.services.outbox.wait_finished(first, WAIT)
    await harness.services.outbox.wait_finished(second, WAIT)
    assert harness.core.stats.too_many_requests == 0
    assert received(harness, chats[-3:], "limits") == {c: 2 for c in chats[-3:]}
    assert ADMIN_ID not in chats
