"""Uploaded statements' question hints (table paragraph_hints): written with their paragraphs
by storage.content, deleted with them by the table's ON DELETE CASCADE (storage.db turns
foreign keys on for every connection), read by search."""

from __future__ import annotations

from collections.abc import Sequence

import aiosqlite

from storage.db import Database


async def write_hints(conn: aiosqlite.Connection, paragraph_id: int, texts: Sequence[str]) -> None:
    """Store a paragraph's questions, in order (inside the caller's transaction)."""
    await conn.executemany(
        "INSERT INTO paragraph_hints (paragraph_id, n, text) VALUES (?, ?, ?)",
        [(paragraph_id, n, text) for n, text in enumerate(texts)],
    )


class HintRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def visible(self) -> list[tuple[int, str]]:
        """(paragraph id, question) of every paragraph of a statement that is not hidden."""
        cur = await self.db.conn.execute(
            "SELECT h.paragraph_id, h.text FROM paragraph_hints h"
            " JOIN paragraphs p ON p.id = h.paragraph_id"
            " JOIN statements s ON s.slug = p.slug"
            " WHERE s.hidden = 0 ORDER BY h.paragraph_id, h.n"
        )
        return [(int(r[0]), str(r[1])) for r in await cur.fetchall()]

    async def of_statement(self, slug: str) -> list[tuple[int, str]]:
        """(paragraph index, question) of one statement, in order."""
        cur = await self.db.conn.execute(
            "SELECT p.idx, h.text FROM paragraph_hints h"
            " JOIN paragraphs p ON p.id = h.paragraph_id"
            " WHERE p.slug = ? ORDER BY p.idx, h.n",
            (slug,),
        )
        return [(int(r[0]), str(r[1])) for r in await cur.fetchall()]

    async def count(self) -> int:
        cur = await self.db.conn.execute("SELECT count(*) FROM paragraph_hints")
        row = await cur.fetchone()
        return int(row[0]) if row else 0
