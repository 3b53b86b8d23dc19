"""ChatRepo.language is cached in memory: every kind of write must make it current again."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from storage.chats import ChatRepo
from storage.db import Database
from storage.privacy import PrivacyRepo

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


async def test_language_cache_never_serves_a_stale_value(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "bot.sqlite3")
    try:
        chats, other = ChatRepo(db), ChatRepo(db)  # the app has several repositories
        await chats.ensure(-100, "supergroup", NOW)
        await chats.ensure(-200, "supergroup", NOW)
        assert await chats.language(-100) is None
        assert await chats.language(999) is None  # unknown chat

        await chats.set_language(-100, "de", NOW)
        assert await chats.language(-100) == "de"
        assert await chats.language(-100) == "de"  # served from the cache

        await other.set_language(-100, "fr", NOW)  # another repository instance
        assert await chats.language(-100) == "fr"

        # a raw autocommit write on the shared connection, outside any transaction()
        await db.conn.execute("UPDATE chats SET language = 'es' WHERE chat_id = -100")
        assert await chats.language(-100) == "es"

        # a transaction that wrote and was rolled back: back to the committed value
        with pytest.raises(RuntimeError):
            async with db.transaction() as conn:
                await conn.execute("UPDATE chats SET language = 'it' WHERE chat_id = -100")
                assert await chats.language(-100) == "it"  # what the connection sees now
                raise RuntimeError("abort")
        assert await chats.language(-100) == "es"

        # a group migrating to a supergroup keeps its settings under the new id
        await chats.set_language(-200, "uk", NOW)
        assert await chats.language(-200) == "uk"
        await other.migrate(-200, -1000200, NOW)
        assert await chats.language(-200) is None
        assert await chats.language(-1000200) == "uk"

        # /forget erases the chat's row
        await PrivacyRepo(db).erase(-100, person=False)
        assert await chats.language(-100) is None
    finally:
        await db.close()
