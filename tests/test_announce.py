"""/announce, /broadcasts, /stopbroadcast, /stats end to end through the fake Bot API."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from bot.emulator import SentMessage
from bot.telegram.render import MAX_CALLBACK_BYTES
from tests.harness import ADMIN_ID, USER_ID, BotHarness
from tests.outbox_helpers import SleepRecorder, fast_options, received, subscribe

pytestmark = pytest.mark.asyncio

WAIT = 20.0


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> SleepRecorder:
    return fast_options(monkeypatch)


async def _count_broadcasts(h: BotHarness) -> int:
    cur = await h.services.db.conn.execute("SELECT count(*) FROM broadcasts")
    row = await cur.fetchone()
    return int(row[0]) if row else 0


def _confirm(h: BotHarness) -> SentMessage:
    message = h.last(ADMIN_ID)
    assert [b["callback_data"].split(":")[1] for b in message.buttons()] == ["send", "cancel"]
    for button in message.buttons():
        assert len(button["callback_data"].encode()) <= MAX_CALLBACK_BYTES
    return message


def _data(message: SentMessage, action: str) -> str:
    return next(
        str(b["callback_data"]) for b in message.buttons() if f":{action}:" in b["callback_data"]
    )


async def _wait_all_finished(h: BotHarness) -> None:
    await h.core.wait_for(lambda: not h.services.outbox.active_ids, WAIT)
    for b in await h.services.outbox.repo.recent(50):
        await h.services.outbox.wait_finished(b.id, WAIT)


async def test_non_admins_are_refused_and_nothing_is_queued(
    sleeps: SleepRecorder, harness: BotHarness
) -> None:
    await subscribe(harness, [7001, 7002])
    for command in ("/announce hello", "/broadcasts", "/stopbroadcast 1", "/stats"):
        await harness.send(USER_ID, USER_ID, command)
        assert "only the bot's administrators" in (harness.last(USER_ID).text or "")
    assert await _count_broadcasts(harness) == 0
    assert received(harness, [7001, 7002]) == {}


async def test_announce_previews_then_sends_exactly_that(
    sleeps: SleepRecorder, harness: BotHarness
) -> None:
    chats = [7101, 7102, -1007103]
    await subscribe(harness, chats)
    await harness.send(ADMIN_ID, ADMIN_ID, "/announce March on <Saturday> & bring flags")
    preview = harness.replies(ADMIN_ID)[-2]
    assert preview.text == "March on <Saturday> & bring flags"
    confirm = _confirm(harness)
    send = _data(confirm, "send")
    assert "3" in (confirm.text or "")
    assert received(harness, chats) == {}  # nothing before Send
    # Someone else pressing Send is refused and changes nothing.
    query = await harness.press(ADMIN_ID, USER_ID, confirm.message_id, send)
    answer = harness.core.callback_answers(query)
    assert answer is not None and answer.get("show_alert")
    assert not harness.services.outbox.active_ids
    await harness.press(ADMIN_ID, ADMIN_ID, confirm.message_id, send)
    await _wait_all_finished(harness)
    for chat_id in chats:
        got = harness.replies(chat_id)
        assert [m.text for m in got] == ["March on <Saturday> & bring flags"]
        assert got[0].source_text == preview.source_text  # the same HTML as the preview
    final = harness.core.message(ADMIN_ID, confirm.message_id)
    assert "finished" in (final.text or "") and "3 / 3" in (final.text or "")
    # A second press (double tap) does not send again.
    await harness.press(ADMIN_ID, ADMIN_ID, confirm.message_id, send)
    await _wait_all_finished(harness)
    assert received(harness, chats) == {c: 1 for c in chats}


async def test_cancel_sends_nothing(sleeps: SleepRecorder, harness: BotHarness) -> None:
    await subscribe(harness, [7201])
    await harness.send(ADMIN_ID, ADMIN_ID, "/announce never mind")
    confirm = _confirm(harness)
    send = _data(confirm, "send")
    await harness.press(ADMIN_ID, ADMIN_ID, confirm.message_id, _data(confirm, "cancel"))
    assert "Cancelled" in (harness.core.message(ADMIN_ID, confirm.message_id).text or "")
    await harness.press(ADMIN_ID, ADMIN_ID, confirm.message_id, send)
    assert received(harness, [7201]) == {}
    assert await harness.services.outbox.repo.recent() == []


async def test_region_filter_targets_only_that_region(
    sleeps: SleepRecorder, harness: BotHarness
) -> None:
    await subscribe(harness, [7301, 7302], region="london")
    await subscribe(harness, [7303], region="paris")
    await subscribe(harness, [7304])
    await harness.send(ADMIN_ID, ADMIN_ID, "/announce region=London Meet at Trafalgar")
    confirm = _confirm(harness)
    assert "london" in (confirm.text or "")
    await harness.press(ADMIN_ID, ADMIN_ID, confirm.message_id, _data(confirm, "send"))
    await _wait_all_finished(harness)
    assert received(harness, [7301, 7302, 7303, 7304]) == {7301: 1, 7302: 1}
    assert harness.last(7301).text == "Meet at Trafalgar"


async def test_reply_announces_a_copy_of_a_photo(
    sleeps: SleepRecorder, harness: BotHarness
) -> None:
    chats = [7401, -1007402]
    await subscribe(harness, chats)
    core = harness.core
    core.private_chat(ADMIN_ID)
    photo = core.add_file("poster.png", b"\x89PNG fake", "image/png", "photos")
    mid = core.next_message_id(ADMIN_ID)
    raw = {
        "message_id": mid,
        "from": core.user(ADMIN_ID),
        "date": core.now(),
        "chat": core.chats[ADMIN_ID].to_dict(),
        "photo": [
            {
                "file_id": photo.file_id,
                "file_unique_id": photo.file_unique_id,
                "width": 10,
                "height": 10,
            }
        ],
        "caption": "Poster",
    }
    core.store(SentMessage(ADMIN_ID, mid, raw, from_bot=False))
    await harness.send(ADMIN_ID, ADMIN_ID, "/announce", reply_to_message_id=mid)
    confirm = _confirm(harness)
    preview = harness.replies(ADMIN_ID)[-2]
    assert preview.method == "copyMessage" and "photo" in preview.raw
    await harness.press(ADMIN_ID, ADMIN_ID, confirm.message_id, _data(confirm, "send"))
    await _wait_all_finished(harness)
    for chat_id in chats:
        (copy,) = harness.replies(chat_id)
        assert copy.method == "copyMessage"
        assert copy.raw["photo"][0]["file_id"] == photo.file_id and copy.text == "Poster"


async def test_usage_and_no_targets(sleeps: SleepRecorder, harness: BotHarness) -> None:
    await harness.send(ADMIN_ID, ADMIN_ID, "/announce")
    assert "How to announce" in (harness.last(ADMIN_ID).text or "")
    await harness.send(ADMIN_ID, ADMIN_ID, "/announce hello")
    assert "No subscribed chats" in (harness.last(ADMIN_ID).text or "")
    assert await _count_broadcasts(harness) == 0


async def test_status_message_is_edited_at_most_every_few_seconds(
    monkeypatch: pytest.MonkeyPatch, harness: BotHarness
) -> None:
    fast_options(monkeypatch, send_timeout=1.0)
    await harness.restart()
    quick = [7500 + i for i in range(10)]
    slow = [7600 + i for i in range(10)]
    await subscribe(harness, quick + slow)
    for chat_id in slow:  # held by the fake Telegram until the bot gives up, then retried
        harness.core.faults.add("sendMessage", chat_id=chat_id, kind="timeout", times=1)
    await harness.send(ADMIN_ID, ADMIN_ID, "/announce progress")
    confirm = _confirm(harness)
    await harness.press(ADMIN_ID, ADMIN_ID, confirm.message_id, _data(confirm, "send"))
    await harness.core.wait_for(lambda: len(received(harness, quick, "progress")) == 10, WAIT)
    harness.clock.advance(timedelta(seconds=5))
    await _wait_all_finished(harness)
    edits = [
        c
        for c in harness.core.calls_for("editMessageText")
        if c.params.get("message_id") == confirm.message_id
    ]
    texts = [str(c.params.get("text")) for c in edits]
    # "sending to 20 chats", a progress report, one more after the clock moved, the final one
    assert len(edits) == 4, texts
    assert "Sent: <b>" in texts[1] and "/ 20" in texts[1] and "Time remaining" in texts[1]
    assert "finished" in texts[-1] and "20</b> / 20" in texts[-1]


async def test_stopbroadcast_and_broadcasts_list(
    monkeypatch: pytest.MonkeyPatch, harness: BotHarness
) -> None:
    fast_options(monkeypatch, send_timeout=0.3)
    await harness.restart()
    chats = [7700 + i for i in range(12)]
    await subscribe(harness, chats)
    for chat_id in chats:  # Telegram stalls for these chats
        harness.core.faults.add("sendMessage", chat_id=chat_id, kind="timeout", times=-1)
    await harness.send(ADMIN_ID, ADMIN_ID, "/announce stop me")
    confirm = _confirm(harness)
    await harness.press(ADMIN_ID, ADMIN_ID, confirm.message_id, _data(confirm, "send"))
    # The outbox's feeder takes a launched broadcast on in the background: wait (bounded).
    for _ in range(int(WAIT / 0.005)):
        if harness.services.outbox.active_ids:
            break
        await asyncio.sleep(0.005)
    (bid,) = harness.services.outbox.active_ids
    await harness.send(ADMIN_ID, ADMIN_ID, f"/stopbroadcast {bid}")
    assert f"Stopping broadcast #{bid}" in (harness.last(ADMIN_ID).text or "")
    await harness.services.outbox.wait_finished(bid, WAIT)
    row = await harness.services.outbox.repo.get(bid)
    assert row is not None and row.status == "stopped" and row.sent == 0
    states = await harness.services.outbox.repo.delivery_states(bid)
    assert set(states.values()) == {"cancelled"}
    await harness.send(ADMIN_ID, ADMIN_ID, f"/stopbroadcast {bid}")
    assert "not running" in (harness.last(ADMIN_ID).text or "")
    await harness.send(ADMIN_ID, ADMIN_ID, "/broadcasts")
    listing = harness.last(ADMIN_ID).text or ""
    assert f"#{bid} announce · stopped · 0/12 sent" in listing
    final = harness.core.message(ADMIN_ID, confirm.message_id)
    assert "stopped" in (final.text or "")


async def test_stats(sleeps: SleepRecorder, harness: BotHarness) -> None:
    await subscribe(harness, [7801, 7802, 7803])
    await harness.send(ADMIN_ID, ADMIN_ID, "/announce stats please")
    confirm = _confirm(harness)
    await harness.press(ADMIN_ID, ADMIN_ID, confirm.message_id, _data(confirm, "send"))
    await _wait_all_finished(harness)
    await harness.send(ADMIN_ID, ADMIN_ID, "/stats")
    text = harness.last(ADMIN_ID).text or ""
    assert "Active subscribed chats: 3" in text
    assert "Upcoming demonstrations: 0" in text
    assert "Messages delivered in the last 7 days: 3" in text
