"""The venue's time zone end to end: shown first with the chat's time in brackets, editable,
counted down right across zones, carried by feeds and by export/import."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.harness import ADMIN_ID, USER_ID, BotHarness, buttons, texts_of
from tests.outbox_helpers import SleepRecorder
from tests.test_demos_admin import press, shown


# --- the venue's time zone ------------------------------------------------------------------
async def _add_line(h: BotHarness, zone: str, line: str) -> int:
    await h.send(ADMIN_ID, ADMIN_ID, f"/settings timezone {zone}")
    await h.send(ADMIN_ID, ADMIN_ID, f"/adddemo {line}")
    await press(h, "demo:save:")
    cur = await h.services.db.conn.execute("SELECT max(id) FROM demos")
    row = await cur.fetchone()
    assert row is not None
    return int(row[0])


async def test_london_march_shown_in_london_time_in_a_utc_chat(
    fast: SleepRecorder, harness: BotHarness
) -> None:
    demo = await _add_line(
        harness, "Europe/London", "2027-06-05 14:00 | Parliament Square | Ceasefire now"
    )
    stored = await harness.services.demos.get(demo)
    assert stored is not None and stored.timezone == "Europe/London"
    assert stored.starts_at == datetime(2027, 6, 5, 13, 0, tzinfo=UTC)
    await harness.send(USER_ID, USER_ID, f"/demo {demo}")
    assert "Sat 5 Jun 2027, 14:00 Europe/London (13:00 UTC)" in texts_of(harness, USER_ID)[-1]
    await harness.send(USER_ID, USER_ID, "/demos")
    assert "14:00 Europe/London (13:00 UTC)" in texts_of(harness, USER_ID)[-1]


async def test_manchester_vigil_in_a_kyiv_chat(fast: SleepRecorder, harness: BotHarness) -> None:
    demo = await _add_line(
        harness, "Europe/London", "2026-12-05 20:30 | Piccadilly Gardens, Manchester | Vigil"
    )
    await harness.send(USER_ID, USER_ID, "/settings timezone Europe/Kyiv")
    await harness.send(USER_ID, USER_ID, f"/demo {demo}")
    text = texts_of(harness, USER_ID)[-1]
    assert "Sat 5 Dec 2026, 20:30 Europe/London (22:30 Europe/Kyiv)" in text
    # A chat in the venue's zone sees no brackets.
    await harness.send(ADMIN_ID, ADMIN_ID, f"/demo {demo}")
    assert "Sat 5 Dec 2026, 20:30 (Europe/London)" in texts_of(harness, ADMIN_ID)[-1]


async def test_editdemo_zone_keeps_the_local_time(fast: SleepRecorder, harness: BotHarness) -> None:
    demo = await _add_line(harness, "Europe/Kyiv", "2026-12-05 14:00 | Parliament Square | March")
    await harness.send(ADMIN_ID, ADMIN_ID, f"/editdemo {demo} zone europe/london")
    preview = shown(harness)
    assert "Time zone: Europe/Kyiv → Europe/London" in preview
    assert "Time: Sat 5 Dec 12:00 → 14:00" in preview
    await press(harness, "demo:save:")
    stored = await harness.services.demos.get(demo)
    assert stored is not None and stored.timezone == "Europe/London"
    assert stored.starts_at == datetime(2026, 12, 5, 14, 0, tzinfo=UTC)
    # Later times are read in the venue's zone, whatever the admin's own.
    await harness.send(ADMIN_ID, ADMIN_ID, f"/editdemo {demo} when 2026-12-05 15:00")
    await press(harness, "demo:save:")
    stored = await harness.services.demos.get(demo)
    assert stored is not None and stored.starts_at == datetime(2026, 12, 5, 15, 0, tzinfo=UTC)
    await harness.send(ADMIN_ID, ADMIN_ID, f"/editdemo {demo} zone Mars/Olympus")
    assert not buttons(harness.last(ADMIN_ID))


async def test_reminder_counts_down_in_the_right_zone(
    fast: SleepRecorder, harness: BotHarness
) -> None:
    demo = await _add_line(
        harness, "Europe/London", "2027-06-05 14:00 | Parliament Square | Ceasefire now"
    )
    await harness.send(USER_ID, USER_ID, "/settings timezone Europe/Kyiv")
    await harness.send(USER_ID, USER_ID, "/settings remind 2h")
    await harness.send(USER_ID, USER_ID, "/subscribe")
    harness.clock.set(datetime(2027, 6, 5, 10, 0, tzinfo=UTC))  # 11:00 London, 3 h before
    await harness.services.reminders.tick()
    assert not any("starts in" in t for t in texts_of(harness, USER_ID))
    harness.clock.set(datetime(2027, 6, 5, 11, 0, tzinfo=UTC))  # 12:00 London
    await harness.services.reminders.tick()
    await harness.core.wait_for(
        lambda: any("starts in" in t for t in texts_of(harness, USER_ID)), what="reminder"
    )
    text = next(t for t in texts_of(harness, USER_ID) if "starts in" in t)
    assert "starts in 2 hours" in text
    assert "14:00 Europe/London (16:00 Europe/Kyiv)" in text
    assert demo == 1


def test_feed_events_carry_their_own_zone() -> None:
    from bot.feeds.parse import parse_feed
    from tests.feedserver import vcalendar, vevent

    data = vcalendar(
        vevent("m@x", ";TZID=Europe/London:20261205T140000", "March"),
        vevent("k@x", ";TZID=Europe/Kyiv:20261210T180000", "Vigil"),
        vevent("u@x", ":20261205T140000Z", "UTC one"),
    )
    now = datetime(2026, 11, 21, tzinfo=UTC)
    parsed = parse_feed(data, now=now, default_timezone="Europe/Paris")
    events = {e.uid: e for e in parsed.events}
    assert events["m@x"].timezone == "Europe/London"
    assert events["k@x"].timezone == "Europe/Kyiv"
    assert events["u@x"].timezone == "Europe/Paris"  # no zone of its own: the calendar's


def _document(**demo: object) -> str:
    import json

    item = {"uid": "u@x", "starts_at": "2026-12-05T14:00:00+00:00", "place": "p", "title": "t"}
    item.update(demo)  # type: ignore[arg-type]
    return json.dumps({"format": "solidarity-bot-export", "version": 1, "demos": [item]})


async def test_import_keeps_the_venue_zone_and_refuses_an_impossible_hour(tmp_path: Path) -> None:
    import json

    from storage.transfer import TransferError, export_json, import_json

    db_path = tmp_path / "bot.sqlite3"
    now = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
    await import_json(db_path, _document(timezone="Europe/London"), now)
    exported = json.loads(await export_json(db_path, now))
    assert exported["demos"][0]["timezone"] == "Europe/London"
    await import_json(db_path, _document(), now)  # an older export, with no zone: accepted
    for bad, field in (
        (_document(starts_at="2026-12-05T25:00:00+00:00"), "starts_at"),
        (_document(timezone="Mars/Olympus"), "timezone"),
    ):
        with pytest.raises(TransferError, match=rf"demos\[0\]\.{field}"):
            await import_json(db_path, bad, now)
