"""Hybrid search: the FTS5 lexical ranking fused with dense vectors, translations by language.

Each visible paragraph's tokenisation is stored in SQLite keyed by the hash of its text, so
only new or changed text is ever tokenised. A query is ranked twice, lexically
(``bot.content.lexical``: typos, word forms, phrases, coverage, proximity) and by the cosine
of its content words' vector with each paragraph's (``bot.content.dense``: rarity-weighted
means of the static model's token vectors, a numpy product over every paragraph), and the
two scores are blended; a paragraph also gains from the member questions it answers
(``bot.content.hints``: the hand-written hints and the question bank for the built-in
paragraphs, those its administrator wrote for an upload, or else its own text standing in;
never shown, they only add evidence) and from holding the query as one phrase. Passages of a
statement and
its uploaded translations count once: in the chat's language when there is a translation
in it, else the original. numpy is not needed to start: the vectors are made from the
stored tokens on first use (or in the background after each refresh, see
:meth:`HybridSearch.prepare`), and a first start leaves even the tokenising to the warm-up job
or the first search by meaning (:meth:`HybridSearch.complete`).
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from bot.content import synonyms
from bot.content.dense import DenseIndex, tokenize
from bot.content.hints import HintIndex, builtin_hints, member_words
from bot.content.lexical import LexicalIndex, Scored
from bot.content.results import highlight_html
from bot.content.text import (
    MAX_QUERY_CHARS,
    MAX_QUERY_TOKENS,
    fold,
    fts_term,
    rewrite_question,
    words,
)
from bot.content.vectors import Embedder, loaded_embedder, shared_embedder
from storage.content import ContentRepository, ParagraphRecord
from storage.vectors import VectorRepository

Mode = Literal["hybrid", "lexical", "dense"]


@dataclass(frozen=True, slots=True)
class Tuning:
    """Fusion weights, chosen on tuning data only (the first tuning half, then spent blind
    sets; the held-out ones never: docs/search-quality.md)."""

    dense: float = 1.5  # weight of the cosine next to the lexical score (best match = 1)
    sentence: float = 0.4  # share of the best sentence's cosine in a paragraph's (vs whole);
    # 0.75 until round two: a short sentence that is only the query's words (the slogan "from
    # Ukraine to Palestine") outranked the paragraph that explains them (0.3-0.5 measure the same)
    min_sim: float = 0.30  # a paragraph no word matches needs at least this cosine
    # question hints (bot.content.hints), hybrid only: weight of the best hint's coverage of
    # the query's words, and of the paragraph's hint cosine (mean of its three closest hints)
    # above a floor: the higher of hint_floor and the query's median paragraph hint cosine +
    # hint_margin: made-up words and unrelated topics reach some paragraph's hints (0.11-0.30,
    # median 0.18, with the first 459), and a query's background level rises with its words.
    # 0.5 and 1.5 with the hand-written hints alone; with the question bank (~2,100 hints)
    # the hints are the stronger evidence: 3 and 4 (chosen on the third and fourth sets, each
    # searched with a bank that left it out: 1-1.5 and 2-2.5 rank worse, 4 and 5 alike)
    hint_lexical: float = 3.0
    hint_dense: float = 4.0
    hint_floor: float = 0.2
    hint_margin: float = 0.15
    # a paragraph with no other evidence enters through its hints only this close to the
    # query (short hints reach higher cosines than paragraphs: with the bank, the three closest
    # to "campism" of the campus paragraph are 0.55 from it, through the model's "camp"; the
    # held-out sets rank alike from 0.4 to 0.7)
    hint_entry: float = 0.6
    # the thesaurus (bot.content.synonyms): weight of the unit vector of the corpus terms that
    # the query's phrases and unknown words stand for, next to the query's own (weight 1): the
    # model hardly relates a word the corpus lacks ("boats", "flotillas": 0.03), so its terms
    # lead (1.5-5 measure the same; 0.5-1 less; 0 keeps only the lexical side)
    synonyms: float = 1.5
    # added to a paragraph holding the query's words as one phrase, in order (word forms
    # aside), or its one word: a member who types a line or a term of a statement wants the
    # text that says it, however many hints of another paragraph use it ("people to people
    # links"; "colonisation" is in two paragraphs and in the bank's questions of a third)
    verbatim: float = 2.0  # 1 lost that line once the bank had grown to 2,100
    # a paragraph nobody wrote questions for (an upload without a questions: block) has its
    # own text stand in for them: its best sentence's coverage of the query and its best
    # piece's cosine count as its hints' would, so an upload is not outranked by the shipped
    # paragraphs' questions merely for having none
    stand_in: bool = True


TUNING = Tuning()
#: the paragraphs without questions whose own text stands in, at most (the lexical side's best)
STAND_IN_LIMIT = 50


@dataclass(frozen=True, slots=True)
class Ranked:
    score: float
    paragraph: ParagraphRecord
    highlighted_html: str


@dataclass(frozen=True, slots=True)
class _Deferred:
    """One refresh's paragraphs and uploaded questions, for its dense half."""

    state: int
    rows: list[tuple[ParagraphRecord, str]]
    hints: tuple[tuple[int, str], ...]


@dataclass(frozen=True, slots=True)
class Doc:
    """What search knows about a statement: its language and what it translates."""

    language: str
    translation_of: str | None


def _median(values: Iterable[float]) -> float:
    ordered = sorted(values)
    return ordered[len(ordered) // 2] if ordered else 0.0


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


#: what is stored per paragraph: the model, and how its text is cut and tokenised (change it
#: when that changes: rows of another recipe are deleted, and every text is redone once)
RECIPE = f"{Embedder.model_id}+folded-sentence-tokens"


class HybridSearch:
    """Lexical + dense ranking over the visible paragraphs (rebuilt on every corpus change)."""

    def __init__(self, repo: ContentRepository, vectors: VectorRepository) -> None:
        self.lexical = LexicalIndex(repo)
        self.vectors = vectors
        self.tuning = TUNING
        self.embedded = 0  # texts tokenised by the last refresh (0 when nothing changed)
        self._state = 0  # bumped by every refresh: older ones must not install their index
        self._deferred: _Deferred | None = None  # what a first start left to tokenise
        self._completing = asyncio.Lock()
        self._dense_index = DenseIndex([], [])
        self._hints = HintIndex(builtin_hints())
        self._paras: dict[int, ParagraphRecord] = {}
        self._docs: dict[str, Doc] = {}
        self._versions: dict[tuple[str, int], dict[str, ParagraphRecord]] = {}

    @staticmethod
    async def embedder() -> Embedder | None:
        """The model; waits (in a thread, not blocking the loop) only while it loads."""
        loaded = loaded_embedder()
        return loaded if loaded is not None else await asyncio.to_thread(shared_embedder)

    def vectors_ready(self) -> bool:
        """True once the current corpus state's vectors are made (no search will wait)."""
        return self._dense_index.built() is not None

    def prepare(self) -> None:
        """Load the model and make the current vectors (blocking: run it in a thread after
        each refresh, so that the next search usually finds both ready)."""
        synonyms.builtin_thesaurus()  # read once, here rather than by the first search
        embedder = shared_embedder()
        index, hints = self._dense_index, self._hints  # one corpus state: its weights
        if embedder is not None:
            built = index.build(embedder)
            hints.build(embedder, built.weights)

    async def refresh(
        self,
        rows: list[tuple[ParagraphRecord, str]],
        docs: dict[str, Doc],
        hints: Sequence[tuple[int, str]] = (),
        *,
        defer: bool = False,
    ) -> None:
        """Rebuild the vocabulary and the dense index; tokenise only texts not stored yet.
        ``hints``: uploaded statements' questions, as (paragraph id, question). ``defer``
        (start-up): if the model is not loaded, leave new texts to :meth:`complete` rather
        than load it now (numpy and the tokenizer take 0.2 s of a first start)."""
        self._state += 1
        self._deferred = None
        self.lexical.refresh(rows)
        self._docs = docs
        self._paras = {p.id: p for p, _ in rows}
        self._versions = {}
        for p, _ in rows:
            doc = docs.get(p.slug, Doc("en", None))
            key = (doc.translation_of or p.slug, p.idx)
            self._versions.setdefault(key, {}).setdefault(doc.language, p)
        await self._index(_Deferred(self._state, rows, tuple(hints)), defer=defer)

    async def complete(self) -> None:
        """Tokenise what a deferred refresh left (the warm-up job, or the first search by
        meaning, whichever comes first); nothing when nothing was left."""
        async with self._completing:  # a second search waits for the first one's work
            deferred, self._deferred = self._deferred, None
            if deferred is not None and deferred.state == self._state:
                await self._index(deferred, defer=False)

    async def _index(self, job: _Deferred, *, defer: bool) -> None:
        rows, hints = job.rows, job.hints
        hashes = {p.id: text_hash(p.text) for p, _ in rows}
        stored = await self.vectors.get(RECIPE, hashes.values())
        missing = {hashes[p.id]: p for p, _ in rows if hashes[p.id] not in stored}
        self.embedded = 0
        if missing and defer and loaded_embedder() is None:
            self._deferred = job  # searched lexically (and by the stored ones) meanwhile
            missing = {}
        embedder = await self.embedder() if missing else None
        if missing and embedder is not None:
            texts = [p.text for p in missing.values()]
            blobs = await asyncio.to_thread(tokenize, embedder, texts)
            fresh = {text_hash(t): b for t, b in zip(texts, blobs, strict=True)}
            await self.vectors.put(RECIPE, fresh)
            stored.update(fresh)
            self.embedded = len(fresh)
        if job.state != self._state:
            return  # a newer refresh began during the awaits: its index is the one to keep
        ids = [pid for pid in hashes if hashes[pid] in stored]
        # Both at once, with no await between: the hint vectors are made with the dense
        # index's token weights, so a search must never pair one corpus state's with another's.
        self._dense_index = DenseIndex(ids, [stored[hashes[pid]] for pid in ids])
        self._hints = self._hints.refresh([p for p, _ in rows], hints)
        await self.vectors.prune(RECIPE, hashes.values())

    def languages(self) -> set[str]:
        return {d.language for d in self._docs.values()}

    def _words(self, query: str) -> tuple[list[str], list[str], list[str]]:
        """The query's words for the dense side and for the hints, and the corpus terms the
        thesaurus gives it (for both). The hints are in a member's words: a question about the
        group is matched to them as typed, not as the rewrite spells it for the corpus ("who
        are you" -> "banner touch" would find the banner's hints, not the contact paragraph's);
        otherwise as the dense side has them (a known phrase's words stand for its terms: "in
        the same boat" is not about boats)."""
        own, extra = synonyms.expand(query[:MAX_QUERY_CHARS], self.lexical.knows)
        about_us = rewrite_question(query) != fold(query[:MAX_QUERY_CHARS])
        return own, member_words(query) if about_us else own, extra

    async def _dense(
        self, query_words: tuple[list[str], list[str], list[str]], hints: bool = False
    ) -> tuple[list[tuple[int, float]], dict[int, float], dict[int, float]]:
        """(paragraph id, cosine) of every paragraph, most similar first; and, when asked,
        paragraph id -> its question hints' cosine with the query (see HintIndex), and for
        each paragraph without questions, its best piece's (a sentence or its whole text).
        ``query_words``: the query's :meth:`_words`."""
        if self._deferred is not None or self._completing.locked():
            await self.complete()
        index, hint_index, tn = self._dense_index, self._hints, self.tuning
        if not index.ids:
            return [], {}, {}
        embedder = await self.embedder()
        if embedder is None:
            return [], {}, {}
        built = index.built()
        if built is None:
            built = await asyncio.to_thread(index.build, embedder)
        own, typed, extra = query_words
        vec = index.query_vector(embedder, built, " ".join(own), " ".join(extra), tn.synonyms)
        hint_vec = vec
        if typed != own:
            hint_vec = index.query_vector(
                embedder, built, " ".join(typed), " ".join(extra), tn.synonyms
            )
        sims = index.similarities(built, vec, tn.sentence)
        if sims is None:
            return [], {}, {}
        order = (-sims).argsort(kind="stable")
        ranked = [(index.ids[i], float(sims[i])) for i in order]
        if not hints:
            return ranked, {}, {}
        hint_sims = hint_index.similarities(embedder, built.weights, hint_vec)
        best = index.best_pieces(built, hint_vec).tolist()
        unasked = {
            pid: sim
            for pid, sim in zip(index.ids, best, strict=True)
            if pid not in hint_index.asked
        }
        return ranked, hint_sims, unasked

    async def rank(self, query: str, lang: str = "en", mode: Mode = "hybrid") -> list[Ranked]:
        """Every candidate paragraph, best first, one per passage (see the module doc)."""
        tn = self.tuning
        paras = self._paras  # this corpus state's: a refresh during the awaits swaps it
        lexical = await self.lexical.rank(query) if mode != "dense" else []
        dense: list[tuple[int, float]] = []
        hint_cover: dict[int, float] = {}
        hint_sims: dict[int, float] = {}
        floor = tn.hint_floor
        if mode != "lexical":
            query_words = self._words(query)  # once: the dense side and the hints share them
            dense, hint_sims, unasked = await self._dense(query_words, mode == "hybrid")
            if mode == "hybrid":
                hint_cover, floor = await self._hint_evidence(
                    query_words[1], lexical, hint_sims, unasked
                )
        scores: dict[int, float] = {}
        marked: dict[int, str] = {}
        best = max((s.score for s in lexical), default=1.0) or 1.0
        for s in lexical:
            pid = s.row.paragraph.id
            if pid in paras:
                scores[pid] = s.score / best
                marked[pid] = highlight_html(s.row.highlighted)
        for pid, sim in dense:
            if pid in scores:
                scores[pid] += tn.dense * sim
            elif sim >= tn.min_sim and pid in paras:
                scores[pid] = tn.dense * sim
        # Hints only add evidence: a paragraph without any keeps its score
        for pid in hint_cover.keys() | hint_sims.keys():
            extra = tn.hint_lexical * hint_cover.get(pid, 0.0)
            extra += tn.hint_dense * max(0.0, hint_sims.get(pid, 0.0) - floor)
            if extra <= 0 or pid not in paras:
                continue
            if pid in scores:
                scores[pid] += extra
            elif hint_sims.get(pid, 0.0) >= tn.hint_entry or hint_cover.get(pid, 0.0) >= 0.5:
                scores[pid] = extra  # like a cosine, a hint must be close to bring one in
        if mode == "hybrid" and lexical:
            for pid in await self._verbatim(query) & scores.keys():
                scores[pid] += tn.verbatim
        paras = self._paras  # a paragraph removed during the awaits is not shown
        order = sorted(scores, key=lambda pid: (-scores[pid], pid))
        out: list[Ranked] = []
        seen: set[tuple[str, int]] = set()
        for pid in order:
            para = paras.get(pid)
            if para is None:
                continue
            doc = self._docs.get(para.slug, Doc("en", None))
            key = (doc.translation_of or para.slug, para.idx)
            if key in seen:
                continue
            seen.add(key)
            versions = self._versions.get(key, {})
            original = paras.get(pid) if doc.translation_of is None else None
            shown = versions.get(lang) or original or self._original(key) or para
            body = marked.get(shown.id) or highlight_html(shown.text)
            out.append(Ranked(round(scores[pid], 6), shown, body))
        return out

    async def _hint_evidence(
        self,
        typed: list[str],
        lexical: list[Scored],
        hint_sims: dict[int, float],
        unasked: dict[int, float],
    ) -> tuple[dict[int, float], float]:
        """The hints' coverage of the query's words (``typed``) by paragraph, and the floor
        of their cosines; with :attr:`Tuning.stand_in`, ``hint_sims`` gains the best-piece
        cosines of the paragraphs without questions (``unasked``) and the coverage their best
        sentences' coverage (of the first STAND_IN_LIMIT of them the lexical side found)."""
        tn, hints = self.tuning, self._hints
        if not hints.words_ready():  # stemming two thousand hints: not on the event loop
            await asyncio.to_thread(hints.index_words)
        cover = hints.coverage(typed)
        # the floor is the hints' own background level: the stand-ins' cosines (of whole
        # sentences, not short questions) run lower and would pull it down for everyone
        floor = max(tn.hint_floor, _median(hint_sims.values()) + tn.hint_margin)
        if tn.stand_in and unasked:
            hint_sims.update(unasked)
            found = [s.row.paragraph for s in lexical if s.row.paragraph.id in unasked]
            cover.update(hints.own_coverage(typed, {p.id: p.text for p in found[:STAND_IN_LIMIT]}))
        return cover, floor

    async def _verbatim(self, query: str) -> set[int]:
        """The paragraphs whose text holds the query's words (its first twelve) as one FTS5
        phrase (not their statement's title or heading)."""
        toks = words(query[:MAX_QUERY_CHARS])[:MAX_QUERY_TOKENS]
        if not toks:
            return set()
        return await self.lexical.repo.fts_rowids("text : " + fts_term(" ".join(toks)))

    def _original(self, key: tuple[str, int]) -> ParagraphRecord | None:
        slug, idx = key
        for p in self._versions.get(key, {}).values():
            if p.slug == slug and p.idx == idx:
                return p
        return None
