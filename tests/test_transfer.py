"""Export -> import round trip, idempotent re-import, and refusal of bad files."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.__main__ import main
from bot.ops.lock import InstanceLock
from storage.chats import ChatRepo
from storage.db import Database
from storage.transfer import (
    FORMAT_VERSION,
    TransferError,
    export_data,
    export_json,
    import_json,
    validate_document,
)

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


async def _populated(path: Path) -> None:
    db = await Database.open(path)
    chats = ChatRepo(db)
    await chats.ensure(-100111, "supergroup", NOW)
    await chats.set_subscribed(-100111, True, NOW, thread_id=7)
    await chats.set_timezone(-100111, "Europe/Kyiv", NOW)
    await chats.set_leads(-100111, (60, 1440), NOW)
    await chats.set_region(-100111, "Lviv", NOW)
    await chats.ensure(4242, "private", NOW)
    await chats.set_language(4242, "uk", NOW)
    await chats.set_active(4242, False, NOW)
    async with db.transaction() as conn:
        await conn.executemany(
            "INSERT INTO demos (uid, starts_at, place, title, description, link, region,"
            " details, status, cancel_reason, source, created_by, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    "a@x",
                    "2026-12-01T15:00:00+00:00",
                    "Square <1>",
                    "March & rally",
                    "",
                    None,
                    None,
                    None,
                    "scheduled",
                    None,
                    "admin",
                    1000,
                    NOW.isoformat(),
                    NOW.isoformat(),
                ),
                (
                    "b@x",
                    "2026-12-05T09:30:00+00:00",
                    "Парк",
                    "Мітинг",
                    "довгий опис",
                    "https://example.org/e",
                    "lviv",
                    "meet at the gate",
                    "cancelled",
                    "rain",
                    "feed",
                    None,
                    NOW.isoformat(),
                    NOW.isoformat(),
                ),
            ],
        )
    await db.close()


def _without_time(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if k != "exported_at"}


async def test_round_trip_and_idempotent_reimport(tmp_path: Path) -> None:
    source, target = tmp_path / "old.sqlite3", tmp_path / "new.sqlite3"
    await _populated(source)
    text = await export_json(source, NOW)
    doc = json.loads(text)
    assert doc["format"] == "solidarity-bot-export" and doc["version"] == FORMAT_VERSION
    assert len(doc["chats"]) == 2 and len(doc["demos"]) == 2
    group = next(c for c in doc["chats"] if c["chat_id"] == -100111)
    assert group["lead_minutes"] == [1440, 60] and group["subscribed"] is True

    first = await import_json(target, text, NOW)
    assert (first.chats, first.demos, first.demos_new) == (2, 2, 2)
    second = await import_json(target, text, NOW)
    assert (second.chats, second.demos, second.demos_new) == (2, 2, 0)

    db = await Database.open(target)
    try:
        again = await export_data(db, NOW)
        chat = await ChatRepo(db).get(-100111)
    finally:
        await db.close()
    assert _without_time(again) == _without_time(doc)
    assert chat is not None and chat.timezone == "Europe/Kyiv" and chat.thread_id == 7
    assert chat.lead_minutes == (1440, 60) and chat.region == "lviv"


async def test_import_updates_existing_rows_by_uid_and_chat_id(tmp_path: Path) -> None:
    db_path = tmp_path / "bot.sqlite3"
    await _populated(db_path)
    doc = json.loads(await export_json(db_path, NOW))
    doc["demos"][0]["place"] = "New square"
    doc["chats"][0]["timezone"] = "UTC"
    result = await import_json(db_path, json.dumps(doc), NOW)
    assert result.demos_new == 0
    after = json.loads(await export_json(db_path, NOW))
    assert after["demos"][0]["place"] == "New square"
    assert after["chats"][0]["timezone"] == "UTC"
    assert len(after["demos"]) == 2


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: "{not json", "not JSON"),
        (lambda d: {**d, "format": "something-else"}, "not a solidarity-bot export"),
        (lambda d: {**d, "version": FORMAT_VERSION + 1}, "newer than this bot reads"),
        (lambda d: {**d, "chats": {}}, "must be lists"),
        (lambda d: _set(d, "chats", 0, "timezone", "Mars/Base"), r"chats\[0\].timezone"),
        (lambda d: _set(d, "chats", 1, "kind", "forum"), r"chats\[1\].kind"),
        (lambda d: _set(d, "chats", 0, "chat_id", "12"), r"chats\[0\].chat_id"),
        (lambda d: _set(d, "chats", 0, "lead_minutes", [-5]), r"chats\[0\].lead_minutes"),
        (lambda d: _set(d, "demos", 1, "title", ""), r"demos\[1\].title"),
        (lambda d: _set(d, "demos", 0, "starts_at", "2026-12-01 15:00"), r"demos\[0\].starts_at"),
        (lambda d: _set(d, "demos", 0, "status", "maybe"), r"demos\[0\].status"),
        (lambda d: _set(d, "demos", 0, "surprise", 1), "unknown field 'surprise'"),
        (lambda d: _set(d, "demos", 1, "uid", d["demos"][0]["uid"]), "appears twice"),
    ],
)
async def test_bad_files_are_refused_and_nothing_is_written(
    tmp_path: Path, mutate: Any, message: str
) -> None:
    source, target = tmp_path / "old.sqlite3", tmp_path / "new.sqlite3"
    await _populated(source)
    doc = json.loads(await export_json(source, NOW))
    bad = mutate(doc)
    text = bad if isinstance(bad, str) else json.dumps(bad)
    with pytest.raises(TransferError, match=message):
        await import_json(target, text, NOW)
    assert not target.exists()  # validated before the database is even opened


def _set(doc: dict[str, Any], key: str, index: int, field: str, value: Any) -> dict[str, Any]:
    doc[key][index][field] = value
    return doc


def test_validation_normalises_times_to_utc() -> None:
    text = json.dumps(
        {
            "format": "solidarity-bot-export",
            "version": 1,
            "demos": [
                {"uid": "u", "starts_at": "2026-12-01T17:00:00+02:00", "place": "p", "title": "t"}
            ],
        }
    )
    data = validate_document(text, NOW)
    assert data.demos[0][1] == "2026-12-01T15:00:00+00:00"
    assert data.chats == []


def test_cli_export_import(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import asyncio

    source, target = tmp_path / "old.sqlite3", tmp_path / "new.sqlite3"
    asyncio.run(_populated(source))
    monkeypatch.setenv("BOT_DB_PATH", str(source))
    assert main(["export"]) == 0
    stdout = capsys.readouterr().out
    assert json.loads(stdout)["demos"][1]["title"] == "Мітинг"
    dump = tmp_path / "dump.json"
    assert main(["export", str(dump)]) == 0
    capsys.readouterr()
    monkeypatch.setenv("BOT_DB_PATH", str(target))
    with InstanceLock(target):
        assert main(["import", str(dump)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "another solidarity-bot is running" in err[0]
    assert main(["import", str(dump)]) == 0
    assert "imported 2 chats and 2 demos" in capsys.readouterr().out
    broken = tmp_path / "broken.json"
    broken.write_text('{"format": "solidarity-bot-export", "version": 1, "chats": [{}]}')
    assert main(["import", str(broken)]) == 2  # a refused file: status 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "import refused: chats[0].chat_id" in err[0]
