"""Demonstrations end to end: adding (one line and guided), browsing, RSVPs, calendar, edits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

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

LINE = (
    "/adddemo 2026-12-05 14:00 | Parliament Square, London | Ceasefire now: national march"
    " | https://example.org/march | London"
)


async def save(h: BotHarness) -> None:
    """Press Save on the admin's last preview."""
    preview = h.last(ADMIN_ID)
    data = next(d for _, d in buttons(preview) if d.startswith("demo:save:"))
    await h.press(ADMIN_ID, ADMIN_ID, preview.message_id, data)


async def flush_notices(h: BotHarness) -> None:
    """Let the few minutes pass after which change notices go out."""
    from bot.demos.service import COALESCE

    h.clock.advance(COALESCE)
    await h.services.demo_service.flush()


async def count_demos(h: BotHarness) -> int:
    cur = await h.services.db.conn.execute("SELECT count(*) FROM demos")
    row = await cur.fetchone()
    return int(row[0]) if row else 0


async def test_adddemo_one_line_preview_and_save(fast: SleepRecorder, harness: BotHarness) -> None:
    await harness.send(ADMIN_ID, ADMIN_ID, LINE)
    preview = harness.last(ADMIN_ID)
    assert "Preview" in (preview.text or "") and "Ceasefire now" in (preview.text or "")
    assert await count_demos(harness) == 0
    save = next(data for _, data in buttons(preview) if data.startswith("demo:save:"))
    await harness.press(ADMIN_ID, ADMIN_ID, preview.message_id, save)
    assert "Saved as demonstration #1" in (
        harness.core.message(ADMIN_ID, preview.message_id).text or ""
    )
    demo = await harness.services.demos.get(1)
    assert demo is not None
    assert demo.starts_at == datetime(2026, 12, 5, 14, 0, tzinfo=UTC)
    assert demo.region == "london" and demo.link == "https://example.org/march"
    # The same button again does nothing more.
    qid = await harness.press(ADMIN_ID, ADMIN_ID, preview.message_id, save)
    assert (harness.core.callback_answers(qid) or {}).get("show_alert")
    assert await count_demos(harness) == 1


async def test_adddemo_discard(fast: SleepRecorder, harness: BotHarness) -> None:
    await harness.send(ADMIN_ID, ADMIN_ID, LINE)
    preview = harness.last(ADMIN_ID)
    drop = next(data for _, data in buttons(preview) if data.startswith("demo:drop:"))
    await harness.press(ADMIN_ID, ADMIN_ID, preview.message_id, drop)
    assert await count_demos(harness) == 0


async def test_adddemo_in_admin_time_zone(fast: SleepRecorder, harness: BotHarness) -> None:
    await harness.send(ADMIN_ID, ADMIN_ID, "/settings timezone Europe/Kyiv")
    await harness.send(ADMIN_ID, ADMIN_ID, "/adddemo tomorrow 14:00 | Maidan | Vigil")
    preview = harness.last(ADMIN_ID)
    assert "Sun 22 Nov 2026, 14:00 (Europe/Kyiv)" in (preview.text or "")
    save = next(data for _, data in buttons(preview) if data.startswith("demo:save:"))
    await harness.press(ADMIN_ID, ADMIN_ID, preview.message_id, save)
    demo = await harness.services.demos.get(1)
    assert demo is not None and demo.starts_at == datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ("banana | place | title", "can't read"),
        ("2020-01-01 10:00 | place | title", "in the past"),
        ("friday | place | title", "time of day"),
        ("2026-12-05 14:00", "place is missing"),
        ("2026-12-05 14:00 | place", "title is missing"),
        ("2026-12-05 14:00 | place | " + "t" * 121, "title is too long"),
        ("2026-12-05 14:00 | " + "p" * 201 + " | title", "place is too long"),
        ("2026-12-05 14:00 | place | title | example dot org", "not a link the bot can show"),
        ("2026-12-05 14:00 | place | title | ftp://example.org/x", "not a link the bot can show"),
        ("2026-12-05 14:00 | place | title | https://e.org | a/b", "A region is one short name"),
        ("2026-12-05 14:00 | p | t | https://e.org | r | x", "Too many parts"),
    ],
)
async def test_adddemo_bad_input_stores_nothing(
    fast: SleepRecorder, harness: BotHarness, args: str, expected: str
) -> None:
    await harness.send(ADMIN_ID, ADMIN_ID, f"/adddemo {args}")
    assert expected in texts_of(harness, ADMIN_ID)[-1]
    assert not buttons(harness.last(ADMIN_ID))
    assert await count_demos(harness) == 0


async def test_admin_commands_refused_for_others(fast: SleepRecorder, harness: BotHarness) -> None:
    demo = await add_demo(harness, 30)
    for command in (LINE, "/adddemo", f"/editdemo {demo} title X", f"/canceldemo {demo}"):
        await harness.send(USER_ID, USER_ID, command)
        assert "only the bot's administrators" in texts_of(harness, USER_ID)[-1]
        harness.core.group_chat(GROUP_ID)
        harness.core.set_member(GROUP_ID, OTHER_ID, "administrator")  # group admin, not bot admin
        await harness.send(GROUP_ID, OTHER_ID, command)
        assert "only the bot's administrators" in texts_of(harness, GROUP_ID)[-1]
    stored = await harness.services.demos.get(demo)
    assert stored is not None and stored.title == "March" and not stored.cancelled
    assert await count_demos(harness) == 1


async def test_guided_adddemo(fast: SleepRecorder, harness: BotHarness) -> None:
    await harness.send(ADMIN_ID, ADMIN_ID, "/adddemo")
    assert "When?" in texts_of(harness, ADMIN_ID)[-1]
    await harness.send(ADMIN_ID, ADMIN_ID, "whenever")
    assert "can't read" in texts_of(harness, ADMIN_ID)[-1]
    await harness.send(ADMIN_ID, ADMIN_ID, "5 Dec 14:00")
    assert "Where?" in texts_of(harness, ADMIN_ID)[-1]
    await harness.send(ADMIN_ID, ADMIN_ID, "Trafalgar Square")
    await harness.send(ADMIN_ID, ADMIN_ID, "Vigil for Gaza")
    await harness.send(ADMIN_ID, ADMIN_ID, "not-a-link")
    assert "not a link the bot can show" in texts_of(harness, ADMIN_ID)[-1]
    await harness.send(ADMIN_ID, ADMIN_ID, "/skip")
    await harness.send(ADMIN_ID, ADMIN_ID, "London")
    await harness.send(ADMIN_ID, ADMIN_ID, "Meet at the lions; legal observers 0700")
    preview = harness.last(ADMIN_ID)
    assert "Preview" in (preview.text or "") and "legal observers" in (preview.text or "")
    save = next(data for _, data in buttons(preview) if data.startswith("demo:save:"))
    await harness.press(ADMIN_ID, ADMIN_ID, preview.message_id, save)
    demo = await harness.services.demos.get(1)
    assert demo is not None
    assert (demo.place, demo.title, demo.link, demo.region) == (
        "Trafalgar Square",
        "Vigil for Gaza",
        None,
        "london",
    )
    assert demo.details == "Meet at the lions; legal observers 0700"


async def test_guided_adddemo_cancel(fast: SleepRecorder, harness: BotHarness) -> None:
    await harness.send(ADMIN_ID, ADMIN_ID, "/adddemo")
    await harness.send(ADMIN_ID, ADMIN_ID, "tomorrow 14:00")
    await harness.send(ADMIN_ID, ADMIN_ID, "/cancel")
    assert "nothing was saved" in texts_of(harness, ADMIN_ID)[-1]
    await harness.send(ADMIN_ID, ADMIN_ID, "Trafalgar Square")  # no longer in the conversation
    assert await count_demos(harness) == 0


async def test_demos_pages_and_region_filter(fast: SleepRecorder, harness: BotHarness) -> None:
    for i in range(7):
        await add_demo(harness, 24 + i, title=f"Demo number {i}")
    await add_demo(harness, 50, title="Leeds only", region="leeds")
    await harness.send(USER_ID, USER_ID, "/demos")
    page = harness.last(USER_ID)
    assert "(1/2)" in (page.text or "") and "Demo number 0" in (page.text or "")
    assert ("▶", "demo:page:1") in buttons(page)
    await harness.press(USER_ID, USER_ID, page.message_id, "demo:page:1")
    page2 = harness.core.message(USER_ID, page.message_id)
    assert "(2/2)" in (page2.text or "") and "Leeds only" in (page2.text or "")
    assert ("◀", "demo:page:0") in buttons(page2)
    await harness.send(USER_ID, USER_ID, "/settings region london")
    await harness.send(USER_ID, USER_ID, "/demos")
    assert "Leeds only" not in texts_of(harness, USER_ID)[-1]
    assert "(1/2)" in texts_of(harness, USER_ID)[-1]  # national demos still listed


async def test_demos_none_and_demo_usage(fast: SleepRecorder, harness: BotHarness) -> None:
    await harness.send(USER_ID, USER_ID, "/demos")
    assert "No upcoming demonstrations" in texts_of(harness, USER_ID)[-1]
    await harness.send(USER_ID, USER_ID, "/demo")
    assert "/demo number" in texts_of(harness, USER_ID)[-1]
    await harness.send(USER_ID, USER_ID, "/demo 99")
    assert "no demonstration number 99" in texts_of(harness, USER_ID)[-1]


async def test_rsvp_toggles_per_user_and_details_stay_private(
    fast: SleepRecorder, harness: BotHarness
) -> None:
    demo = await add_demo(harness, 30, details="Gate B, step-free")
    harness.core.group_chat(GROUP_ID)
    await harness.send(GROUP_ID, USER_ID, f"/demo {demo}")
    card = harness.last(GROUP_ID)
    assert "Gate B" not in (card.text or "")
    assert ("Going ✋ 0", f"demo:rsvp:{demo}") in buttons(card)
    presses = (
        (USER_ID, "rsvp", 1),
        (OTHER_ID, "rsvp", 2),
        (USER_ID, "cant", 1),
        (USER_ID, "rsvp", 2),
        (USER_ID, "rsvp", 2),  # pressing Going again keeps the answer: no hidden toggle
    )
    for user, action, expected in presses:
        await harness.press(GROUP_ID, user, card.message_id, f"demo:{action}:{demo}")
        current = harness.core.message(GROUP_ID, card.message_id)
        assert (f"Going ✋ {expected}", f"demo:rsvp:{demo}") in buttons(current)
    assert await harness.services.demos.rsvp_count(demo) == 2
    # Nobody's name is ever shown, only the count.
    assert "User" not in (harness.core.message(GROUP_ID, card.message_id).text or "")
    # In private, someone who is going sees the practical details; others do not.
    await harness.send(USER_ID, USER_ID, f"/demo {demo}")
    assert "Gate B, step-free" in texts_of(harness, USER_ID)[-1]
    await harness.send(ADMIN_ID + 7, ADMIN_ID + 7, f"/demo {demo}")
    assert "Gate B" not in texts_of(harness, ADMIN_ID + 7)[-1]


async def test_rsvp_after_start_is_refused(fast: SleepRecorder, harness: BotHarness) -> None:
    demo = await add_demo(harness, 1)
    await harness.send(USER_ID, USER_ID, f"/demo {demo}")
    card = harness.last(USER_ID)
    harness.clock.advance(timedelta(hours=2))
    qid = await harness.press(USER_ID, USER_ID, card.message_id, f"demo:rsvp:{demo}")
    assert "over" in str((harness.core.callback_answers(qid) or {}).get("text"))
    assert await harness.services.demos.rsvp_count(demo) == 0


async def test_add_to_calendar_sends_ics(fast: SleepRecorder, harness: BotHarness) -> None:
    from icalendar import Calendar

    demo_id = await add_demo(harness, 30, details="secret meeting point")
    await harness.send(USER_ID, USER_ID, f"/demo {demo_id}")
    card = harness.last(USER_ID)
    await harness.press(USER_ID, USER_ID, card.message_id, f"demo:ics:{demo_id}")
    doc = harness.last(USER_ID)
    assert doc.method.lower() == "senddocument" and doc.files
    data = doc.files[0].data
    assert doc.files[0].file_name.endswith(".ics") if hasattr(doc.files[0], "file_name") else True
    event = next(iter(Calendar.from_ical(data).walk("VEVENT")))
    demo = await harness.services.demos.get(demo_id)
    assert demo is not None and str(event["UID"]) == demo.uid
    assert b"secret meeting point" not in data
    # Pressed again: the same UID (calendar apps update rather than duplicate).
    await harness.press(USER_ID, USER_ID, card.message_id, f"demo:ics:{demo_id}")
    again = next(iter(Calendar.from_ical(harness.last(USER_ID).files[0].data).walk("VEVENT")))
    assert str(again["UID"]) == demo.uid


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("/editdemo", "/editdemo number field value"),
        ("/editdemo 1 colour red", "/editdemo number field value"),
        ("/editdemo 99 title X", "no demonstration number 99"),
        ("/editdemo 1 when yesterday 10:00", "in the past"),
        ("/editdemo 1 when soonish", "can't read"),
        ("/editdemo 1 link nope", "not a link the bot can show"),
        ("/editdemo 1 title " + "x" * 130, "title is too long"),
        ("/canceldemo", "/canceldemo number"),
        ("/canceldemo abc", "no demonstration number abc"),
        ("/canceldemo 1 " + "r" * 301, "reason is too long"),
    ],
)
async def test_edit_and_cancel_bad_input(
    fast: SleepRecorder, harness: BotHarness, command: str, expected: str
) -> None:
    await add_demo(harness, 30)
    await harness.send(ADMIN_ID, ADMIN_ID, command)
    assert expected in texts_of(harness, ADMIN_ID)[-1]
    demo = await harness.services.demos.get(1)
    assert demo is not None and demo.title == "March" and not demo.cancelled


async def test_edit_and_cancel_send_notices_to_reminded_chats(
    fast: SleepRecorder, harness: BotHarness
) -> None:
    harness.core.group_chat(GROUP_ID)
    harness.core.set_member(GROUP_ID, OTHER_ID, "administrator")
    await harness.send(GROUP_ID, OTHER_ID, "/subscribe")
    await harness.send(USER_ID, USER_ID, "/subscribe")
    await harness.send(USER_ID, USER_ID, "/settings remind 2h")  # not reminded at 24 h
    demo = await add_demo(harness, 30)
    harness.clock.advance(timedelta(hours=6))
    await harness.services.reminders.tick()
    await harness.core.wait_for(
        lambda: any("Reminder: starts" in t for t in texts_of(harness, GROUP_ID)), what="reminder"
    )
    await harness.send(ADMIN_ID, ADMIN_ID, f"/editdemo {demo} when 2026-11-23 15:00")
    await save(harness)
    assert "updated" in (
        harness.core.message(ADMIN_ID, harness.last(ADMIN_ID).message_id).text or ""
    )
    await flush_notices(harness)
    await harness.core.wait_for(
        lambda: any("Changed" in t for t in texts_of(harness, GROUP_ID)), what="moved notice"
    )
    assert any("Mon 23 Nov 2026, 15:00 (UTC)" in t for t in texts_of(harness, GROUP_ID))
    await harness.send(ADMIN_ID, ADMIN_ID, f"/canceldemo {demo} police ban")
    await save(harness)
    await flush_notices(harness)
    await harness.core.wait_for(
        lambda: any("Cancelled" in t for t in texts_of(harness, GROUP_ID)), what="cancel notice"
    )
    assert any("police ban" in t for t in texts_of(harness, GROUP_ID))
    assert not any("Changed" in t or "Cancelled" in t for t in texts_of(harness, USER_ID))
    await harness.send(ADMIN_ID, ADMIN_ID, f"/canceldemo {demo}")
    assert "already cancelled" in texts_of(harness, ADMIN_ID)[-1]
    # Nothing more for a cancelled demo.
    harness.clock.set(datetime(2026, 11, 23, 13, 0, tzinfo=UTC))
    stats = await harness.services.reminders.tick()
    assert stats.reminders == 0
