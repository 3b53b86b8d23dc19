"""Conversations survive a restart: PTB's persistence, stored in the bot's own SQLite database.

Only what a conversation in progress needs is kept: each conversation's state per (chat, user)
and the answers given so far (the JSON-encodable entries of ``user_data``; anything else, like
a preview's draft object, is left in memory). Nothing else (chat or bot data, callback data)
is persisted. Rows untouched for a day are dropped on start: an abandoned /adddemo does not
come back a week later. /forget erases both tables like every other table with a chat or user
id column. The SQL is in storage/conversations.py.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import MutableMapping
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from telegram.ext import BasePersistence, PersistenceInput

from bot.clock import Clock
from storage.conversations import ConversationRepo
from storage.db import Database, DatabaseError

log = logging.getLogger(__name__)

#: Conversations and answers older than this are not resumed.
KEEP = timedelta(days=1)
#: How often PTB writes what changed (and always on a clean stop).
UPDATE_INTERVAL = 1.0

Data = dict[Any, Any]
# PTB's own aliases live in its private telegram.ext._utils.types; the same types, spelled out.
ConversationKey = tuple[int | str, ...]
ConversationDict = MutableMapping[ConversationKey, object]
CDCData = tuple[list[tuple[str, float, dict[str, Any]]], dict[str, str]]


class _Unstorable(Exception):
    pass


def encode(value: Any) -> Any:
    """JSON-ready form of value (dates and tuples tagged); _Unstorable for anything else."""
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    if isinstance(value, tuple):
        return {"$tuple": [encode(v) for v in value]}
    if isinstance(value, list):
        return [encode(v) for v in value]
    if isinstance(value, dict) and all(isinstance(k, str) for k in value):
        return {k: encode(v) for k, v in value.items()}
    raise _Unstorable(type(value).__name__)


def decode(value: Any) -> Any:
    if isinstance(value, list):
        return [decode(v) for v in value]
    if isinstance(value, dict):
        if set(value) == {"$datetime"}:
            return datetime.fromisoformat(value["$datetime"])
        if set(value) == {"$date"}:
            return date.fromisoformat(value["$date"])
        if set(value) == {"$tuple"}:
            return tuple(decode(v) for v in value["$tuple"])
        return {k: decode(v) for k, v in value.items()}
    return value


def _draft_json(data: Data) -> str | None:
    """The storable entries of a user's data as JSON, or None when there are none."""
    kept: dict[str, Any] = {}
    for key, value in data.items():
        if not isinstance(key, str):
            continue
        try:
            kept[key] = encode(value)
        except _Unstorable:
            continue  # stays in memory only
    return json.dumps(kept, sort_keys=True) if kept else None


class SqlitePersistence(BasePersistence[Data, Data, Data]):
    """PTB persistence for conversation state and answers, in the bot's database."""

    def __init__(self, db_path: Path, clock: Clock, update_interval: float = UPDATE_INTERVAL):
        super().__init__(
            store_data=PersistenceInput(
                bot_data=False, chat_data=False, user_data=True, callback_data=False
            ),
            update_interval=update_interval,
        )
        self.db_path = db_path
        self.clock = clock
        self._db: Database | None = None
        self._own_db = True  # False once sharing the bot's connection (not ours to close)
        self._written: dict[int, str] = {}  # what the database holds, to skip idle writes

    async def _repo(self) -> ConversationRepo | None:
        """The persistence's own connection (PTB loads persistence before post_init opens the
        services' one; opening applies any pending migration). None when the database cannot
        be opened: post_init then reports why, in one line, as it always did."""
        if self._db is None:
            try:
                self._db = await Database.open(self.db_path)
            except (DatabaseError, sqlite3.Error, OSError) as exc:
                log.debug("conversations not restored: %s", type(exc).__name__)
                return None
        return ConversationRepo(self._db)

    # --- loading -----------------------------------------------------------------------------
    async def get_user_data(self) -> dict[int, Data]:
        repo = await self._repo()
        out: dict[int, Data] = {}
        if repo is None:
            return out
        for user_id, text in (await repo.drafts(self.clock.now() - KEEP)).items():
            self._written[user_id] = text
            try:
                out[user_id] = decode(json.loads(text))
            except ValueError:
                log.warning("conversation answers of one user could not be read; dropped")
        return out

    async def get_chat_data(self) -> dict[int, Data]:
        return {}

    async def get_bot_data(self) -> Data:
        return {}

    async def get_callback_data(self) -> CDCData | None:
        return None

    async def get_conversations(self, name: str) -> ConversationDict:
        repo = await self._repo()
        out: dict[ConversationKey, object] = {}
        if repo is None:
            return out
        for key, text in (await repo.states(name, self.clock.now() - KEEP)).items():
            try:
                out[key] = json.loads(text)
            except ValueError:
                continue
        return out

    # --- writing -----------------------------------------------------------------------------
    async def update_conversation(
        self, name: str, key: ConversationKey, new_state: object | None
    ) -> None:
        if len(key) != 2 or not all(isinstance(k, int) for k in key):
            return  # only (chat, user) conversations are kept
        state = None if new_state is None else json.dumps(encode(new_state))
        repo = await self._repo()
        if repo is None:
            return
        await repo.set_state(name, int(key[0]), int(key[1]), state, self.clock.now())

    async def update_user_data(self, user_id: int, data: Data) -> None:
        text = _draft_json(data)
        if text == self._written.get(user_id):
            return  # PTB calls this for every user seen; most have nothing to keep
        repo = await self._repo()
        if repo is None:
            return
        await repo.set_draft(user_id, text, self.clock.now())
        if text is None:
            self._written.pop(user_id, None)
        else:
            self._written[user_id] = text

    async def update_chat_data(self, chat_id: int, data: Data) -> None:
        return None

    async def update_bot_data(self, data: Data) -> None:
        return None

    async def update_callback_data(self, data: CDCData) -> None:
        return None

    async def drop_chat_data(self, chat_id: int) -> None:
        return None

    async def drop_user_data(self, user_id: int) -> None:
        repo = await self._repo()
        if repo is not None:
            await repo.set_draft(user_id, None, self.clock.now())
        self._written.pop(user_id, None)

    async def refresh_user_data(self, user_id: int, user_data: Data) -> None:
        return None

    async def refresh_chat_data(self, chat_id: int, chat_data: Data) -> None:
        return None

    async def refresh_bot_data(self, bot_data: Data) -> None:
        return None

    def hand_over_connection(self) -> Database | None:
        """The connection persistence was loaded through, for post_init to make the bot's own
        (it then closes it; opening a second one cost every start a migration check and a
        thread). None when persistence holds none of its own."""
        if self._db is None or not self._own_db:
            return None
        self._own_db = False
        return self._db

    async def share(self, db: Database) -> None:
        """Write through the bot's own connection from now on, closing the loading one.

        One connection writing means no write ever waits on another connection's lock (two
        writers met "database is locked" under load); the loading connection exists only
        because PTB loads persistence before post_init opens the bot's.
        """
        if self._db is not None and self._own_db:
            await self._db.close()
        self._db, self._own_db = db, False

    async def flush(self) -> None:
        """Called last on shutdown: close the persistence's own connection, if it has one."""
        if self._db is not None:
            db, self._db = self._db, None
            if self._own_db:
                await db.close()
