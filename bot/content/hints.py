"""Question hints: hand-written member questions per built-in paragraph, as ranking evidence.

``bot/data/search_hints.tsv`` lists, for each paragraph of the shipped statements, a few
questions and paraphrases in a member's words ("doc2query" written by hand), keyed by the
statement's slug and the paragraph's first 48 characters (so inserting a paragraph does not
shift them). They are never shown: a query is matched against them lexically (IDF-weighted
coverage of its content words by the best hint, on crude word stems) and by meaning (the
best cosine of the query's vector with the paragraph's hint vectors), and search adds both
to the paragraph's score. An uploaded statement has the questions its administrator wrote in
its front matter (``bot.content.questions``, stored in SQLite), matched the same way and
given by paragraph id; without them it ranks as before. A hint only counts while its
paragraph is visible (the index is rebuilt on every corpus change).
"""

from __future__ import annotations

import math
import threading
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from bot.content.text import STOP_WORDS, content_words, words

if TYPE_CHECKING:
    from bot.content.vectors import Embedder, Vector
    from storage.content import ParagraphRecord

HINTS_FILE = "search_hints.tsv"
#: characters of a paragraph's text that key its hints
KEY_CHARS = 48

# Endings cut before comparing words, longest first: "protesters" and "protest", "killed"
# and "kill" meet (FTS5's porter stemmer is not available to in-memory text).
_ENDINGS = ("ations", "ation", "ings", "ians", "ers", "ing", "ian", "ies", "ed", "er", "es", "s")


@dataclass(frozen=True, slots=True)
class Hint:
    slug: str
    prefix: str  # the paragraph's first KEY_CHARS characters
    text: str


def parse_hints(tsv: str) -> list[Hint]:
    """The hints of a hints file: ``slug<TAB>prefix<TAB>hint`` lines, ``#`` comments."""
    out: list[Hint] = []
    for n, line in enumerate(tsv.splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        cells = line.split("\t")
        if len(cells) != 3 or not all(c.strip() for c in cells):
            raise ValueError(f"{HINTS_FILE}:{n}: expected slug, prefix and hint")
        out.append(Hint(cells[0], cells[1], cells[2].strip()))
    return out


@cache
def builtin_hints() -> tuple[Hint, ...]:
    text = resources.files("bot").joinpath("data").joinpath(HINTS_FILE).read_text("utf-8")
    return tuple(parse_hints(text))


@lru_cache(maxsize=2)
def hint_tokens(embedder: Embedder, texts: tuple[str, ...]) -> list[list[int]]:
    """The token ids of each hint's content words: the hints are fixed, so the tokenizer
    sees them once a process, not on every corpus change."""
    return embedder.token_ids([" ".join(content_words(t)) for t in texts])


def stem(word: str) -> str:
    for ending in _ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            return word[: -len(ending)]
    return word


def _stems(text: str) -> set[str]:
    return {stem(w) for w in words(text) if w not in STOP_WORDS and (len(w) > 1 or w.isdigit())}


class HintIndex:
    """The hints of the visible paragraphs of one corpus state (vectors made on first use)."""

    def __init__(self, hints: tuple[Hint, ...] = ()) -> None:
        self.ids: list[int] = []  # the paragraph id of each hint
        self.texts: list[str] = []
        self._stems: list[set[str]] = []
        self._idf: dict[str, float] = {}
        self._all = hints
        self._lock = threading.Lock()
        self._vectors: Any = None

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
                fresh._stems.append(_stems(text))
        df = Counter(s for group in fresh._stems for s in group)
        n = len(fresh._stems)
        fresh._idf = {s: math.log(1 + (n - c + 0.5) / (c + 0.5)) for s, c in df.items()}
        return fresh

    def coverage(self, query: str) -> dict[int, float]:
        """Paragraph id -> the IDF-weighted share of the query's content words that its best
        hint holds (a word no hint has weighs as much as the rarest, so it still counts)."""
        if not self.ids:
            return {}
        stems = {stem(w) for w in content_words(query)}
        rare = max(self._idf.values(), default=1.0)
        weight = {s: self._idf.get(s, rare) for s in stems}
        total = sum(weight.values())
        known = stems & self._idf.keys()
        if not known or total <= 0:
            return {}
        out: dict[int, float] = {}
        for pid, hint in zip(self.ids, self._stems, strict=True):
            share = sum(weight[s] for s in known & hint) / total
            if share > out.get(pid, 0.0):
                out[pid] = share
        return out

    def build(self, embedder: Embedder, weights: Vector) -> Any:
        """Each hint's unit vector with the corpus's token weights (blocking, numpy)."""
        from bot.content.dense import unit_means

        with self._lock:
            if self._vectors is None:
                tokens = hint_tokens(embedder, tuple(h.text for h in self._all))
                by_text = dict(zip((h.text for h in self._all), tokens, strict=True))
                # uploaded questions change with the corpus: tokenised on each rebuild
                extra = [t for t in dict.fromkeys(self.texts) if t not in by_text]
                if extra:
                    made = embedder.token_ids([" ".join(content_words(t)) for t in extra])
                    by_text.update(zip(extra, made, strict=True))
                self._vectors = unit_means(embedder, [by_text[t] for t in self.texts], weights)
            return self._vectors

    def similarities(self, embedder: Embedder, weights: Vector, vec: Vector) -> dict[int, float]:
        """Paragraph id -> the best cosine of ``vec`` (a unit query vector) with its hints."""
        if not self.ids:
            return {}
        sims = self.build(embedder, weights) @ vec
        out: dict[int, float] = {}
        for pid, sim in zip(self.ids, sims.tolist(), strict=True):
            if sim > out.get(pid, -1.0):
                out[pid] = sim
        return out
