"""Statements, paragraphs and their FTS5 index (all SQL for the content core lives here).

Removal policy: an uploaded statement is deleted; a built-in one is *hidden* (its row stays
with ``hidden = 1`` and its paragraphs leave the index), so ``sync_builtin`` does not bring it
back on restart. ``restore_statement`` un-hides it and the next sync re-indexes it.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import aiosqlite

from storage.db import Database, db_time
from storage.hints import write_hints
from storage.records import MetaLine, Paragraph, Statement

#: bm25 column weights (title, heading, text): the paragraph text counts most.
BM25_WEIGHTS = (0.4, 0.6, 1.0)


@dataclass(frozen=True, slots=True)
class StatementRecord:
    slug: str
    title: str
    author: str
    date_text: str
    sort_date: str | None
    source: str
    content_hash: str
    hidden: bool
    paragraph_count: int
    created_at: str
    meta: tuple[MetaLine, ...] = ()
    language: str = "en"
    translation_of: str | None = None


@dataclass(frozen=True, slots=True)
class ParagraphRecord:
    id: int
    slug: str
    idx: int
    heading: str | None
    text: str

    def to_paragraph(self) -> Paragraph:
        return Paragraph(index=self.idx, text=self.text, heading=self.heading)


@dataclass(frozen=True, slots=True)
class FtsRow:
    paragraph: ParagraphRecord
    bm25: float  # FTS5 bm25(): lower (more negative) is better
    highlighted: str  # text with \x02 ... \x03 around matched tokens


@dataclass(frozen=True, slots=True)
class SyncResult:
    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    hidden: int = 0

    @property
    def writes(self) -> int:
        return self.added + self.updated + self.removed


class SlugTaken(Exception):
    """No free slug could be found for a new statement."""


def _meta_json(st: Statement) -> str:
    return json.dumps(
        [[m.position, m.kind, m.text] for m in st.meta], ensure_ascii=False, separators=(",", ":")
    )


def _meta_from_json(raw: str) -> tuple[MetaLine, ...]:
    try:
        data: Any = json.loads(raw or "[]")
        return tuple(MetaLine(position=int(p), kind=k, text=str(t)) for p, k, t in data)
    except (ValueError, TypeError):
        return ()


_STATEMENT_COLS = (
    "s.slug, s.title, s.author, s.date_text, s.sort_date, s.source, s.content_hash, s.hidden,"
    " s.created_at, s.meta_json, s.language, s.translation_of,"
    " (SELECT count(*) FROM paragraphs p WHERE p.slug = s.slug) AS n"
)


def _statement(row: aiosqlite.Row) -> StatementRecord:
    return StatementRecord(
        slug=row["slug"],
        title=row["title"],
        author=row["author"],
        date_text=row["date_text"],
        sort_date=row["sort_date"],
        source=row["source"],
        content_hash=row["content_hash"],
        hidden=bool(row["hidden"]),
        paragraph_count=int(row["n"]),
        created_at=row["created_at"],
        meta=_meta_from_json(row["meta_json"]),
        language=row["language"],
        translation_of=row["translation_of"],
    )


def _paragraph(row: aiosqlite.Row) -> ParagraphRecord:
    return ParagraphRecord(
        id=int(row["id"]),
        slug=row["slug"],
        idx=int(row["idx"]),
        heading=row["heading"],
        text=row["text"],
    )


class ContentRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    # ------------------------------------------------------------------ writes

    async def _write_paragraphs(self, conn: aiosqlite.Connection, st: Statement) -> None:
        for p in st.paragraphs:
            cur = await conn.execute(
                "INSERT INTO paragraphs (slug, idx, heading, text) VALUES (?, ?, ?, ?)",
                (st.slug, p.index, p.heading, p.text),
            )
            await conn.execute(
                "INSERT INTO paragraphs_fts (rowid, title, heading, text) VALUES (?, ?, ?, ?)",
                (cur.lastrowid, st.title, p.heading or "", p.text),
            )
            questions = [h.text for h in st.hints if h.index == p.index]
            if questions and cur.lastrowid is not None:
                await write_hints(conn, cur.lastrowid, questions)

    async def _delete_paragraphs(self, conn: aiosqlite.Connection, slug: str) -> None:
        await conn.execute(
            "DELETE FROM paragraphs_fts WHERE rowid IN (SELECT id FROM paragraphs WHERE slug = ?)",
            (slug,),
        )
        await conn.execute("DELETE FROM paragraphs WHERE slug = ?", (slug,))

    async def _upsert(
        self, conn: aiosqlite.Connection, st: Statement, now: str, *, exists: bool
    ) -> None:
        values = (st.title, st.author, st.date, st.sort_date, st.source, st.content_hash)
        more = (_meta_json(st), st.language, st.translation_of)
        if exists:
            await self._delete_paragraphs(conn, st.slug)
            await conn.execute(
                "UPDATE statements SET title = ?, author = ?, date_text = ?, sort_date = ?,"
                " source = ?, content_hash = ?, meta_json = ?, language = ?, translation_of = ?,"
                " updated_at = ? WHERE slug = ?",
                (*values, *more, now, st.slug),
            )
        else:
            await conn.execute(
                "INSERT INTO statements (title, author, date_text, sort_date, source,"
                " content_hash, meta_json, language, translation_of, slug, hidden, created_at,"
                " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?)",
                (*values, *more, st.slug, now, now),
            )
        await self._write_paragraphs(conn, st)

    async def sync_builtin(self, statements: Iterable[Statement], now: datetime) -> SyncResult:
        """Make the stored built-in statements equal to ``statements``; idempotent.

        Compares content hashes first: when nothing changed, no transaction is opened.
        Hidden built-ins stay hidden; an uploaded statement with the same slug is left alone.
        """
        wanted = {st.slug: st for st in statements}
        cur = await self.db.conn.execute(
            "SELECT slug, source, content_hash, hidden FROM statements"
        )
        existing = {
            r["slug"]: (r["source"], r["content_hash"], bool(r["hidden"]))
            for r in await cur.fetchall()
        }
        to_add: list[Statement] = []
        to_update: list[Statement] = []
        hidden = unchanged = 0
        for slug, st in wanted.items():
            if slug not in existing:
                to_add.append(st)
                continue
            source, digest, is_hidden = existing[slug]
            if source != "builtin":
                unchanged += 1  # an upload owns the slug; keep it
            elif is_hidden:
                hidden += 1
            elif digest != st.content_hash:
                to_update.append(st)
            else:
                unchanged += 1
        stale = [
            slug
            for slug, (source, _, is_hidden) in existing.items()
            if source == "builtin" and slug not in wanted and not is_hidden
        ]
        if not (to_add or to_update or stale):
            return SyncResult(unchanged=unchanged, hidden=hidden)
        stamp = db_time(now)
        async with self.db.transaction() as conn:
            for st in to_add:
                await self._upsert(conn, st, stamp, exists=False)
            for st in to_update:
                await self._upsert(conn, st, stamp, exists=True)
            for slug in stale:
                await self._delete_paragraphs(conn, slug)
                await conn.execute("DELETE FROM statements WHERE slug = ?", (slug,))
        return SyncResult(
            added=len(to_add),
            updated=len(to_update),
            removed=len(stale),
            unchanged=unchanged,
            hidden=hidden,
        )

    async def add_statement(self, st: Statement, now: datetime) -> str:
        """Store a new (uploaded) statement under a free slug (slug, slug-2, ...); return it."""
        stamp = db_time(now)
        async with self.db.transaction() as conn:
            slug = st.slug
            for n in range(2, 1000):
                cur = await conn.execute("SELECT 1 FROM statements WHERE slug = ?", (slug,))
                if await cur.fetchone() is None:
                    break
                slug = f"{st.slug[:56]}-{n}"
            else:
                raise SlugTaken(st.slug)
            if slug != st.slug:
                st = dataclasses.replace(st, slug=slug)
            await self._upsert(conn, st, stamp, exists=False)
        return slug

    async def remove_statement(self, slug: str, now: datetime) -> bool:
        """Delete an uploaded statement or hide a built-in one; False when not found."""
        stamp = db_time(now)
        async with self.db.transaction() as conn:
            cur = await conn.execute(
                "SELECT source, hidden FROM statements WHERE slug = ?", (slug,)
            )
            row = await cur.fetchone()
            if row is None or bool(row["hidden"]):
                return False
            await self._delete_paragraphs(conn, slug)
            if row["source"] == "builtin":
                await conn.execute(
                    "UPDATE statements SET hidden = 1, content_hash = '', updated_at = ?"
                    " WHERE slug = ?",
                    (stamp, slug),
                )
            else:
                await conn.execute("DELETE FROM statements WHERE slug = ?", (slug,))
        return True

    async def restore_statement(self, slug: str, now: datetime) -> bool:
        """Un-hide a built-in statement (re-indexed by the next ``sync_builtin``)."""
        async with self.db.transaction() as conn:
            cur = await conn.execute(
                "UPDATE statements SET hidden = 0, content_hash = '', updated_at = ?"
                " WHERE slug = ? AND hidden = 1",
                (db_time(now), slug),
            )
            return cur.rowcount > 0

    # ------------------------------------------------------------------ reads

    async def list_statements(self, *, include_hidden: bool = False) -> list[StatementRecord]:
        cur = await self.db.conn.execute(
            f"SELECT {_STATEMENT_COLS} FROM statements s"
            " WHERE (? OR s.hidden = 0)"
            " ORDER BY s.sort_date IS NULL, s.sort_date DESC, s.title COLLATE NOCASE",
            (1 if include_hidden else 0,),
        )
        return [_statement(r) for r in await cur.fetchall()]

    async def get_statement(self, slug: str) -> StatementRecord | None:
        cur = await self.db.conn.execute(
            f"SELECT {_STATEMENT_COLS} FROM statements s WHERE s.slug = ?", (slug,)
        )
        row = await cur.fetchone()
        return _statement(row) if row else None

    async def get_paragraphs(self, slug: str) -> list[ParagraphRecord]:
        cur = await self.db.conn.execute(
            "SELECT id, slug, idx, heading, text FROM paragraphs WHERE slug = ? ORDER BY idx",
            (slug,),
        )
        return [_paragraph(r) for r in await cur.fetchall()]

    async def get_paragraph(self, slug: str, idx: int) -> ParagraphRecord | None:
        cur = await self.db.conn.execute(
            "SELECT id, slug, idx, heading, text FROM paragraphs WHERE slug = ? AND idx = ?",
            (slug, idx),
        )
        row = await cur.fetchone()
        return _paragraph(row) if row else None

    async def paragraphs_by_id(self, ids: Sequence[int]) -> dict[int, ParagraphRecord]:
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        cur = await self.db.conn.execute(
            f"SELECT id, slug, idx, heading, text FROM paragraphs WHERE id IN ({marks})",
            tuple(ids),
        )
        return {int(r["id"]): _paragraph(r) for r in await cur.fetchall()}

    async def all_paragraphs(self) -> list[tuple[ParagraphRecord, str]]:
        """Every indexed paragraph with its statement title (for the search vocabulary)."""
        cur = await self.db.conn.execute(
            "SELECT p.id, p.slug, p.idx, p.heading, p.text, s.title FROM paragraphs p"
            " JOIN statements s ON s.slug = p.slug WHERE s.hidden = 0 ORDER BY p.id"
        )
        return [(_paragraph(r), r["title"]) for r in await cur.fetchall()]

    async def paragraph_count(self) -> int:
        cur = await self.db.conn.execute("SELECT count(*) FROM paragraphs")
        row = await cur.fetchone()
        return int(row[0]) if row else 0

    async def paragraph_at(self, n: int) -> ParagraphRecord | None:
        """The n-th paragraph (0-based) in a stable order, for random picks."""
        cur = await self.db.conn.execute(
            "SELECT id, slug, idx, heading, text FROM paragraphs ORDER BY id LIMIT 1 OFFSET ?",
            (n,),
        )
        row = await cur.fetchone()
        return _paragraph(row) if row else None

    # ------------------------------------------------------------------ full-text search

    async def fts_search(
        self, match: str, *, limit: int = 1000, weights: tuple[float, float, float] = BM25_WEIGHTS
    ) -> list[FtsRow]:
        """Rows matching an FTS5 MATCH expression (caller builds it safely), best bm25 first."""
        cur = await self.db.conn.execute(
            "SELECT p.id, p.slug, p.idx, p.heading, p.text,"
            " bm25(paragraphs_fts, ?, ?, ?) AS score,"
            " highlight(paragraphs_fts, 2, char(2), char(3)) AS hl"
            " FROM paragraphs_fts JOIN paragraphs p ON p.id = paragraphs_fts.rowid"
            " WHERE paragraphs_fts MATCH ? ORDER BY score LIMIT ?",
            (*weights, match, limit),
        )
        return [
            FtsRow(paragraph=_paragraph(r), bm25=float(r["score"]), highlighted=r["hl"])
            for r in await cur.fetchall()
        ]

    async def fts_rowids(self, match: str) -> set[int]:
        cur = await self.db.conn.execute(
            "SELECT rowid FROM paragraphs_fts WHERE paragraphs_fts MATCH ?", (match,)
        )
        return {int(r[0]) for r in await cur.fetchall()}

    async def fts_count(self, match: str) -> int:
        cur = await self.db.conn.execute(
            "SELECT count(*) FROM paragraphs_fts WHERE paragraphs_fts MATCH ?", (match,)
        )
        row = await cur.fetchone()
        return int(row[0]) if row else 0
