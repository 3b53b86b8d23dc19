"""Repository for chats: subscription, activity and per-chat settings."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from storage.db import Database

DEFAULT_LEAD_MINUTES: tuple[int, ...] = (24 * 60, 2 * 60)


@dataclass(frozen=True)
class Chat:
    """What the bot stores about one chat: ids and settings, nothing personal."""

    chat_id: int
    kind: str
    active: bool
    subscribed: bool
    thread_id: int | None
    timezone: str | None
    lead_minutes: tuple[int, ...] | None
    region: str | None
    language: str | None
    app_language: str | None = None  # private chats: the user's Telegram app language

    @property
    def message_language(self) -> str | None:
        """The language for messages sent unprompted: the chat's choice, else the app's."""
        return self.language or self.app_language

    def effective_leads(self) -> tuple[int, ...]:
        return self.lead_minutes if self.lead_minutes else DEFAULT_LEAD_MINUTES

    def effective_timezone(self, default: str) -> str:
        return self.timezone or default

    @property
    def is_group(self) -> bool:
        return self.kind in ("group", "supergroup")


def row_to_chat(row: aiosqlite.Row) -> Chat:
    leads = json.loads(row["lead_minutes"]) if row["lead_minutes"] else None
    return Chat(
        chat_id=int(row["chat_id"]),
        kind=str(row["kind"]),
        active=bool(row["active"]),
        subscribed=bool(row["subscribed"]),
        thread_id=row["thread_id"],
        timezone=row["timezone"],
        lead_minutes=tuple(int(x) for x in leads) if leads else None,
        region=row["region"],
        language=row["language"],
        # Rows joined by other repositories may not select this column (and `in` on a
        # sqlite3.Row looks at values, not names, hence keys()).
        app_language=row["app_language"] if "app_language" in row.keys() else None,  # noqa: SIM118
    )


def _kind(chat_type: str) -> str:
    return chat_type if chat_type in ("private", "group", "supergroup", "channel") else "group"


class ChatRepo:
    """CRUD for the chats table; every write is one short transaction."""

    #: chats whose language is remembered between database changes (then it starts afresh)
    LANGUAGE_CACHE_SIZE = 10_000

    def __init__(self, db: Database) -> None:
        self.db = db
        self._languages: dict[int, str | None] = {}
        self._languages_marker: tuple[int, int] | None = None

    async def language(self, chat_id: int) -> str | None:
        """The chat's chosen language (None: none chosen, or an unknown chat).

        Asked for on every update (bot.telegram.replies.language_for), so remembered in memory: the
        whole cache is dropped as soon as anything at all is written through the database
        connection (Database.change_marker), whichever module or repository wrote it.
        """
        marker = self.db.change_marker()
        if marker != self._languages_marker:
            self._languages.clear()
            self._languages_marker = marker
        elif chat_id in self._languages:
            return self._languages[chat_id]
        chat = await self.get(chat_id)
        language = chat.language if chat is not None else None
        # Keep it only if nothing was written while we read (else it may already be outdated).
        if self.db.change_marker() == marker and self._languages_marker == marker:
            if len(self._languages) >= self.LANGUAGE_CACHE_SIZE:
                self._languages.clear()
            self._languages[chat_id] = language
        return language

    async def get(self, chat_id: int) -> Chat | None:
        cur = await self.db.conn.execute("SELECT * FROM chats WHERE chat_id = ?", (chat_id,))
        row = await cur.fetchone()
        return row_to_chat(row) if row else None

    async def ensure(
        self, chat_id: int, chat_type: str, now: datetime, app_language: str | None = None
    ) -> Chat:
        """Insert the chat if new (active, unsubscribed); mark it active again if it was not.

        For a private chat, app_language (a supported code) is remembered for the messages the
        bot sends unprompted; it is written only when given and changed.
        """
        stamp = now.isoformat()
        private = _kind(chat_type) == "private"
        async with self.db.transaction() as conn:
            await conn.execute(
                "INSERT INTO chats (chat_id, kind, created_at, updated_at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (chat_id) DO UPDATE SET kind = excluded.kind"
                " WHERE chats.kind != excluded.kind",
                (chat_id, _kind(chat_type), stamp, stamp),
            )
            if private and app_language is not None:
                await conn.execute(
                    "UPDATE chats SET app_language = ? WHERE chat_id = ? AND app_language IS NOT ?",
                    (app_language, chat_id, app_language),
                )
        chat = await self.get(chat_id)
        assert chat is not None
        return chat

    async def _update(self, chat_id: int, now: datetime, **fields: object) -> None:
        # Column names come from this module only, never from input.
        assignments = ", ".join(f"{name} = ?" for name in fields)
        values = [*fields.values(), now.isoformat(), chat_id]
        async with self.db.transaction() as conn:
            await conn.execute(
                f"UPDATE chats SET {assignments}, updated_at = ? WHERE chat_id = ?", values
            )

    async def set_subscribed(
        self, chat_id: int, subscribed: bool, now: datetime, thread_id: int | None = None
    ) -> None:
        await self._update(chat_id, now, subscribed=int(subscribed), thread_id=thread_id, active=1)

    async def set_active(self, chat_id: int, active: bool, now: datetime) -> None:
        await self._update(chat_id, now, active=int(active))

    async def set_timezone(self, chat_id: int, timezone: str | None, now: datetime) -> None:
        await self._update(chat_id, now, timezone=timezone)

    async def set_leads(self, chat_id: int, leads: tuple[int, ...] | None, now: datetime) -> None:
        value = json.dumps(sorted(set(leads), reverse=True)) if leads else None
        await self._update(chat_id, now, lead_minutes=value)

    async def set_region(self, chat_id: int, region: str | None, now: datetime) -> None:
        await self._update(chat_id, now, region=region.casefold() if region else None)

    async def set_language(self, chat_id: int, language: str | None, now: datetime) -> None:
        await self._update(chat_id, now, language=language)

    async def migrate(self, old_id: int, new_id: int, now: datetime) -> None:
        """Move a group's row to its new supergroup id (keeping settings); idempotent."""
        async with self.db.transaction() as conn:
            cur = await conn.execute("SELECT 1 FROM chats WHERE chat_id = ?", (new_id,))
            if await cur.fetchone() is None:
                await conn.execute(
                    "UPDATE chats SET chat_id = ?, kind = 'supergroup', updated_at = ?"
                    " WHERE chat_id = ?",
                    (new_id, now.isoformat(), old_id),
                )
            else:
                await conn.execute("DELETE FROM chats WHERE chat_id = ?", (old_id,))

    async def delete(self, chat_id: int) -> None:
        async with self.db.transaction() as conn:
            await conn.execute("DELETE FROM chats WHERE chat_id = ?", (chat_id,))

    async def subscribed(self, region: str | None = None) -> list[Chat]:
        """Active subscribed chats, optionally only those whose region filter admits region."""
        sql = "SELECT * FROM chats WHERE subscribed = 1 AND active = 1"
        args: tuple[object, ...] = ()
        if region:
            sql += " AND (region IS NULL OR region = ?)"
            args = (region.casefold(),)
        cur = await self.db.conn.execute(sql + " ORDER BY chat_id", args)
        return [row_to_chat(r) for r in await cur.fetchall()]

    async def count_subscribed(self) -> int:
        cur = await self.db.conn.execute(
            "SELECT count(*) FROM chats WHERE subscribed = 1 AND active = 1"
        )
        row = await cur.fetchone()
        return int(row[0]) if row else 0
