"""The content core: statements, excerpts, tolerant full-text search and the facts table.

Everything the /statements, /excerpt, /compare, /facts, /table and inline handlers call.
No Telegram code here; SQL lives in :mod:`storage.content`.

Search pipeline (see docs/search-quality.md):

1. fold the query (NFKC, casefold, strip diacritics), pull out "quoted phrases" and word
   tokens; drop English stop words (unless nothing else is left);
2. each token becomes an OR-group of FTS5 terms: the token itself when the porter-stemmed
   index knows it; spelling/word-form variants (-ise/-ize, -ism/-ist, nationality forms);
   curated synonyms for campaign terms; and, when the token is unknown, its closest
   vocabulary words by edit distance (rapidfuzz OSA, ties broken by document frequency),
   or a prefix match ``"tok"*`` for half-typed words;
3. one FTS5 query ORs all groups (bm25, text weighted over heading/title); per-group row
   sets give an IDF-weighted *coverage* (how much of the question a paragraph answers);
4. score = coverage blended with normalised bm25; highlights come from FTS5 ``highlight()``
   on the exact stored text, then :func:`bot.content.corpus.display_text` and HTML escaping.
"""

from __future__ import annotations

import html
import itertools
import math
import random
import re
import unicodedata
from collections import Counter, OrderedDict
from dataclasses import dataclass
from typing import Literal

from rapidfuzz import process
from rapidfuzz.distance import OSA

from bot.clock import Clock, SystemClock
from bot.content.corpus import (
    FactRow,
    MetaLine,
    Paragraph,
    Statement,
    display_text,
    load_manifest,
)
from storage.content import ContentRepository, FtsRow, StatementRecord, SyncResult
from storage.db import Database

MAX_QUERY_CHARS = 300
MAX_QUERY_TOKENS = 12
#: weight of coverage vs. normalised bm25 in the final score
SEARCH_CACHE_SIZE = 512  # result pages kept; a page is a few KB
SEARCH_CACHE_MAX_QUERY = 200  # longer queries are rarely repeated: not cached
COVERAGE_WEIGHT = 0.7
#: share of a group's weight earned through a variant/synonym instead of the user's own word
ALT_CREDIT = 0.75
#: bonus for paragraphs where neighbouring query words occur near each other
PROXIMITY_WEIGHT = 0.2


def _wordlist(text: str) -> tuple[str, ...]:
    return tuple(text.split())


STOP_WORDS = frozenset(
    _wordlist(
        """
    a about above after again against all am an and any are aren as at be because been before
    being below between both but by can cannot could couldn did didn do does doesn doing don
    down during each few for from further had hadn has hasn have haven having he her here hers
    herself him himself his how i if in into is isn it its itself just let me more most my
    myself no nor not now of off on once only or other ought our ours ourselves out over own
    same shall she should so some such than that the their theirs them themselves then there
    these they this those through to too under until up very was wasn we were weren what when
    where which while who whom why will with won would you your yours yourself yourselves
    tell say says said think thing things anything something really also please want know
    does doing group groups statement statements text quote excerpt paragraph
    """
    )
)

# Curated synonyms for campaign terms (query word -> extra index words).
SYNONYMS: dict[str, tuple[str, ...]] = {
    "weapon": ("arms", "militarily"),
    "weapons": ("arms", "militarily"),
    "arming": ("arms", "militarily"),
    "arm": ("arms",),
    "guns": ("arms",),
    "campist": ("campism",),
    "campists": ("campism",),
    "email": ("gmail", "touch"),
    "mail": ("gmail",),
    "contact": ("gmail", "touch"),
    "website": ("web", "site"),
    "meeting": ("meetings", "discussions"),
    "meet": ("meetings",),
    "bombing": ("bombing", "bombed", "attacks"),
    "airstrikes": ("bombing", "attacks"),
    "airstrike": ("bombing", "attacks"),
    "strikes": ("attacks", "bombing"),
    "killing": ("massacres", "killed"),
    "killings": ("massacres", "killed"),
    "ceasefire": ("ceasefire", "peace"),
    "usa": ("united", "states", "america"),
    "america": ("united", "states", "us"),
    "american": ("united", "states", "america"),
    "west": ("western",),
    "putin": ("putin", "russia"),
    "zionist": ("zionist", "israel"),
    "zionism": ("zionist",),
    "boycott": ("boycott", "sanctions"),
    "bds": ("boycott", "divestment", "sanctions"),
    "famine": ("famine", "food", "starving"),
    "starvation": ("famine", "food"),
    "hunger": ("famine", "food"),
    "protest": ("protests", "demonstrations"),
    "demo": ("demonstrations", "protest"),
    "demos": ("demonstrations", "protests"),
    "march": ("march", "demonstrations"),
    "rearmament": ("rearmament", "defence"),
    "defense": ("defence",),
    "colonization": ("colonization", "colonisation", "colonial", "colonialism"),
    "colonisation": ("colonization", "colonisation", "colonial", "colonialism"),
    "colonialism": ("colonial", "colonization", "colonisation"),
    "colonial": ("colonialism",),
    "colony": ("colonial",),
    "settler": ("settlers",),
    "lefts": ("left",),
    "leftist": ("left",),
    "leftists": ("left",),
    "unions": ("unionists",),
    "union": ("unionists",),
    "pacifist": ("pacifism",),
    "pacifists": ("pacifism",),
    "antisemitic": ("antisemitism",),
    "terrorism": ("terrorist", "terror"),
    "jews": ("jewish", "jews"),
    "jew": ("jewish", "jews"),
    "uk": ("british", "britain"),
    "gazans": ("gazans", "gaza"),
    "gazan": ("gazans", "gaza"),
}

# Word-form rewrites tried on unknown-or-known tokens (suffix -> replacements).
_SUFFIX_VARIANTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("izations", ("isations", "ization", "isation")),
    ("isations", ("izations", "isation", "ization")),
    ("ization", ("isation", "ize", "ise")),
    ("isation", ("ization", "ise", "ize")),
    ("izing", ("ising", "ize", "ise")),
    ("ising", ("izing", "ise", "ize")),
    ("ized", ("ised",)),
    ("ised", ("ized",)),
    ("ize", ("ise",)),
    ("ise", ("ize",)),
    ("ists", ("ism", "ist")),
    ("ist", ("ism", "ists")),
    ("isms", ("ism", "ist")),
    ("ism", ("ist", "ists")),
    ("ians", ("ia", "ian", "e", "")),
    ("ian", ("ia", "e", "", "ians")),
    ("ese", ("",)),
    ("ies", ("y",)),
    ("our", ("or",)),
    ("or", ("our",)),
    ("ence", ("ense",)),
    ("ense", ("ence",)),
)

_WORD = re.compile(r"[^\W_]+")
_PHRASE = re.compile(r"[\"“”«»„]([^\"“”«»„]+)[\"“”«»„]")


def fold(text: str) -> str:
    """NFKC + casefold + strip diacritics (like unicode61 remove_diacritics 2)."""
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text).casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def words(text: str) -> list[str]:
    return _WORD.findall(fold(text))


def _fts_term(token: str, *, prefix: bool = False) -> str:
    """A single FTS5 string token, always quoted (user input never reaches FTS syntax)."""
    quoted = '"' + token.replace('"', '""') + '"'
    return quoted + "*" if prefix else quoted


# ---------------------------------------------------------------------------- results


@dataclass(frozen=True, slots=True)
class StatementInfo:
    slug: str
    title: str
    author: str
    date: str
    sort_date: str | None
    source: str
    paragraph_count: int
    meta: tuple[MetaLine, ...] = ()

    @classmethod
    def from_record(cls, rec: StatementRecord) -> StatementInfo:
        return cls(
            slug=rec.slug,
            title=rec.title,
            author=rec.author,
            date=rec.date_text,
            sort_date=rec.sort_date,
            source=rec.source,
            paragraph_count=rec.paragraph_count,
            meta=rec.meta,
        )


@dataclass(frozen=True, slots=True)
class Hit:
    paragraph: Paragraph
    statement: StatementInfo
    score: float
    highlighted_html: str  # display text, HTML-escaped, matched words in <b>..</b>

    @property
    def display_text(self) -> str:
        return display_text(self.paragraph.text)


@dataclass(frozen=True, slots=True)
class SearchPage:
    hits: list[Hit]
    total: int


@dataclass(frozen=True, slots=True)
class Excerpt:
    paragraph: Paragraph
    statement: StatementInfo

    @property
    def display_text(self) -> str:
        return display_text(self.paragraph.text)


@dataclass(frozen=True, slots=True)
class StatementPage:
    statement: StatementInfo
    paragraph: Paragraph
    index: int  # 0-based
    total: int
    headings_before: tuple[str, ...]  # sub-headings placed right before this paragraph

    @property
    def has_prev(self) -> bool:
        return self.index > 0

    @property
    def has_next(self) -> bool:
        return self.index + 1 < self.total

    @property
    def display_text(self) -> str:
        return display_text(self.paragraph.text)


@dataclass(frozen=True, slots=True)
class FactMatch:
    kind: Literal["exact", "candidates", "none"]
    row: FactRow | None = None
    candidates: tuple[FactRow, ...] = ()


@dataclass(frozen=True, slots=True)
class _Group:
    label: str  # the user's word or phrase
    expr: str  # FTS5 expression for this group
    weight: float = 1.0
    primary: str | None = None  # the user's own term when the group also has alternatives


def highlight_html(marked: str) -> str:
    """Turn FTS5 highlight output (\\x02..\\x03 marks) into safe HTML with <b> tags.

    Escapes first, then inserts tags; unbalanced marks are repaired, never emitted broken.
    """
    escaped = html.escape(display_text(marked), quote=False)
    out: list[str] = []
    open_ = False
    for ch in escaped:
        if ch == "\x02":
            if not open_:
                out.append("<b>")
                open_ = True
        elif ch == "\x03":
            if open_:
                out.append("</b>")
                open_ = False
        else:
            out.append(ch)
    if open_:
        out.append("</b>")
    return "".join(out).replace("<b></b>", "")


# ---------------------------------------------------------------------------- facts matching

_FACT_KEYWORDS: dict[str, tuple[str, ...]] = {
    "invasion": _wordlist(
        "invasion invade invaded invader occupation occupy occupied occupier incursion annex"
        " annexation war aggression full-scale"
    ),
    "settler-colonial": _wordlist(
        "settler settlers settlement settlements colonial colonialism colonisation colonization"
        " colony colonise colonize colonist colonists cleansing cleanse homes land stolen"
    ),
    "authoritarian": _wordlist(
        "authoritarian authoritarianism dictatorship dictator apartheid torture tortured"
        " repression oppression elections democracy unions rule regime police"
    ),
    "bombs-civilians": _wordlist(
        "bomb bombs bombing bombed bomber airstrike airstrikes air-strikes strikes shelling"
        " missiles drones civilians civilian punishment collective blockade starving starvation"
        " famine killed casualties deaths"
    ),
    "genocide": _wordlist(
        "genocide genocidal extermination exterminate massacre massacres bucha eliminating"
        " elimination"
    ),
    "outside-support": _wordlist(
        "support supporter supporters supported backing backer backers allies ally alliance"
        " weapons weapon arms funding financial money sponsors sponsor outside help"
        " aid oil"
    ),
}
_FACT_PHRASES: dict[str, tuple[str, ...]] = {
    "bombs-civilians": ("air strike", "air strikes", "collective punishment", "air raid"),
    "settler-colonial": ("ethnic cleansing", "settler colonial"),
    "authoritarian": ("military rule", "fake elections", "trade unions"),
    "outside-support": ("military backing", "military aid", "outside support", "arms supply"),
    "invasion": ("full scale invasion",),
}
_FACT_IGNORE = STOP_WORDS | {"israel", "palestine", "russia", "ukraine", "yes", "israeli"}


def _crude_stem(word: str) -> str:
    w = word.replace("iz", "is")
    for suffix in (
        "isations",
        "isation",
        "ations",
        "ation",
        "ising",
        "ised",
        "ises",
        "ists",
        "isms",
        "ist",
        "ism",
        "ers",
        "ings",
        "ing",
        "ally",
        "al",
        "ed",
        "es",
        "er",
        "s",
    ):
        if w.endswith(suffix) and len(w) - len(suffix) >= 4:
            return w[: -len(suffix)]
    return w


def _stems_match(a: str, b: str) -> bool:
    if a == b:
        return True
    sa, sb = _crude_stem(a), _crude_stem(b)
    if sa == sb:
        return True
    short, long_ = (sa, sb) if len(sa) <= len(sb) else (sb, sa)
    if len(short) >= 5 and long_.startswith(short):
        return True
    return min(len(a), len(b)) >= 6 and OSA.distance(a, b) <= 1


# ---------------------------------------------------------------------------- the service


class ContentService:
    """Statements, excerpts, search and facts over one :class:`Database`."""

    def __init__(self, db: Database, clock: Clock | None = None) -> None:
        self.db = db
        self.repo = ContentRepository(db)
        self.clock: Clock = clock or SystemClock()
        manifest = load_manifest()
        self._builtin: tuple[Statement, ...] = manifest.statements
        self._facts: tuple[FactRow, ...] = manifest.facts
        self.table_source_title = manifest.table_source_title
        self.table_source_slug = manifest.table_source_slug
        self._statements: dict[str, StatementInfo] = {}
        self._vocab: dict[str, int] = {}
        self._vocab_words: list[str] = []
        self._n_docs = 0
        self._known: dict[str, int] = {}
        self._fact_words = self._build_fact_words()
        # Popular queries repeat ("genocide", "blockade"): keep recent result pages. The
        # corpus changes only through this service, and every change clears the cache.
        self._search_cache: OrderedDict[tuple[str, int, int], SearchPage] = OrderedDict()
        # Bumped on every corpus change: a search that overlapped one (chats are served
        # concurrently) must not put its possibly stale page into the cache.
        self._generation = 0

    # ------------------------------------------------------------------ lifecycle

    async def load(self) -> SyncResult:
        """Index the built-in corpus (idempotent, no writes when unchanged) and warm caches."""
        result = await self.repo.sync_builtin(self._builtin, self.clock.now())
        await self._refresh()
        return result

    async def _refresh(self) -> None:
        self._generation += 1
        self._search_cache.clear()
        self._statements = {
            rec.slug: StatementInfo.from_record(rec) for rec in await self.repo.list_statements()
        }
        df: Counter[str] = Counter()
        rows = await self.repo.all_paragraphs()
        for para, title in rows:
            df.update(set(words(f"{title} {para.heading or ''} {para.text}")))
        self._vocab = dict(df)
        self._vocab_words = sorted(df)
        self._n_docs = len(rows)
        self._known = {}
        self._generation += 1  # and again: a search that began during the refresh is stale too

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
        """Store an uploaded statement (see :func:`bot.content.corpus.parse_uploaded`)."""
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

    # ------------------------------------------------------------------ search

    async def _doc_count(self, token: str) -> int:
        """How many paragraphs the (porter-stemmed) index matches for a plain token."""
        cached = self._known.get(token)
        if cached is None:
            cached = await self.repo.fts_count(_fts_term(token))
            if len(self._known) > 5000:
                self._known.clear()
            self._known[token] = cached
        return cached

    def _variants(self, token: str) -> set[str]:
        out: set[str] = set()
        for suffix, repls in _SUFFIX_VARIANTS:
            if token.endswith(suffix) and len(token) - len(suffix) >= 3:
                stem = token[: -len(suffix)]
                out.update(stem + r for r in repls)
        if token.endswith("s") and len(token) > 4:
            out.add(token[:-1])
        return {v for v in out if v in self._vocab and v != token}

    def _corrections(self, token: str) -> list[str]:
        if len(token) < 4 or not self._vocab_words:
            return []
        max_d = 1 if len(token) <= 5 else 2
        found = process.extract(
            token,
            self._vocab_words,
            scorer=OSA.distance,
            score_cutoff=max_d,
            limit=20,
        )
        if not found:
            return []
        best = min(d for _, d, _ in found)
        cands = [w for w, d, _ in found if d == best and len(w) >= 3]
        cands.sort(key=lambda w: (-self._vocab.get(w, 0), w))
        return cands[:2]

    async def _token_group(self, token: str) -> _Group | None:
        terms: list[str] = []
        known = await self._doc_count(token) > 0
        if known:
            terms.append(_fts_term(token))
        alts = set(self._variants(token))
        for syn in SYNONYMS.get(token, ()):
            if syn != token:
                alts.add(syn)
        weight = 1.0
        if not known:
            fixes = self._corrections(token)
            alts.update(fixes)
            if not fixes and not alts and len(token) >= 3:
                if any(w.startswith(token) for w in self._vocab_words):
                    terms.append(_fts_term(token, prefix=True))
                weight = 0.8
            elif fixes:
                weight = 0.9
        for alt in sorted(alts):
            if alt in self._vocab or await self._doc_count(alt) > 0:
                terms.append(_fts_term(alt))
        if not terms:
            return None
        if len(terms) == 1:
            return _Group(label=token, expr=terms[0], weight=weight)
        expr = "(" + " OR ".join(terms) + ")"
        return _Group(label=token, expr=expr, weight=weight, primary=terms[0] if known else None)

    async def _groups(self, query: str) -> list[_Group]:
        query = query[:MAX_QUERY_CHARS]
        groups: list[_Group] = []
        for phrase in _PHRASE.findall(query):
            toks = words(phrase)[:MAX_QUERY_TOKENS]
            if len(toks) >= 2:
                expr = _fts_term(" ".join(toks))
                if await self.repo.fts_count(expr) > 0:
                    groups.append(_Group(label=phrase, expr=expr, weight=2.0))
                    query = query.replace(phrase, " ")
        tokens = [t for t in words(query) if len(t) > 1 or t.isdigit()]
        content = [t for t in tokens if t not in STOP_WORDS]
        if not content and not groups:
            content = tokens
        seen: set[str] = set()
        for tok in content:
            if tok in seen:
                continue
            seen.add(tok)
            if len(seen) > MAX_QUERY_TOKENS:
                break
            group = await self._token_group(tok)
            if group is not None:
                groups.append(group)
        return groups

    async def search(self, query: str, limit: int = 5, offset: int = 0) -> SearchPage:
        """Tolerant ranked search over visible paragraphs; never raises on odd input."""
        key = (query, limit, offset)
        cached = self._search_cache.get(key)
        if cached is not None:
            self._search_cache.move_to_end(key)
            return cached
        generation = self._generation
        page = await self._search(query, limit, offset)
        if len(query) <= SEARCH_CACHE_MAX_QUERY and generation == self._generation:
            self._search_cache[key] = page
            if len(self._search_cache) > SEARCH_CACHE_SIZE:
                self._search_cache.popitem(last=False)
        return page

    async def _search(self, query: str, limit: int, offset: int) -> SearchPage:
        groups = await self._groups(query)
        if not groups:
            return SearchPage(hits=[], total=0)
        match = " OR ".join(g.expr for g in groups)
        rows = await self.repo.fts_search(match)
        if not rows:
            return SearchPage(hits=[], total=0)
        coverage = await self._coverage(groups, rows)
        proximity = await self._proximity(groups)
        best_rel = max(-r.bm25 for r in rows) or 1.0
        scored: list[tuple[float, FtsRow]] = []
        for r in rows:
            rel = max(0.0, -r.bm25) / best_rel
            score = (
                COVERAGE_WEIGHT * coverage.get(r.paragraph.id, 0.0)
                + (1 - COVERAGE_WEIGHT) * rel
                + PROXIMITY_WEIGHT * proximity.get(r.paragraph.id, 0.0)
            )
            scored.append((score, r))
        scored.sort(key=lambda sr: (-sr[0], sr[1].bm25, sr[1].paragraph.id))
        page = scored[max(0, offset) : max(0, offset) + max(0, limit)]
        hits = []
        for score, r in page:
            info = self._statements.get(r.paragraph.slug)
            if info is None:
                continue
            hits.append(
                Hit(
                    paragraph=r.paragraph.to_paragraph(),
                    statement=info,
                    score=round(score, 6),
                    highlighted_html=highlight_html(r.highlighted),
                )
            )
        return SearchPage(hits=hits, total=len(scored))

    async def _coverage(self, groups: list[_Group], rows: list[FtsRow]) -> dict[int, float]:
        """IDF-weighted share of the query groups each row matches (alternatives count
        ALT_CREDIT of the user's own word)."""
        if len(groups) == 1 and groups[0].primary is None:
            return {r.paragraph.id: 1.0 for r in rows}
        n = max(self._n_docs, 1)
        totals: dict[int, float] = {}
        denom = 0.0
        for g in groups:
            ids = await self.repo.fts_rowids(g.expr)
            own = await self.repo.fts_rowids(g.primary) if g.primary else ids
            idf = math.log(1 + (n - len(ids) + 0.5) / (len(ids) + 0.5)) * g.weight
            denom += idf
            for rid in ids:
                credit = idf if rid in own else idf * ALT_CREDIT
                totals[rid] = totals.get(rid, 0.0) + credit
        if denom <= 0:
            return {}
        return {rid: v / denom for rid, v in totals.items()}

    async def _proximity(self, groups: list[_Group]) -> dict[int, float]:
        """Share of neighbouring query-word pairs found within 3 tokens of each other."""
        own = [
            g.primary or g.expr
            for g in groups
            if g.weight == 1.0 and "(" not in (g.primary or g.expr)
        ]
        pairs = list(itertools.pairwise(own))
        if not pairs:
            return {}
        found: Counter[int] = Counter()
        for a, b in pairs:
            found.update(await self.repo.fts_rowids(f"NEAR({a} {b}, 3)"))
        return {rid: n / len(pairs) for rid, n in found.items()}

    async def plain_search(self, query: str, limit: int = 5) -> list[Paragraph]:
        """Baseline for the benchmark: plain FTS5 bm25 with the words ANDed (FTS default),
        quoted so the syntax cannot break. Not used by the bot."""
        toks = words(query[:MAX_QUERY_CHARS])[:MAX_QUERY_TOKENS]
        if not toks:
            return []
        rows = await self.repo.fts_search(" ".join(_fts_term(t) for t in toks), limit=limit)
        return [r.paragraph.to_paragraph() for r in rows]

    def statement_info(self, slug: str) -> StatementInfo | None:
        return self._statements.get(slug)

    # ------------------------------------------------------------------ facts

    def facts(self) -> tuple[FactRow, ...]:
        return self._facts

    def fact(self, key: str) -> FactRow | None:
        return next((r for r in self._facts if r.key == key), None)

    def _build_fact_words(self) -> dict[str, tuple[set[str], set[str]]]:
        table: dict[str, tuple[set[str], set[str]]] = {}
        for row in self._facts:
            strong = set(_FACT_KEYWORDS.get(row.key, ()))
            strong.update(w for w in words(row.question) if w not in _FACT_IGNORE)
            weak = {
                w
                for w in words(f"{row.israel} {row.russia}")
                if w not in _FACT_IGNORE and len(w) > 3 and not w.isdigit()
            }
            table[row.key] = (strong, weak - strong)
        return table

    def match_fact(self, query: str) -> FactMatch:
        """Find the table row a loose query means: exact row, candidates, or none."""
        q = query.strip()[:MAX_QUERY_CHARS]
        if not q:
            return FactMatch(kind="none")
        if q.isascii() and q.isdigit() and 1 <= int(q) <= len(self._facts):
            return FactMatch(kind="exact", row=self._facts[int(q) - 1])
        folded = " ".join(words(q))
        for row in self._facts:
            if folded in (row.key.replace("-", " "), " ".join(words(row.question))):
                return FactMatch(kind="exact", row=row)
        toks = [t for t in words(q) if t not in _FACT_IGNORE and len(t) > 1]
        if not toks:
            return FactMatch(kind="none")
        scores: dict[str, float] = {}
        for row in self._facts:
            strong, weak = self._fact_words[row.key]
            score = 0.0
            for phrase in _FACT_PHRASES.get(row.key, ()):
                if f" {phrase} " in f" {folded} ":
                    score += 4.0
            for t in toks:
                if any(_stems_match(t, w) for w in strong):
                    score += 3.0
                elif any(_stems_match(t, w) for w in weak):
                    score += 1.0
            if score:
                scores[row.key] = score
        if not scores:
            return FactMatch(kind="none")
        ranked = sorted(self._facts, key=lambda r: -scores.get(r.key, 0.0))
        top = scores[ranked[0].key]
        close = tuple(r for r in ranked if scores.get(r.key, 0.0) >= 0.75 * top)
        if len(close) == 1:
            return FactMatch(kind="exact", row=close[0], candidates=close)
        return FactMatch(kind="candidates", candidates=close)


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
