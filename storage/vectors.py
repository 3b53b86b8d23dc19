"""Stored dense-search index data (BLOBs keyed by text hash and recipe): read, add, prune.

The ``model`` column names the recipe, which says what the BLOB holds: since the weighted
vectors, each paragraph's token ids (see ``bot.content.dense``); migration 0014's column
comment describes the first recipe (float32 vectors).
"""

from __future__ import annotations

from collections.abc import Iterable

from storage.db import Database


class VectorRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def get(self, model: str, hashes: Iterable[str]) -> dict[str, bytes]:
        """The stored vectors of these text hashes (missing ones are absent)."""
        wanted = list(dict.fromkeys(hashes))
        found: dict[str, bytes] = {}
        for i in range(0, len(wanted), 500):  # keep under SQLite's variable limit
            chunk = wanted[i : i + 500]
            marks = ",".join("?" * len(chunk))
            cur = await self.db.conn.execute(
                f"SELECT text_hash, vector FROM search_vectors"
                f" WHERE model = ? AND text_hash IN ({marks})",
                (model, *chunk),
            )
            found.update({str(r[0]): bytes(r[1]) for r in await cur.fetchall()})
        return found

    async def put(self, model: str, vectors: dict[str, bytes]) -> None:
        if not vectors:
            return
        async with self.db.transaction() as conn:
            await conn.executemany(
                "INSERT OR REPLACE INTO search_vectors (text_hash, model, vector) VALUES (?, ?, ?)",
                [(h, model, v) for h, v in vectors.items()],
            )

    async def prune(self, model: str, keep: Iterable[str]) -> int:
        """Delete vectors of this model whose text no paragraph has any more; how many."""
        keep_set = set(keep)
        cur = await self.db.conn.execute(
            "SELECT text_hash FROM search_vectors WHERE model = ?", (model,)
        )
        stale = [str(r[0]) for r in await cur.fetchall() if str(r[0]) not in keep_set]
        stale_models = await self.db.conn.execute(
            "SELECT count(*) FROM search_vectors WHERE model <> ?", (model,)
        )
        other = await stale_models.fetchone()
        if not stale and not (other and other[0]):
            return 0
        async with self.db.transaction() as conn:
            await conn.executemany(
                "DELETE FROM search_vectors WHERE model = ? AND text_hash = ?",
                [(model, h) for h in stale],
            )
            await conn.execute("DELETE FROM search_vectors WHERE model <> ?", (model,))
        return len(stale)

    async def count(self) -> int:
        cur = await self.db.conn.execute("SELECT count(*) FROM search_vectors")
        row = await cur.fetchone()
        return int(row[0]) if row else 0
