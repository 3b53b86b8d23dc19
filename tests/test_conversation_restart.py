"""A restart in the middle of a conversation: the admin's next answer is taken, not dropped."""

from __future__ import annotations

from tests.harness import ADMIN_ID, USER_ID, BotHarness, ErrorLog, buttons, texts_of
from tests.outbox_helpers import SleepRecorder
from tests.test_addstatement import FRONT_MATTER


async def test_adddemo_continues_after_a_restart(fast: SleepRecorder, harness: BotHarness) -> None:
    await harness.send(ADMIN_ID, ADMIN_ID, "/adddemo")
    assert "When?" in texts_of(harness, ADMIN_ID)[-1]
    await harness.restart()  # the answer to "When?" used to get no reply at all
    await harness.send(ADMIN_ID, ADMIN_ID, "5 Dec 14:00")
    assert "Where?" in texts_of(harness, ADMIN_ID)[-1]
    await harness.send(ADMIN_ID, ADMIN_ID, "Trafalgar Square")
    await harness.restart()  # the answers so far are kept too
    await harness.send(ADMIN_ID, ADMIN_ID, "Vigil for Gaza")
    await harness.send(ADMIN_ID, ADMIN_ID, "/skip")
    await harness.send(ADMIN_ID, ADMIN_ID, "London")
    await harness.send(ADMIN_ID, ADMIN_ID, "/skip")
    preview = harness.last(ADMIN_ID)
    assert "Preview" in (preview.text or "")
    save = next(data for _, data in buttons(preview) if data.startswith("demo:save:"))
    await harness.press(ADMIN_ID, ADMIN_ID, preview.message_id, save)
    demo = await harness.services.demos.get(1)
    assert demo is not None
    assert (demo.place, demo.title, demo.region) == ("Trafalgar Square", "Vigil for Gaza", "london")
    assert demo.starts_at.day == 5 and demo.starts_at.month == 12


async def test_addstatement_file_after_a_restart(harness: BotHarness) -> None:
    await harness.send(ADMIN_ID, ADMIN_ID, "/addstatement")
    assert "Send me the statement" in texts_of(harness, ADMIN_ID)[-1]
    await harness.restart()
    await harness.send(ADMIN_ID, ADMIN_ID, None, document=("sudan.md", FRONT_MATTER.encode()))  # type: ignore[arg-type]
    assert (
        "Added “Solidarity with Sudan's resistance committees”" in texts_of(harness, ADMIN_ID)[-1]
    )


async def test_finished_or_forgotten_conversations_are_not_kept(harness: BotHarness) -> None:
    db = harness.services.db
    await harness.send(ADMIN_ID, ADMIN_ID, "/adddemo")
    await harness.send(ADMIN_ID, ADMIN_ID, "/cancel")
    await harness.send(USER_ID, USER_ID, "/start")
    await harness.restart()
    db = harness.services.db
    for table in ("conversations", "conversation_drafts"):
        rows = await (await db.conn.execute(f"SELECT count(*) FROM {table}")).fetchone()
        assert rows is not None and rows[0] == 0, table
    await harness.send(ADMIN_ID, ADMIN_ID, "/adddemo")
    await harness.send(ADMIN_ID, ADMIN_ID, "5 Dec 14:00")
    await harness.restart()
    await harness.send(ADMIN_ID, ADMIN_ID, "/forget")
    await harness.press(
        ADMIN_ID, ADMIN_ID, harness.last(ADMIN_ID).message_id, f"forget:yes:{ADMIN_ID}"
    )
    await harness.restart()
    db = harness.services.db
    for table in ("conversations", "conversation_drafts"):
        rows = await (await db.conn.execute(f"SELECT count(*) FROM {table}")).fetchone()
        assert rows is not None and rows[0] == 0, table


async def test_forget_in_the_middle_of_a_conversation_says_how_to_start_again(
    harness: BotHarness, errors: ErrorLog
) -> None:
    """/forget erases the answers so far: the next answer is told so, with no error."""
    for command, answer in (("/adddemo", "Trafalgar Square"), ("/addstatement", "A title")):
        await harness.send(ADMIN_ID, ADMIN_ID, command)
        if command == "/adddemo":
            await harness.send(ADMIN_ID, ADMIN_ID, "5 Dec 14:00")
        else:
            untitled = b"One paragraph of text that ends with a full stop."
            await harness.send(ADMIN_ID, ADMIN_ID, None, document=("u.txt", untitled))  # type: ignore[arg-type]
            assert "title" in texts_of(harness, ADMIN_ID)[-1]
        await harness.send(ADMIN_ID, ADMIN_ID, "/forget")
        confirm = harness.last(ADMIN_ID).message_id
        await harness.press(ADMIN_ID, ADMIN_ID, confirm, f"forget:yes:{ADMIN_ID}")
        await harness.send(ADMIN_ID, ADMIN_ID, answer)
        reply = texts_of(harness, ADMIN_ID)[-1]
        assert "conversation was ended" in reply and command in reply
    assert errors.records == []


async def test_conversations_are_written_through_the_bots_one_connection(
    harness: BotHarness,
) -> None:
    """Once started, the persistence writes through the bot's connection: no second writer."""
    await harness.send(ADMIN_ID, ADMIN_ID, "/adddemo")
    await harness.send(ADMIN_ID, ADMIN_ID, "5 Dec 14:00")
    before = harness.services.db.conn.total_changes
    await harness.app.update_persistence()  # what PTB does every second
    assert harness.services.db.conn.total_changes > before
