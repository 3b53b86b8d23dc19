"""The content core: statements, excerpts, hybrid search and the facts table.

Everything the /statements, /excerpt, /compare, /facts, /table and inline handlers call.
No Telegram code here; SQL lives in :mod:`storage.content` and :mod:`storage.vectors`.
Search: :mod:`bot.content.search` (lexical :mod:`bot.content.lexical` + dense vectors);
queries in other languages also through :mod:`bot.content.glossary`; facts matching:
:mod:`bot.content.facts`.
"""

from __future__ import annotations

import asyncio
import random
from collections import OrderedDict
from typing import TYPE_CHECKING

from bot.clock import Clock, SystemClock
from bot.content.corpus import FactRow, Paragraph, Statement, load_manifest
from bot.content.facts import FactMatcher
from bot.content.results import (
    Excerpt,
    FactMatch,
    Hit,
    SearchPage,
    StatementInfo,
    StatementPage,
    highlight_html,
)
from bot.content.search import Doc, HybridSearch, Mode, Ranked
from bot.content.text import fold, query_language, words
from storage.content import ContentRepository, SyncResult
from storage.db import Database
from storage.hints import HintRepository
from storage.vectors import VectorRepository

if TYPE_CHECKING:
    from bot.content.glossary import Glossary

SEARCH_CACHE_SIZE = 512  # result pages kept; a page is a few KB
SEARCH_CACHE_MAX_QUERY = 200  # longer queries are rarely repeated: not cached

CacheKey = tuple[str, int, int, str, str]


class ContentService:
    """Statements, excerpts, search and facts over one :class:`Database`."""

    def __init__(self, db: Database, clock: Clock | None = None) -> None:
        self.db = db
        self.repo = ContentRepository(db)
        self.hints = HintRepository(db)  # uploaded statements' questions
        self.clock: Clock = clock or SystemClock()
        manifest = load_manifest()
        self._builtin: tuple[Statement, ...] = manifest.statements
        self._facts: tuple[FactRow, ...] = manifest.facts
        self.table_source_title = manifest.table_source_title
        self.table_source_slug = manifest.table_source_slug
        self._statements: dict[str, StatementInfo] = {}
        self.searcher = HybridSearch(self.repo, VectorRepository(db))
        self._matcher = FactMatcher(self._facts)
        # Popular queries repeat ("genocide", "blockade"): keep recent result pages. The
        # corpus changes only through this service, and every change clears the cache.
        self._search_cache: OrderedDict[CacheKey, SearchPage] = OrderedDict()
        # Bumped on every corpus change: a search that overlapped one (chats are served
        # concurrently) must not put its possibly stale page into the cache.
        self._generation = 0
        self._glossary: Glossary | None = None  # read on the first query in another language

    # ------------------------------------------------------------------ lifecycle

    async def load(self) -> SyncResult:
        """Index the built-in corpus (idempotent, no writes when unchanged).

        The model and the vectors are not made here: :meth:`warm_up` makes them once the bot
        is polling (a thread loading them during start-up competes with it for the GIL), and
        tokenises what is new if the model was not loaded yet (a first start)."""
        result = await self.repo.sync_builtin(self._builtin, self.clock.now())
        await self._refresh(prepare=False, defer=True)
        return result

    async def warm_up(self) -> None:
        """Tokenise what the first start left, load the model and make the vectors now, in a
        thread (the search-warmup job)."""
        await self.searcher.complete()
        await asyncio.to_thread(self.searcher.prepare)

    async def _refresh(self, *, prepare: bool = True, defer: bool = False) -> None:
        self._generation += 1
        self._search_cache.clear()
        self._statements = {
            rec.slug: StatementInfo.from_record(rec) for rec in await self.repo.list_statements()
        }
        docs = {s.slug: Doc(s.language, s.translation_of) for s in self._statements.values()}
        rows = await self.repo.all_paragraphs()
        await self.searcher.refresh(rows, docs, await self.hints.visible(), defer=defer)
        self._generation += 1  # and again: a search that began during the refresh is stale too
        # After a corpus change the model and the vectors (numpy) are remade in the background,
        # so the next search usually finds them ready (it waits for them otherwise).
        if prepare:
            asyncio.get_running_loop().run_in_executor(None, self.searcher.prepare)

    def clear_cache(self) -> None:
        self._search_cache.clear()

    # ------------------------------------------------------------------ statements

    async def list_statements(self) -> list[StatementInfo]:
        return [StatementInfo.from_record(r) for r in await self.repo.list_statements()]

    async def get_statement(self, slug: str) -> StatementInfo | None:
        rec = await self.repo.get_statement(slug)
        return StatementInfo.from_record(rec) if rec and not rec.hidden else None

    async def get_paragraphs(self, slug: str) -> list[Paragraph]:
        return [p.to_paragraph() for p in await self.repo.get_paragraphs(slug)]

    async def statement_page(self, slug: str, idx: int) -> StatementPage | None:
        """Paragraph ``idx`` (0-based, clamped into range) of a statement, for paging."""
        info = await self.get_statement(slug)
        if info is None or info.paragraph_count == 0:
            return None
        idx = max(0, min(idx, info.paragraph_count - 1))
        rec = await self.repo.get_paragraph(slug, idx)
        if rec is None:
            return None
        before = tuple(m.text for m in info.meta if m.kind == "heading" and m.position == idx)
        return StatementPage(
            statement=info,
            paragraph=rec.to_paragraph(),
            index=idx,
            total=info.paragraph_count,
            headings_before=before,
        )

    async def random_paragraph(self, rng: random.Random) -> Excerpt | None:
        count = await self.repo.paragraph_count()
        if count == 0:
            return None
        rec = await self.repo.paragraph_at(rng.randrange(count))
        if rec is None:
            return None
        info = self._statements.get(rec.slug) or await self.get_statement(rec.slug)
        if info is None:
            return None
        return Excerpt(paragraph=rec.to_paragraph(), statement=info)

    async def add_statement(self, statement: Statement) -> StatementInfo:
        """Store an uploaded statement (see :func:`bot.content.upload.parse_uploaded`);
        it is searchable, by words and by meaning, when this returns."""
        slug = await self.repo.add_statement(statement, self.clock.now())
        await self._refresh()
        info = await self.get_statement(slug)
        assert info is not None
        return info

    async def remove_statement(self, slug: str) -> bool:
        """Delete an uploaded statement, or hide a built-in one (stays hidden on restart)."""
        removed = await self.repo.remove_statement(slug, self.clock.now())
        if removed:
            await self._refresh()
        return removed

    async def restore_statement(self, slug: str) -> bool:
        """Bring back a hidden built-in statement."""
        restored = await self.repo.restore_statement(slug, self.clock.now())
        if restored:
            await self.load()
        return restored

    def statement_info(self, slug: str) -> StatementInfo | None:
        return self._statements.get(slug)

    # ------------------------------------------------------------------ search

    async def search(
        self,
        query: str,
        limit: int = 5,
        offset: int = 0,
        *,
        lang: str = "en",
        mode: Mode = "hybrid",
    ) -> SearchPage:
        """Ranked passages for a query, in ``lang`` where a translation exists; never raises
        on odd input. ``foreign`` is set when the query is in a language no statement is in."""
        key = (query, limit, offset, lang, mode)
        cached = self._search_cache.get(key)
        if cached is not None:
            self._search_cache.move_to_end(key)
            return cached
        generation = self._generation
        page = await self._search(query, limit, offset, lang, mode)
        if len(query) <= SEARCH_CACHE_MAX_QUERY and generation == self._generation:
            self._search_cache[key] = page
            if len(self._search_cache) > SEARCH_CACHE_SIZE:
                self._search_cache.popitem(last=False)
        return page

    async def _search(
        self, query: str, limit: int, offset: int, lang: str, mode: Mode
    ) -> SearchPage:
        qlang = query_language(query)
        ranked = await self._rank(query, qlang, lang, mode)
        ranked = [r for r in ranked if r.paragraph.slug in self._statements]
        foreign = qlang if qlang not in self.searcher.languages() else None
        start = max(0, offset)
        hits = [
            Hit(
                paragraph=r.paragraph.to_paragraph(),
                statement=self._statements[r.paragraph.slug],
                score=r.score,
                highlighted_html=r.highlighted_html,
            )
            for r in ranked[start : start + max(0, limit)]
        ]
        return SearchPage(hits=hits, total=len(ranked), foreign=foreign)

    async def _rank(self, query: str, qlang: str, lang: str, mode: Mode) -> list[Ranked]:
        """The query searched as typed; one in another language also through the glossary
        (its known terms in English, the rest dropped), since the index and the model only
        understand English. When statements exist in the query's language (an uploaded
        translation), the as-typed ranking finds them and stays first; otherwise the
        glossary's passages lead, as the typed words are mostly unknown to the index."""
        ranked = await self.searcher.rank(query, lang, mode)
        if qlang == "en":
            return ranked
        if self._glossary is None:  # a few hundred rows stemmed once: not on the event loop
            # Imported here too: its Unicode patterns are compiled at import, and most starts
            # see no query in another language.
            from bot.content.glossary import shared_glossary

            self._glossary = await asyncio.to_thread(shared_glossary)
        english = self._glossary.translate(query, qlang)
        if not english:
            return ranked
        translated = await self.searcher.rank(english, lang, mode)
        own_first = qlang in self.searcher.languages()
        merged: list[Ranked] = []
        seen: set[tuple[str, int]] = set()
        for r in (*ranked, *translated) if own_first else (*translated, *ranked):
            key = (r.paragraph.slug, r.paragraph.idx)
            if key not in seen:
                seen.add(key)
                merged.append(r)
        return merged

    async def plain_search(self, query: str, limit: int = 5) -> list[Paragraph]:
        """Baseline for the benchmark: plain FTS5 bm25 (words ANDed). Not used by the bot."""
        return [r.paragraph.to_paragraph() for r in await self.searcher.lexical.plain(query, limit)]

    # ------------------------------------------------------------------ facts

    def facts(self) -> tuple[FactRow, ...]:
        return self._facts

    def fact(self, key: str) -> FactRow | None:
        return next((r for r in self._facts if r.key == key), None)

    def match_fact(self, query: str) -> FactMatch:
        """Find the table row a loose query means: exact row, candidates, or none."""
        return self._matcher.match_fact(query)


__all__ = [
    "ContentService",
    "Excerpt",
    "FactMatch",
    "Hit",
    "SearchPage",
    "StatementInfo",
    "StatementPage",
    "fold",
    "highlight_html",
    "words",
]
