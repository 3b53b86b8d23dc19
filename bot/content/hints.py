"""Question hints: member questions per built-in paragraph, as ranking evidence.

``bot/data/search_hints.tsv`` lists, for each paragraph of the shipped statements, questions
and paraphrases in a member's words written by hand ("doc2query"); ``search_bank.tsv``, the
question bank, 1,607 more, written blind as members would type them (spent evaluation
sets and eight writers). Both are keyed by the statement's slug and the paragraph's first 48
characters (so inserting a paragraph does not shift them). They are never shown: a query, in
its words as typed (not the question rewrites), is matched against them lexically
(IDF-weighted coverage of its content words by the best hint, on crude word stems, a stem
also meeting the stems a few letters longer or shorter: "west" and "western") and by meaning
(the mean cosine of the query's vector with the paragraph's three closest hints: the best of
dozens is high by chance alone), and search adds both to the paragraph's score. An uploaded
statement has the questions its administrator wrote in its front matter
(``bot.content.questions``, stored in SQLite), matched the same way and given by paragraph
id; for a paragraph with none, search lets its own text stand in (``bot.content.search``). A
hint only counts while its paragraph is visible (the index is rebuilt on every corpus
change).
"""

from __future__ import annotations

import math
import sys
import threading
from collections.abc import Sequence
from functools import cache, lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any, NamedTuple

from bot.content.dense import pieces
from bot.content.text import MAX_QUERY_CHARS, content_tokens, words

if TYPE_CHECKING:
    from bot.content.vectors import Embedder, Vector
    from storage.content import ParagraphRecord

#: the hand-written hints, then the question bank (same format)
HINT_FILES = ("search_hints.tsv", "search_bank.tsv")
#: characters of a paragraph's text that key its hints
KEY_CHARS = 48

# Endings cut before comparing words, longest first: "protesters" and "protest", "killed"
# and "kill" meet (FTS5's porter stemmer is not available to in-memory text).
_ENDINGS = ("ations", "ation", "ings", "ians", "ers", "ing", "ian", "ies", "ed", "er", "es", "s")
# Stems that differ only by a short ending still meet ("west" and "western", "israel" and
# "israeli", "russia" and "russian", "palestin" and "palestine"): the shorter one needs at
# least PREFIX_MIN letters and the longer one at most PREFIX_EXTRA more.
PREFIX_MIN = 4
PREFIX_EXTRA = 3
_STANCES = ("ism", "ist")
#: a paragraph's cosine with a query is the mean of its TOP_HINTS closest hints' cosines
#: (2 when there were a dozen a paragraph; with the bank's thirty-odd, 3-4 measure alike)
TOP_HINTS = 3


class Hint(NamedTuple):  # two thousand made at start-up: half the time of a dataclass
    slug: str
    prefix: str  # the paragraph's first KEY_CHARS characters
    text: str


def parse_hints(tsv: str, name: str = HINT_FILES[0]) -> list[Hint]:
    """The hints of a hints file: ``slug<TAB>prefix<TAB>hint`` lines, ``#`` comments."""
    out: list[Hint] = []
    for n, line in enumerate(tsv.splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        cells = line.split("\t")
        if len(cells) != 3 or not all(c.strip() for c in cells):
            raise ValueError(f"{name}:{n}: expected slug, prefix and hint")
        # one string per slug and per key, not one per line (2,000 hints, 40 keys)
        out.append(Hint(sys.intern(cells[0]), sys.intern(cells[1]), cells[2].strip()))
    return out


@cache
def builtin_hints() -> tuple[Hint, ...]:
    data = resources.files("bot").joinpath("data")
    return tuple(
        h for name in HINT_FILES for h in parse_hints(data.joinpath(name).read_text("utf-8"), name)
    )


@lru_cache(maxsize=2)
def hint_tokens(embedder: Embedder, texts: tuple[str, ...]) -> list[list[int]]:
    """The token ids of each hint's content words: the hints are fixed, so the tokenizer
    sees them once a process, not on every corpus change."""
    return embedder.token_ids([" ".join(member_words(t)) for t in texts])


def stem(word: str) -> str:
    for ending in _ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            return word[: -len(ending)]
    return word


def member_words(text: str) -> list[str]:
    """A query's or a hint's content words as typed: like ``text.content_words`` but without
    the question rewrites, which spell a member's words in the corpus's ("who are you" ->
    "group banner touch"); hints are in the member's words already, so they are matched word
    for word (a rewritten "who are you" would find the hints about the banner)."""
    return content_tokens(words(text[:MAX_QUERY_CHARS]))


def _stems(text: str) -> frozenset[str]:
    return frozenset(stem(w) for w in member_words(text))


def _hint_stems(text: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """A hint's stems, each with its shorter forms that other stems can meet."""
    return tuple((s, _shorter(s)) for s in sorted(_stems(text)))


@lru_cache(maxsize=4096)
def _reach(sentence: str) -> tuple[frozenset[str], frozenset[str]]:
    """A sentence's stems, and those with their shorter forms (what a query's stem meets)."""
    stems = _stems(sentence)
    return stems, stems.union(*(_shorter(s) for s in stems))


def _shorter(s: str) -> tuple[str, ...]:
    """The stems a few letters shorter than ``s`` that it meets (PREFIX_MIN, PREFIX_EXTRA);
    none for an -ism or -ist, which names a stance, not its root ("campism" is not "camp")."""
    if s.endswith(_STANCES):
        return ()
    return tuple(s[:k] for k in range(max(PREFIX_MIN, len(s) - PREFIX_EXTRA), len(s)))


class HintIndex:
    """The hints of the visible paragraphs of one corpus state (vectors made on first use)."""

    def __init__(self, hints: tuple[Hint, ...] = ()) -> None:
        self.ids: list[int] = []  # the paragraph id of each hint
        self.texts: list[str] = []
        self.asked: frozenset[int] = frozenset()  # the paragraphs that have any
        self._all = hints
        self._lock = threading.Lock()
        # stem -> the hints (positions) holding it; a stem's first letters -> the stem. Made
        # on first use (by the worker's build, or a search that comes first), not in refresh,
        # which runs on the event loop (stemming the 2,000 shipped hints takes ~70 ms)
        self._words: tuple[dict[str, set[int]], dict[str, set[str]]] | None = None
        self._words_lock = threading.Lock()
        self._vectors: Any = None
        self._grid: tuple[list[int], Any, Any, Any] | None = None

    def refresh(
        self, paragraphs: list[ParagraphRecord], uploaded: Sequence[tuple[int, str]] = ()
    ) -> HintIndex:
        """A new index over the hints whose paragraph is among ``paragraphs`` (visible): the
        built-in ones by their key, ``uploaded`` ones as (paragraph id, question)."""
        fresh = HintIndex(self._all)
        by_key = {(p.slug, p.text[:KEY_CHARS]): p.id for p in paragraphs}
        visible = {p.id for p in paragraphs} if uploaded else set()
        pairs = [(by_key.get((h.slug, h.prefix)), h.text) for h in self._all]
        pairs += [(pid, text) for pid, text in uploaded if pid in visible]
        for pid, text in pairs:
            if pid is not None:
                fresh.ids.append(pid)
                fresh.texts.append(text)
        fresh.asked = frozenset(fresh.ids)
        return fresh

    def _index_words(self) -> tuple[dict[str, set[int]], dict[str, set[str]]]:
        with self._words_lock:
            if self._words is None:
                postings: dict[str, set[int]] = {}
                longer: dict[str, set[str]] = {}
                for i, text in enumerate(self.texts):
                    for s, shorter in _hint_stems(text):
                        postings.setdefault(s, set()).add(i)
                        for prefix in shorter:
                            longer.setdefault(prefix, set()).add(s)
                self._words = postings, longer
            return self._words

    def _holding(self, s: str) -> set[int]:
        """The hints holding stem ``s`` or a stem a few letters longer or shorter."""
        postings, longer = self._index_words()
        forms = {s, *longer.get(s, ()), *_shorter(s)}
        return set().union(*(postings.get(f, set()) for f in forms))

    def words_ready(self) -> bool:
        return self._words is not None

    def index_words(self) -> None:
        """Stem and index the hints now (blocking: a search runs it in a thread)."""
        self._index_words()

    def _weighed(self, query: Sequence[str]) -> list[tuple[str, float, set[int]]]:
        """Each of the query's stems with its IDF among the hints and the hints holding it
        (a stem no hint has weighs as much as the rarest, so it still counts)."""
        n = len(self.ids)
        rare = math.log(1 + (n - 0.5) / 1.5)  # the IDF of a stem only one hint holds
        out = []
        for s in {stem(w) for w in query}:
            hints = self._holding(s)
            c = len(hints)
            out.append((s, math.log(1 + (n - c + 0.5) / (c + 0.5)) if c else rare, hints))
        return out

    def coverage(self, query: Sequence[str]) -> dict[int, float]:
        """Paragraph id -> the IDF-weighted share of the query's content words (as given)
        that its best hint holds."""
        if not self.ids:
            return {}
        weighed = self._weighed(query)
        total = sum(idf for _, idf, _ in weighed)
        held: dict[int, float] = {}
        for _, idf, hints in weighed:
            for i in hints:
                held[i] = held.get(i, 0.0) + idf
        out: dict[int, float] = {}
        for i, weight in held.items():
            pid = self.ids[i]
            out[pid] = max(out.get(pid, 0.0), weight / total)
        return out

    def own_coverage(self, query: Sequence[str], texts: dict[int, str]) -> dict[int, float]:
        """Paragraph id -> the share of the query's words, weighed as :meth:`coverage` weighs
        them, that the best sentence of its text holds: what a paragraph without questions
        has in their place (a sentence is about as long as a question)."""
        weighed = self._weighed(query) if self.ids else [(stem(w), 1.0, set()) for w in query]
        total = sum(idf for _, idf, _ in weighed)
        out: dict[int, float] = {}
        for pid, text in texts.items():
            sentences = pieces(text)
            best = 0.0
            for sentence in sentences[1:] or sentences:
                stems, reach = _reach(sentence)
                got = sum(
                    idf
                    for s, idf, _ in weighed
                    if s in reach or any(f in stems for f in _shorter(s))
                )
                best = max(best, got)
            if best and total:
                out[pid] = best / total
        return out

    def build(self, embedder: Embedder, weights: Vector) -> Any:
        """Each hint's unit vector with the corpus's token weights (blocking, numpy); and
        the hints' words indexed, if no search has done it yet."""
        from bot.content.dense import unit_means

        self._index_words()
        with self._lock:
            if self._vectors is None:
                tokens = hint_tokens(embedder, tuple(h.text for h in self._all))
                by_text = dict(zip((h.text for h in self._all), tokens, strict=True))
                # uploaded questions change with the corpus: tokenised on each rebuild
                extra = [t for t in dict.fromkeys(self.texts) if t not in by_text]
                if extra:
                    made = embedder.token_ids([" ".join(member_words(t)) for t in extra])
                    by_text.update(zip(extra, made, strict=True))
                self._vectors = unit_means(embedder, [by_text[t] for t in self.texts], weights)
                self._grid = self._layout()
            return self._vectors

    def similarities(self, embedder: Embedder, weights: Vector, vec: Vector) -> dict[int, float]:
        """Paragraph id -> the mean cosine of ``vec`` (a unit query vector) with its
        TOP_HINTS closest hints (all of them if it has fewer)."""
        import numpy as np

        if not self.ids:
            return {}
        sims = self.build(embedder, weights) @ vec
        assert self._grid is not None  # made by build
        pids, rows, cols, counts = self._grid
        grid = np.full((len(pids), int(counts.max())), -np.inf)
        grid[rows, cols] = sims
        top = np.sort(grid, axis=1)[:, -TOP_HINTS:]
        means = np.where(np.isinf(top), 0.0, top).sum(axis=1) / np.minimum(counts, TOP_HINTS)
        return dict(zip(pids, means.tolist(), strict=True))

    def _layout(self) -> tuple[list[int], Any, Any, Any]:
        """Where each hint's cosine goes in a paragraphs x hints grid: the paragraph ids (one
        row each), each hint's row and column, and each row's number of hints."""
        import numpy as np

        pids = list(dict.fromkeys(self.ids))
        row = {pid: r for r, pid in enumerate(pids)}
        filled = [0] * len(pids)
        cols = []
        for pid in self.ids:
            cols.append(filled[row[pid]])
            filled[row[pid]] += 1
        rows = np.array([row[pid] for pid in self.ids])
        return pids, rows, np.array(cols), np.array(filled)
