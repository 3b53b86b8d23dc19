"""bot/telegram/chat_order.py through the real stack: chats served concurrently, each in order.

A slow Bot API answer is the fake server holding one sendMessage for SLOW real seconds (a
"timeout" fault with a delay: held, then handled normally). Under PTB's default sequential
processing every other chat would wait behind it; under PTB's plain concurrent mode a chat's
later command would overtake its earlier one. Both are checked here.
"""

from __future__ import annotations

from typing import Any

from telegram import Update

from bot.ops.metrics import metrics_of
from bot.telegram.chat_order import PerChatUpdateProcessor, order_key
from tests.harness import BotHarness

SLOW = 0.3  # seconds the fake server holds the slow answer
A, B = 710_001, 710_002


def reply_order(h: BotHarness) -> list[tuple[int, str]]:
    """(chat, first words) of every successful sendMessage, in the order the server got them."""
    return [
        (int(c.params["chat_id"]), str(c.params.get("text", ""))[:80])
        for c in h.core.calls
        if c.method == "sendMessage" and c.ok
    ]


async def test_a_slow_reply_in_one_chat_does_not_hold_up_another(harness: BotHarness) -> None:
    h = harness
    h.core.private_chat(A)
    h.core.private_chat(B)
    h.core.faults.add("sendMessage", chat_id=A, kind="timeout", delay=SLOW)
    first = h.core.push_message(A, A, "/excerpt blockade")
    second = h.core.push_message(B, B, "/excerpt blockade")
    await h.processed(second)
    assert not h.replies(A), "chat A's reply is still held by the server"
    assert len(h.replies(B)) == 1
    await h.processed(first)
    assert [chat for chat, _ in reply_order(h)] == [B, A]


async def test_one_chats_commands_are_answered_in_the_order_sent(harness: BotHarness) -> None:
    h = harness
    h.core.private_chat(A)
    h.core.private_chat(B)
    commands = ("/help", "/start", "/facts")
    h.core.faults.add("sendMessage", chat_id=A, kind="timeout", delay=SLOW)  # the first only
    pushed = [h.core.push_message(A, A, text) for text in commands]
    for update in pushed:
        await h.processed(update)
    for text in commands:  # the same commands one by one elsewhere: the expected answers
        await h.send(B, B, text)
    in_a = [text for chat, text in reply_order(h) if chat == A]
    in_b = [text for chat, text in reply_order(h) if chat == B]
    assert len(set(in_b)) == 3  # three different answers, so their order shows
    # /help's answer was held SLOW seconds, and /start and /facts still came after it.
    assert in_a == in_b


async def test_a_flooding_chat_queues_behind_itself_not_in_front_of_others(
    harness: BotHarness,
) -> None:
    h = harness
    h.core.private_chat(A)
    h.core.private_chat(B)
    h.core.faults.add("sendMessage", chat_id=A, kind="timeout", delay=SLOW)
    processor = h.app.update_processor
    assert isinstance(processor, PerChatUpdateProcessor)
    flood = [h.core.push_message(A, A, "/start") for _ in range(2 * processor.max_running)]
    other = h.core.push_message(B, B, "/start")
    await h.processed(other)
    # A's first reply is still held and its other commands wait in A's chain without taking
    # processing slots, so B was served at once.
    assert not h.replies(A)
    # Operators see the backlog (/metrics, /health): all of A's commands are still pending.
    assert processor.pending >= len(flood)
    metrics = metrics_of(h.app).render().decode()
    gauge = next(
        line for line in metrics.splitlines() if line.startswith("solidarity_bot_updates_pending ")
    )
    assert float(gauge.split()[1]) >= len(flood)
    for update in flood:
        await h.processed(update)
    assert len(h.replies(A)) == len(flood)
    assert processor.waiting_chats == 0
    assert processor.pending == 0


def _update(data: dict[str, Any]) -> Update:
    return Update.de_json({"update_id": 1, **data}, None)


def test_order_key_is_the_chat_or_else_the_user() -> None:
    user = {"id": 42, "is_bot": False, "first_name": "U"}
    group = {"id": -100_5, "type": "supergroup", "title": "G"}
    message = {"message_id": 1, "date": 0, "chat": group, "from": user, "text": "hi"}
    assert order_key(_update({"message": message})) == -100_5
    inline = {"id": "q", "from": user, "query": "x", "offset": ""}
    assert order_key(_update({"inline_query": inline})) == 42
    assert order_key(Update(update_id=2)) is None  # e.g. a poll's state: no chat, no user
    assert order_key(object()) is None
