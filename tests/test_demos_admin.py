"""Admin workflows end to end: one time reader everywhere, required fields, previews and
Save/Discard for edits and cancellations, coalesced notices saying what changed, restore."""

from __future__ import annotations

import pytest

from tests.harness import ADMIN_ID, BotHarness, add_demo, texts_of
from tests.outbox_helpers import SleepRecorder, fast_options


@pytest.fixture
def fast(monkeypatch: pytest.MonkeyPatch) -> SleepRecorder:
    return fast_options(monkeypatch)


def buttons(message: object) -> list[tuple[str, str]]:
    markup = getattr(message, "reply_markup", None) or {}
    return [
        (b["text"], b.get("callback_data", ""))
        for row in markup.get("inline_keyboard", [])
        for b in row
    ]


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
