"""/forget erases everything about a chat; old delivery records are pruned on schedule."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest

from bot.config import ConfigError, load_settings
from bot.i18n import texts
from bot.i18n.translate import t
from bot.jobs import PRUNE_JOB
from bot.ops.privacy import privacy_service
from storage.db import Database
from storage.privacy import PrivacyRepo, id_columns
from tests.harness import ADMIN_ID, GROUP_ID, OTHER_ID, BotHarness

# Distinctive ids, so "no cell equals the id" cannot be a coincidence of counts or timestamps.
PERSON = 987654321
NEIGHBOUR = 987654322
GROUP = -1009988776655


async def all_cells(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table (FTS shadow tables included)."""
    cur = await db.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
    out: dict[str, list[tuple[Any, ...]]] = {}
    for (name,) in await cur.fetchall():
        rows = await (await db.conn.execute(f'SELECT * FROM "{name}"')).fetchall()
        out[str(name)] = [tuple(r) for r in rows]
    return out


async def cells_mentioning(db: Database, some_id: int) -> list[str]:
    """table names where any cell is that id, or a text containing it as a number (JSON)."""
    number = re.compile(rf"(?<![0-9]){some_id}(?![0-9])")
    found = []
    for table, rows in (await all_cells(db)).items():
        for row in rows:
            if any(
                cell == some_id or (isinstance(cell, str) and number.search(cell)) for cell in row
            ):
                found.append(table)
                break
    return found


async def tables(db: Database) -> set[str]:
    cur = await db.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
    return {str(r[0]) for r in await cur.fetchall()}


async def seed(db: Database, chat_id: int, *, person: bool, now: str) -> None:
    """Rows about chat_id in every table that can hold one (as the features would write them)."""
    by = chat_id if person else None  # created_by holds a person's id, never a group's
    outbox = "deliveries" in await tables(db)
    async with db.transaction() as conn:
        await conn.execute(
            "INSERT INTO chats (chat_id, kind, subscribed, created_at, updated_at)"
            " VALUES (?, ?, 1, ?, ?)",
            (chat_id, "private" if person else "supergroup", now, now),
        )
        cur = await conn.execute(
            "INSERT INTO demos (uid, starts_at, place, title, created_by, created_at, updated_at)"
            " VALUES (?, ?, 'Square', 'March', ?, ?, ?)",
            (f"uid-{chat_id:x}", "2026-12-01T12:00:00+00:00", by, now, now),
        )
        demo_id = cur.lastrowid
        if person:
            await conn.execute(
                "INSERT INTO rsvps (demo_id, user_id, created_at) VALUES (?, ?, ?)",
                (demo_id, chat_id, now),
            )
        await conn.execute(
            "INSERT INTO reminder_log (demo_id, chat_id, lead_minutes, due_at, state, sent_at)"
            " VALUES (?, ?, 120, ?, 'sent', ?)",
            (demo_id, chat_id, now, now),
        )
        if not outbox:  # the outbox's migration is not there yet
            return
        cur = await conn.execute(
            "INSERT INTO broadcasts (kind, status, total, sent, created_by, status_chat_id,"
            " status_message_id, created_at) VALUES ('announce', 'running', 2, 1, ?, ?, 5, ?)",
            (by, chat_id, now),
        )
        bid = cur.lastrowid
        await conn.execute(
            "INSERT INTO deliveries (broadcast_id, chat_id, state, updated_at)"
            " VALUES (?, ?, 'pending', ?)",
            (bid, chat_id, now),
        )
        await conn.execute(
            "INSERT INTO deliveries (broadcast_id, chat_id, state, updated_at)"
            " VALUES (?, ?, 'sent', ?)",
            (bid, chat_id + 1, now),
        )
        if person:  # an announcement copied from this person's chat, finished
            await conn.execute(
                "INSERT INTO broadcasts (kind, payload, status, created_by, created_at,"
                " finished_at) VALUES ('announce', ?, 'done', ?, ?, ?)",
                (f'{{"copy_from": [{chat_id}, 5], "region": null}}', by, now, now),
            )
        cur = await conn.execute(
            "INSERT INTO broadcasts (kind, status, total, sent, created_at, finished_at)"
            " VALUES ('reminder', 'done', 1, 1, ?, ?)",
            (now, now),
        )
        await conn.execute(
            "INSERT INTO deliveries (broadcast_id, chat_id, state, updated_at)"
            " VALUES (?, ?, 'sent', ?)",
            (cur.lastrowid, chat_id, now),
        )


async def test_id_columns_cover_every_chat_and_user_column(harness: BotHarness) -> None:
    cols = {(c.table, c.column): c.subject for c in await id_columns(harness.services.db.conn)}
    for must in [("chats", "chat_id"), ("reminder_log", "chat_id"), ("rsvps", "user_id")]:
        assert cols[must] is True
    if "deliveries" in await tables(harness.services.db):
        assert cols[("deliveries", "chat_id")] is True
        assert cols[("broadcasts", "created_by")] is False
        assert cols[("broadcasts", "status_chat_id")] is False
    # Every column anywhere in the schema whose name says "chat" or "user" is covered.
    cur = await harness.services.db.conn.execute(
        "SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p"
        " WHERE m.type = 'table' AND (p.name LIKE '%chat%' OR p.name LIKE '%user%')"
    )
    for table, column in await cur.fetchall():
        if column.endswith(("_message_id",)) or column in ("chat_instance",):
            continue
        assert (table, column) in cols, f"{table}.{column} would survive /forget"


async def test_forget_in_private_erases_everything_about_the_person(harness: BotHarness) -> None:
    db = harness.services.db
    now = harness.clock.now().isoformat()
    await seed(db, PERSON, person=True, now=now)
    await seed(db, NEIGHBOUR, person=True, now=now)
    before_neighbour = await cells_mentioning(db, NEIGHBOUR)
    await harness.send(PERSON, PERSON, "/forget")
    confirm = harness.last(PERSON)
    assert "Erase this chat" in (confirm.text or "")
    assert await cells_mentioning(db, PERSON)  # nothing happens before the button
    await harness.press(PERSON, PERSON, confirm.message_id, f"forget:yes:{PERSON}")
    assert await cells_mentioning(db, PERSON) == []
    assert await PrivacyRepo(db).mentions(PERSON) == []
    assert harness.core.last_text(PERSON) == t("en", texts.FORGET_DONE)
    # the neighbour's data is untouched
    assert await cells_mentioning(db, NEIGHBOUR) == before_neighbour
    if "broadcasts" in await tables(db):
        # the running broadcast's total lost the erased pending delivery: counts stay true
        cur = await db.conn.execute(
            "SELECT total, sent FROM broadcasts WHERE kind = 'announce' ORDER BY id LIMIT 1"
        )
        row = await cur.fetchone()
        assert row is not None and (row[0], row[1]) == (1, 1)
    cur = await db.conn.execute("PRAGMA integrity_check")
    assert (await cur.fetchone())[0] == "ok"  # type: ignore[index]


async def test_forget_cancel_keeps_everything(harness: BotHarness) -> None:
    db = harness.services.db
    await seed(db, PERSON, person=True, now=harness.clock.now().isoformat())
    before = await all_cells(db)
    await harness.send(PERSON, PERSON, "/forget")
    await harness.press(PERSON, PERSON, harness.last(PERSON).message_id, f"forget:no:{PERSON}")
    assert await all_cells(db) == before
    assert harness.core.last_text(PERSON) == t("en", texts.FORGET_KEPT)


async def test_forget_in_a_group_only_by_its_admins(harness: BotHarness) -> None:
    db = harness.services.db
    now = harness.clock.now().isoformat()
    await seed(db, GROUP, person=False, now=now)
    harness.core.group_chat(GROUP)
    harness.core.set_member(GROUP, ADMIN_ID + 1, "administrator")
    before = await all_cells(db)
    # an ordinary member: refused, nothing changes
    await harness.send(GROUP, OTHER_ID, "/forget")
    assert harness.core.last_text(GROUP) == t("en", texts.NOT_GROUP_ADMIN)
    # an administrator asks; an ordinary member presses the button: refused with an alert
    await harness.send(GROUP, ADMIN_ID + 1, "/forget")
    confirm = harness.last(GROUP).message_id
    q = await harness.press(GROUP, OTHER_ID, confirm, f"forget:yes:{GROUP}")
    answer = harness.core.callback_answers(q)
    assert answer is not None and answer.get("show_alert")
    assert await all_cells(db) == before
    # the button forged for another chat does nothing
    q = await harness.press(GROUP, ADMIN_ID + 1, confirm, f"forget:yes:{GROUP_ID}")
    assert await all_cells(db) == before
    # the administrator confirms
    await harness.press(GROUP, ADMIN_ID + 1, confirm, f"forget:yes:{GROUP}")
    assert await cells_mentioning(db, GROUP) == []


async def test_forget_by_an_anonymous_group_admin(harness: BotHarness) -> None:
    db = harness.services.db
    await seed(db, GROUP, person=False, now=harness.clock.now().isoformat())
    harness.core.group_chat(GROUP)
    await harness.send(GROUP, 1087968824, "/forget", sender_chat_id=GROUP)
    assert "Erase this chat" in (harness.core.last_text(GROUP) or "")


async def test_prune_deletes_only_old_finished_records(harness: BotHarness) -> None:
    db = harness.services.db
    if "deliveries" not in await tables(db):
        pytest.skip("the outbox's tables are not there yet")
    old = (harness.clock.now() - timedelta(days=45)).isoformat()
    recent = (harness.clock.now() - timedelta(days=2)).isoformat()
    await seed(db, PERSON, person=True, now=old)
    await seed(db, NEIGHBOUR, person=True, now=recent)
    service = privacy_service(harness.services)
    assert service.retention == timedelta(days=30)
    result = await service.prune(harness.clock.now())
    assert result.deliveries == 1  # the old 'sent' delivery of the running broadcast
    assert result.broadcasts == 2  # the old finished reminder and announcement (cascade)
    assert result.reminder_log == 1
    cur = await db.conn.execute("SELECT count(*) FROM deliveries WHERE state = 'pending'")
    assert (await cur.fetchone())[0] == 2  # type: ignore[index]  # pending work is never pruned
    cur = await db.conn.execute("SELECT count(*) FROM deliveries WHERE updated_at = ?", (recent,))
    assert (await cur.fetchone())[0] == 3  # type: ignore[index]
    # again: nothing more to do
    again = await service.prune(harness.clock.now())
    assert (again.deliveries, again.broadcasts, again.reminder_log) == (0, 0, 0)
    # RSVPs of demonstrations that ended long ago go too
    harness.clock.advance(timedelta(days=60))
    assert (await service.prune()).rsvps == 2


async def test_prune_is_scheduled_daily(harness: BotHarness) -> None:
    jobs = harness.app.job_queue.get_jobs_by_name(PRUNE_JOB)
    assert len(jobs) == 1


def test_retention_setting_is_validated() -> None:
    assert load_settings({}, token_required=False).retention_days == 30
    assert load_settings({"BOT_RETENTION_DAYS": "7"}, token_required=False).retention_days == 7
    for bad in ("0", "-1", "abc", "9999999", "1.5"):
        with pytest.raises(ConfigError, match="BOT_RETENTION_DAYS"):
            load_settings({"BOT_RETENTION_DAYS": bad}, token_required=False)
    for bad in ("-1", "x", "1001"):
        with pytest.raises(ConfigError, match="BOT_FLOOD_LIMIT"):
            load_settings({"BOT_FLOOD_LIMIT": bad}, token_required=False)


async def test_forget_after_really_using_the_bot(harness: BotHarness) -> None:
    """Subscribe, RSVP through the button, receive an announcement, search (kept in memory):
    after /forget nothing anywhere names the person, in the database or in memory."""
    db = harness.services.db
    await seed(db, NEIGHBOUR, person=True, now=harness.clock.now().isoformat())
    await harness.send(PERSON, PERSON, "/start")
    await harness.send(PERSON, PERSON, "/subscribe")
    await harness.send(PERSON, PERSON, "/excerpt occupation")
    cur = await db.conn.execute("SELECT id FROM demos WHERE uid = ?", (f"uid-{NEIGHBOUR:x}",))
    demo_id = (await cur.fetchone())[0]  # type: ignore[index]
    await harness.send(PERSON, PERSON, f"/demo {demo_id}")
    card = harness.last(PERSON)
    await harness.press(PERSON, PERSON, card.message_id, f"demo:rsvp:{demo_id}")
    await harness.send(ADMIN_ID, ADMIN_ID, "/announce Hello everyone")
    send = next(
        (m.message_id, b["callback_data"])
        for m in harness.replies(ADMIN_ID)
        for row in (m.raw.get("reply_markup") or {}).get("inline_keyboard") or []
        for b in row
        if str(b.get("callback_data", "")).startswith("ann:send:")
    )
    await harness.press(ADMIN_ID, ADMIN_ID, *send)
    await harness.core.wait_for(
        lambda: any("Hello everyone" in (m.text or "") for m in harness.replies(PERSON)), 10
    )
    mentioned = await cells_mentioning(db, PERSON)
    assert {"chats", "rsvps", "deliveries"} <= set(mentioned)
    assert harness.app.chat_data.get(PERSON)  # the remembered search query
    await harness.send(PERSON, PERSON, "/forget")
    await harness.press(PERSON, PERSON, harness.last(PERSON).message_id, f"forget:yes:{PERSON}")
    assert await cells_mentioning(db, PERSON) == []
    assert not harness.app.chat_data.get(PERSON) and not harness.app.user_data.get(PERSON)
    assert await cells_mentioning(db, NEIGHBOUR)  # the neighbour is untouched
