"""Conversation state and the answers given so far, kept across restarts (SQL only).

The values are JSON text made by the caller; rows older than the caller's cut-off are dropped
when read, so an abandoned conversation does not come back weeks later.
"""

from __future__ import annotations

from datetime import datetime

from storage.db import Database


class ConversationRepo:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def states(self, name: str, since: datetime) -> dict[tuple[int, int], str]:
        """(chat id, user id) -> state JSON of the conversation ``name`` touched since."""
        async with self.db.transaction() as conn:
            await conn.execute(
                "DELETE FROM conversations WHERE name = ? AND updated_at < ?",
                (name, since.isoformat()),
            )
            cur = await conn.execute(
                "SELECT chat_id, user_id, state FROM conversations WHERE name = ?", (name,)
            )
            rows = await cur.fetchall()
        return {(int(r[0]), int(r[1])): str(r[2]) for r in rows}

    async def set_state(
        self, name: str, chat_id: int, user_id: int, state: str | None, now: datetime
    ) -> None:
        """Store the state (JSON), or forget the conversation when state is None (ended)."""
        async with self.db.transaction() as conn:
            if state is None:
                await conn.execute(
                    "DELETE FROM conversations WHERE name = ? AND chat_id = ? AND user_id = ?",
                    (name, chat_id, user_id),
                )
                return
            await conn.execute(
                "INSERT INTO conversations (name, chat_id, user_id, state, updated_at)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT (name, chat_id, user_id)"
                " DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at",
                (name, chat_id, user_id, state, now.isoformat()),
            )

    async def drafts(self, since: datetime) -> dict[int, str]:
        """user id -> the answers (JSON) of the conversation in progress, touched since."""
        async with self.db.transaction() as conn:
            await conn.execute(
                "DELETE FROM conversation_drafts WHERE updated_at < ?", (since.isoformat(),)
            )
            cur = await conn.execute("SELECT user_id, data FROM conversation_drafts")
            rows = await cur.fetchall()
        return {int(r[0]): str(r[1]) for r in rows}

    async def set_draft(self, user_id: int, data: str | None, now: datetime) -> None:
        async with self.db.transaction() as conn:
            if data is None:
                await conn.execute("DELETE FROM conversation_drafts WHERE user_id = ?", (user_id,))
                return
            await conn.execute(
                "INSERT INTO conversation_drafts (user_id, data, updated_at) VALUES (?, ?, ?)"
                " ON CONFLICT (user_id) DO UPDATE SET data = excluded.data,"
                " updated_at = excluded.updated_at",
                (user_id, data, now.isoformat()),
            )
