"""Admin workflows end to end: one time reader everywhere, required fields, previews and
Save/Discard for edits and cancellations, coalesced notices saying what changed, restore."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.demos.service import COALESCE, UNDO_WINDOW
from tests.harness import (
    ADMIN_ID,
    GROUP_ID,
    OTHER_ID,
    USER_ID,
    BotHarness,
    add_demo,
    buttons,
    texts_of,
)
from tests.outbox_helpers import SleepRecorder


async def count_demos(h: BotHarness) -> int:
    cur = await h.services.db.conn.execute("SELECT count(*) FROM demos")
    row = await cur.fetchone()
    return int(row[0]) if row else 0


@pytest.mark.parametrize(
    "line",
    [
        "/adddemo tomorrow at 25:00 | Parliament Square | March",
        "/adddemo tomorrow 25:00 | Parliament Square | March",
        "/adddemo 2026-12-05 25:00 | Parliament Square | March",
    ],
)
async def test_adddemo_impossible_hour_refused_with_reason(
    fast: SleepRecorder, harness: BotHarness, line: str
) -> None:
    await harness.send(ADMIN_ID, ADMIN_ID, line)
    answer = texts_of(harness, ADMIN_ID)[-1]
    assert "“25:00” is not a time of day" in answer
    assert not buttons(harness.last(ADMIN_ID))  # no preview of a wrong time
    assert await count_demos(harness) == 0


async def test_guided_adddemo_impossible_hour_asks_again(
    fast: SleepRecorder, harness: BotHarness
) -> None:
    await harness.send(ADMIN_ID, ADMIN_ID, "/adddemo")
    await harness.send(ADMIN_ID, ADMIN_ID, "tomorrow 25:00")
    assert "“25:00” is not a time of day" in texts_of(harness, ADMIN_ID)[-1]
    await harness.send(ADMIN_ID, ADMIN_ID, "tomorrow 14:61")
    assert "“14:61” is not a time of day" in texts_of(harness, ADMIN_ID)[-1]
    await harness.send(ADMIN_ID, ADMIN_ID, "tomorrow 14:00")
    assert "Where?" in texts_of(harness, ADMIN_ID)[-1]


async def test_editdemo_impossible_hour_changes_nothing(
    fast: SleepRecorder, harness: BotHarness
) -> None:
    demo = await add_demo(harness, 30)
    before = await harness.services.demos.get(demo)
    for value in ("tomorrow 25:00", "tomorrow at 25:00", "2026-12-05 25:00"):
        await harness.send(ADMIN_ID, ADMIN_ID, f"/editdemo {demo} when {value}")
        assert "“25:00” is not a time of day" in texts_of(harness, ADMIN_ID)[-1]
        assert not buttons(harness.last(ADMIN_ID))
    assert await harness.services.demos.get(demo) == before


def test_feed_with_an_impossible_time_is_refused_not_shifted() -> None:
    from bot.feeds.errors import FeedError
    from bot.feeds.parse import parse_feed
    from tests.feedserver import vcalendar, vevent

    data = vcalendar(vevent("a@x", ":20261205T250000Z", "March"))
    with pytest.raises(FeedError) as caught:
        parse_feed(data, now=datetime(2026, 11, 21, tzinfo=UTC), default_timezone="UTC")
    assert caught.value.kind == "invalid"


# --- previews, Save / Discard, notices saying what changed, coalescing, restore ----------------
async def press(h: BotHarness, prefix: str, chat_id: int = ADMIN_ID) -> str:
    """Press the button whose data starts with prefix on the bot's last message to chat_id."""
    message = h.last(chat_id)
    data = next(d for _, d in buttons(message) if d.startswith(prefix))
    assert len(data.encode()) <= 64
    return await h.press(chat_id, ADMIN_ID, message.message_id, data)


def shown(h: BotHarness, chat_id: int = ADMIN_ID) -> str:
    """The current text of the bot's last message to chat_id (after any edit)."""
    return h.core.message(chat_id, h.last(chat_id).message_id).text or ""


async def flush(h: BotHarness) -> None:
    h.clock.advance(COALESCE)
    await h.services.demo_service.flush()


async def reminded_group(h: BotHarness, demo_hours: float, **kw: object) -> int:
    """A subscribed group reminded (24 h before) of a demo; its id."""
    h.core.group_chat(GROUP_ID)
    h.core.set_member(GROUP_ID, OTHER_ID, "administrator")
    await h.send(GROUP_ID, OTHER_ID, "/subscribe")
    demo = await add_demo(h, demo_hours, **kw)
    h.clock.set(h.clock.now() + timedelta(hours=demo_hours - 24))
    await h.services.reminders.tick()
    await h.core.wait_for(
        lambda: any("Reminder: starts" in t for t in texts_of(h, GROUP_ID)), what="reminder"
    )
    return demo


def notice_jobs(h: BotHarness) -> list[str]:
    return [
        job.name or ""
        for job in h.app.job_queue.jobs()
        if (job.name or "").startswith("demo-notice") and not job.removed
    ]


def notices(h: BotHarness, chat_id: int = GROUP_ID) -> list[str]:
    return [t for t in texts_of(h, chat_id) if "Reminder" not in t and "Subscribed" not in t]


async def test_editdemo_previews_old_to_new_and_discard_changes_nothing(
    fast: SleepRecorder, harness: BotHarness
) -> None:
    demo = await add_demo(harness, 30)
    before = await harness.services.demos.get(demo)
    await harness.send(ADMIN_ID, ADMIN_ID, f"/editdemo {demo} when 2026-11-23 15:00")
    assert "Time: Sun 22 Nov 18:00 → Mon 23 Nov 15:00" in shown(harness)
    assert await harness.services.demos.get(demo) == before  # nothing saved by a preview
    await press(harness, "demo:drop:")
    assert "demonstration #1 is unchanged" in shown(harness)
    assert await harness.services.demos.get(demo) == before
    await harness.send(ADMIN_ID, ADMIN_ID, f"/editdemo {demo} place Trafalgar Square")
    assert "Place: Parliament Square → Trafalgar Square" in shown(harness)
    await press(harness, "demo:save:")
    assert "updated" in shown(harness)
    after = await harness.services.demos.get(demo)
    assert after is not None and after.place == "Trafalgar Square"
    await harness.send(ADMIN_ID, ADMIN_ID, f"/editdemo {demo} place Trafalgar Square")
    assert "already has that value" in shown(harness)


async def test_two_quick_edits_send_one_notice_saying_what_changed(
    fast: SleepRecorder, harness: BotHarness
) -> None:
    demo = await reminded_group(harness, 363)  # Sun 6 Dec 2026 15:00 UTC
    await harness.send(ADMIN_ID, ADMIN_ID, f"/editdemo {demo} when 2026-12-06 16:00")
    await press(harness, "demo:save:")
    harness.clock.advance(timedelta(minutes=1))
    await harness.services.demo_service.flush()  # not due yet: the next edit joins it
    await harness.send(ADMIN_ID, ADMIN_ID, f"/editdemo {demo} place Trafalgar Square")
    await press(harness, "demo:save:")
    assert notice_jobs(harness) == [f"demo-notice-{demo}"]  # one wake-up, replaced
    await flush(harness)
    await harness.core.wait_for(lambda: bool(notices(harness)), what="change notice")
    await harness.services.demo_service.flush()
    told = notices(harness)
    assert len(told) == 1, told
    assert "Time: Sun 6 Dec 15:00 → 16:00" in told[0]
    assert "Place: Parliament Square → Trafalgar Square" in told[0]
    # A change and its undoing within the window: nobody is told anything.
    await harness.send(ADMIN_ID, ADMIN_ID, f"/editdemo {demo} title Vigil")
    await press(harness, "demo:save:")
    await harness.send(ADMIN_ID, ADMIN_ID, f"/editdemo {demo} title March")
    await press(harness, "demo:save:")
    assert await harness.services.demo_service.flush() == 0
    harness.clock.advance(COALESCE)
    assert await harness.services.demo_service.flush() == 0
    assert len(notices(harness)) == 1


async def test_pending_notice_survives_a_restart(fast: SleepRecorder, harness: BotHarness) -> None:
    demo = await reminded_group(harness, 30)
    await harness.send(ADMIN_ID, ADMIN_ID, f"/editdemo {demo} title Vigil for Gaza")
    await press(harness, "demo:save:")
    await harness.restart()
    assert notice_jobs(harness) == [f"demo-notice-{demo}"]  # re-armed from SQLite
    await flush(harness)
    await harness.core.wait_for(lambda: bool(notices(harness)), what="change notice")
    assert "Title: March → Vigil for Gaza" in notices(harness)[0]


async def test_canceldemo_previews_then_undo_tells_nobody(
    fast: SleepRecorder, harness: BotHarness
) -> None:
    demo = await reminded_group(harness, 30)
    await harness.send(ADMIN_ID, ADMIN_ID, f"/canceldemo {demo} police ban")
    assert "cancel demonstration #1?" in shown(harness) and "police ban" in shown(harness)
    stored = await harness.services.demos.get(demo)
    assert stored is not None and not stored.cancelled
    await press(harness, "demo:save:")
    stored = await harness.services.demos.get(demo)
    assert stored is not None and stored.cancelled
    assert "/restoredemo 1" in shown(harness)
    await press(harness, "demo:undo:")
    assert "restored" in shown(harness)
    stored = await harness.services.demos.get(demo)
    assert stored is not None and not stored.cancelled
    await flush(harness)
    assert notices(harness) == []  # the cancellation never went out, so nothing to take back


async def test_restoredemo_tells_the_chats_that_heard_of_the_cancellation(
    fast: SleepRecorder, harness: BotHarness
) -> None:
    demo = await reminded_group(harness, 30)
    await harness.send(USER_ID, USER_ID, "/start")
    card_chat = USER_ID
    await harness.send(card_chat, USER_ID, f"/demo {demo}")
    card = harness.last(card_chat)
    await harness.press(card_chat, USER_ID, card.message_id, f"demo:rsvp:{demo}")
    await harness.send(ADMIN_ID, ADMIN_ID, f"/canceldemo {demo}")
    await press(harness, "demo:save:")
    await flush(harness)
    await harness.core.wait_for(
        lambda: any("Cancelled" in t for t in texts_of(harness, USER_ID)), what="cancel notice"
    )
    await harness.services.reminders.tick()  # the RSVP clean-up keeps a restorable demo's
    # The Undo button has expired by now; /restoredemo still works.
    harness.clock.advance(UNDO_WINDOW)
    qid = await press(harness, "demo:undo:")
    assert (harness.core.callback_answers(qid) or {}).get("show_alert")
    await harness.send(ADMIN_ID, ADMIN_ID, f"/restoredemo {demo}")
    assert "restored" in texts_of(harness, ADMIN_ID)[-1]
    await flush(harness)
    for chat in (GROUP_ID, USER_ID):
        await harness.core.wait_for(
            lambda chat=chat: any("Back on" in t for t in texts_of(harness, chat)),
            what="restore notice",
        )
    assert await harness.services.demos.rsvp_count(demo) == 1
    await harness.send(ADMIN_ID, ADMIN_ID, f"/restoredemo {demo}")
    assert "is not cancelled" in texts_of(harness, ADMIN_ID)[-1]
    await harness.send(ADMIN_ID, ADMIN_ID, "/restoredemo")
    assert "/restoredemo number" in texts_of(harness, ADMIN_ID)[-1]


async def test_restore_after_start_refused(fast: SleepRecorder, harness: BotHarness) -> None:
    demo = await add_demo(harness, 2)
    await harness.send(ADMIN_ID, ADMIN_ID, f"/canceldemo {demo}")
    await press(harness, "demo:save:")
    harness.clock.advance(timedelta(hours=3))
    await harness.send(ADMIN_ID, ADMIN_ID, f"/restoredemo {demo}")
    assert "already begun" in texts_of(harness, ADMIN_ID)[-1]


async def test_restoredemo_refused_for_others(fast: SleepRecorder, harness: BotHarness) -> None:
    demo = await add_demo(harness, 30)
    await harness.send(ADMIN_ID, ADMIN_ID, f"/canceldemo {demo}")
    await press(harness, "demo:save:")
    await harness.send(USER_ID, USER_ID, f"/restoredemo {demo}")
    assert "only the bot's administrators" in texts_of(harness, USER_ID)[-1]
    stored = await harness.services.demos.get(demo)
    assert stored is not None and stored.cancelled


# --- required fields ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("command", "field"),
    [
        ("/editdemo 1 title -", "title"),
        ("/editdemo 1 place -", "place"),
        ("/editdemo 1 when -", "when"),
        ("/editdemo 1 zone -", "zone"),
        ("/editdemo 1 title", "title"),
    ],
)
async def test_required_fields_cannot_be_cleared(
    fast: SleepRecorder, harness: BotHarness, command: str, field: str
) -> None:
    await add_demo(harness, 30)
    before = await harness.services.demos.get(1)
    await harness.send(ADMIN_ID, ADMIN_ID, command)
    assert f"The {field} is required; it cannot be cleared." in texts_of(harness, ADMIN_ID)[-1]
    assert not buttons(harness.last(ADMIN_ID))
    assert await harness.services.demos.get(1) == before


async def test_optional_field_still_cleared_with_dash(
    fast: SleepRecorder, harness: BotHarness
) -> None:
    await add_demo(harness, 30, link="https://example.org/march")
    await harness.send(ADMIN_ID, ADMIN_ID, "/editdemo 1 link -")
    assert "Link: https://example.org/march → —" in shown(harness)
    await press(harness, "demo:save:")
    demo = await harness.services.demos.get(1)
    assert demo is not None and demo.link is None


async def test_concurrent_flushes_send_one_notice(fast: SleepRecorder, harness: BotHarness) -> None:
    import asyncio

    demo = await reminded_group(harness, 30)
    await harness.send(ADMIN_ID, ADMIN_ID, f"/editdemo {demo} title Vigil")
    await press(harness, "demo:save:")
    harness.clock.advance(COALESCE)
    service = harness.services.demo_service
    told = await asyncio.gather(service.flush(), service.flush(), service.flush())
    assert sum(told) == 1
    await harness.core.wait_for(lambda: bool(notices(harness)), what="change notice")
    assert len(notices(harness)) == 1
