"""Lexical ranking over the FTS5 index: typo-tolerant, variant- and synonym-aware coverage.

1. fold the query, pull out "quoted phrases" and word tokens; drop stop words and filler;
2. each token becomes an OR-group of FTS5 terms: the token itself when the porter-stemmed
   index knows it; spelling/word-form variants; the thesaurus's corpus terms for it
   (``bot.content.synonyms``; a known member phrase is one group of its terms); for unknown
   tokens their closest vocabulary words by edit distance (rapidfuzz OSA) or a prefix match
   ``"tok"*``;
3. one FTS5 query ORs all groups; per-group row sets give an IDF-weighted *coverage*;
4. score = coverage blended with normalised bm25 plus a proximity bonus (see
   docs/search-quality.md).
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from dataclasses import dataclass

from bot.content import synonyms
from bot.content.synonyms import Term
from bot.content.text import (
    MAX_QUERY_CHARS,
    MAX_QUERY_TOKENS,
    STOP_WORDS,
    fts_term,
    phrases,
    words,
)
from storage.content import ContentRepository, FtsRow, ParagraphRecord

#: weight of coverage vs. normalised bm25 in the final score
COVERAGE_WEIGHT = 0.7
#: share of a group's weight earned through a variant/synonym instead of the user's own word
ALT_CREDIT = 0.75
#: bonus for paragraphs where neighbouring query words occur near each other
PROXIMITY_WEIGHT = 0.2

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


@dataclass(frozen=True, slots=True)
class _Group:
    label: str  # the user's word or phrase
    expr: str  # FTS5 expression for this group
    weight: float = 1.0
    primary: str | None = None  # the user's own term when the group also has alternatives


@dataclass(frozen=True, slots=True)
class Scored:
    score: float
    row: FtsRow


class LexicalIndex:
    """The FTS5 side of search, with the vocabulary kept in memory for typo correction."""

    def __init__(self, repo: ContentRepository) -> None:
        self.repo = repo
        self._vocab: dict[str, int] = {}
        self._vocab_words: list[str] = []
        self._n_docs = 0
        self._known: dict[str, int] = {}

    def refresh(self, rows: list[tuple[ParagraphRecord, str]]) -> None:
        """Rebuild the vocabulary from (paragraph, statement title) rows."""
        df: Counter[str] = Counter()
        for para, title in rows:
            df.update(set(words(f"{title} {para.heading or ''} {para.text}")))
        self._vocab = dict(df)
        self._vocab_words = sorted(df)
        self._n_docs = len(rows)
        self._known = {}

    def knows(self, token: str) -> bool:
        return token in self._vocab

    async def _doc_count(self, token: str) -> int:
        """How many paragraphs the (porter-stemmed) index matches for a plain token."""
        cached = self._known.get(token)
        if cached is None:
            cached = await self.repo.fts_count(fts_term(token))
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
        # rapidfuzz (about 40 modules) is imported by the first typo, not at start-up.
        from rapidfuzz import process
        from rapidfuzz.distance import OSA

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

    async def _token_group(self, token: str, targets: tuple[str, ...] = ()) -> _Group | None:
        terms: list[str] = []
        known = await self._doc_count(token) > 0
        if known:
            terms.append(fts_term(token))
        alts = set(self._variants(token))
        alts.update(t for t in targets if t != token)
        weight = 1.0
        if not known:
            # a word the thesaurus knows is a real word, not a typo: "fascism" is not "racism"
            bridged = [t for t in targets if t in self._vocab or await self._doc_count(t) > 0]
            fixes = [] if bridged else self._corrections(token)
            alts.update(fixes)
            if not fixes and not alts and len(token) >= 3:
                if any(w.startswith(token) for w in self._vocab_words):
                    terms.append(fts_term(token, prefix=True))
                weight = 0.8
            elif fixes:
                weight = 0.9
        for alt in sorted(alts):
            if alt in self._vocab or await self._doc_count(alt) > 0:
                terms.append(fts_term(alt))
        if not terms:
            return None
        if len(terms) == 1:
            return _Group(label=token, expr=terms[0], weight=weight)
        expr = "(" + " OR ".join(terms) + ")"
        return _Group(label=token, expr=expr, weight=weight, primary=terms[0] if known else None)

    async def _groups(self, query: str) -> list[_Group]:
        query = query[:MAX_QUERY_CHARS]
        groups: list[_Group] = []
        for phrase in phrases(query):
            toks = words(phrase)[:MAX_QUERY_TOKENS]
            if len(toks) >= 2:
                expr = fts_term(" ".join(toks))
                if await self.repo.fts_count(expr) > 0:
                    groups.append(_Group(label=phrase, expr=expr, weight=2.0))
                    query = query.replace(phrase, " ")
        terms = synonyms.builtin_thesaurus().terms(synonyms.query_tokens(query))
        content = [t for t in terms if t.phrase or t.text not in STOP_WORDS]
        if not content and not groups:
            content = terms
        seen: set[str] = set()
        for term in content:
            if term.text in seen:
                continue
            seen.add(term.text)
            if len(seen) > MAX_QUERY_TOKENS:
                break
            if term.phrase:
                group = await self._phrase_group(term)
                own = [w for w in term.text.split() if w not in STOP_WORDS and w not in seen]
                seen.update(own)
                if group is None:  # none of its terms is in this corpus: its own words
                    groups.extend([g for w in own if (g := await self._token_group(w))])
                    continue
                # Its words that the corpus has still count, as typed ("israeli army", "russian
                # oil", "calling for"), but not their own synonyms or typo corrections: "same
                # boat" must not bring in the flotillas.
                for w in own:
                    if await self._doc_count(w) > 0:
                        groups.append(_Group(label=w, expr=fts_term(w)))
            else:
                group = await self._token_group(term.text, term.targets)
            if group is not None:
                groups.append(group)
        return groups

    async def _phrase_group(self, term: Term) -> _Group | None:
        """A member phrase's group: the corpus terms it stands for (None when none of them
        is in this corpus)."""
        found = [fts_term(t) for t in term.targets if await self._doc_count(t) > 0]
        if not found:
            return None
        expr = found[0] if len(found) == 1 else "(" + " OR ".join(found) + ")"
        return _Group(label=term.text, expr=expr)

    async def rank(self, query: str) -> list[Scored]:
        """Every paragraph the query matches, best first."""
        groups = await self._groups(query)
        if not groups:
            return []
        rows = await self.repo.fts_search(" OR ".join(g.expr for g in groups))
        if not rows:
            return []
        coverage = await self._coverage(groups, rows)
        proximity = await self._proximity(groups)
        best_rel = max(-r.bm25 for r in rows) or 1.0
        scored: list[Scored] = []
        for r in rows:
            rel = max(0.0, -r.bm25) / best_rel
            score = (
                COVERAGE_WEIGHT * coverage.get(r.paragraph.id, 0.0)
                + (1 - COVERAGE_WEIGHT) * rel
                + PROXIMITY_WEIGHT * proximity.get(r.paragraph.id, 0.0)
            )
            scored.append(Scored(score, r))
        scored.sort(key=lambda s: (-s.score, s.row.bm25, s.row.paragraph.id))
        return scored

    async def plain(self, query: str, limit: int = 5) -> list[FtsRow]:
        """Baseline for the benchmark: plain FTS5 bm25 with the words ANDed (FTS default)."""
        toks = words(query[:MAX_QUERY_CHARS])[:MAX_QUERY_TOKENS]
        if not toks:
            return []
        return await self.repo.fts_search(" ".join(fts_term(t) for t in toks), limit=limit)

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
