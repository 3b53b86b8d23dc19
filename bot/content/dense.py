"""The dense side of search: rarity-weighted (SIF) static-embedding vectors of paragraphs.

What is stored per paragraph (``search_vectors``, keyed by the hash of its text) is the
tokenisation, of its case-folded text and of each of its sentences: the one step that needs
the tokenizer. The vectors are made from it when a search first needs them (or in the
background after start-up), because their weights depend on the whole corpus: a token
weighs ``a / (a + p)``, ``p`` its frequency in the visible paragraphs (smooth inverse
frequency, Arora et al. 2017), so "gaza" or "flotillas" outweigh "the", "people", "about"
in the mean, in the query's vector too. An unchanged corpus tokenises nothing again; an
upload tokenises its own paragraphs, and the vectors are remade from the stored tokens.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bot.content.text import fold
from bot.content.vectors import DIM, Embedder, tokens_from_blob, tokens_to_blob

if TYPE_CHECKING:
    from bot.content.vectors import Matrix, Vector

#: SIF's smoothing: a token as frequent as 1 in 1,000 corpus tokens weighs one half
SIF_A = 1e-3

#: sequences whose token vectors unit_means gathers at once
_CHUNK = 256

_SENTENCE = re.compile(r"(?<=[.!?;:])\s+|\s+[–—]\s+")


def pieces(text: str) -> list[str]:
    """What a paragraph's vectors are made from: the whole text, then each sentence (a
    static model's mean over a long paragraph blurs; a question usually matches a sentence).
    Case-folded, as queries are (the model's tokens are case-sensitive)."""
    folded = fold(text)
    sentences = [s for s in _SENTENCE.split(folded) if len(s) > 10]
    return [folded, *sentences] if len(sentences) > 1 else [folded]


def tokenize(embedder: Embedder, texts: list[str]) -> list[bytes]:
    """Each text's stored form: the token ids of its :func:`pieces`."""
    cut = [pieces(t) for t in texts]
    ids = embedder.token_ids([p for group in cut for p in group])
    out: list[bytes] = []
    row = 0
    for group in cut:
        out.append(tokens_to_blob(ids[row : row + len(group)]))
        row += len(group)
    return out


@dataclass(frozen=True, slots=True)
class Built:
    """The matrices of one corpus state: whole-text rows, every piece's row, where each
    paragraph's pieces start, and the token weights (for the query's vector)."""

    whole: Matrix
    rows: Matrix
    starts: Any
    weights: Vector


class DenseIndex:
    """The stored tokens of one state of the corpus; the vectors are made on first use, once
    (a corpus change makes a new index, so a build never sees a half-changed corpus)."""

    def __init__(self, ids: list[int], blobs: list[bytes]) -> None:
        self.ids = ids
        self._blobs = blobs
        self._lock = threading.Lock()
        self._built: Built | None = None

    def built(self) -> Built | None:
        return self._built

    def build(self, embedder: Embedder) -> Built:
        """Make the vectors (blocking, numpy: call it in a thread)."""
        with self._lock:
            if self._built is None:
                self._built = _build(embedder, [tokens_from_blob(b) for b in self._blobs])
            return self._built

    @staticmethod
    def query_vector(
        embedder: Embedder, built: Built, text: str, extra: str = "", weight: float = 0.0
    ) -> Vector:
        """The unit weighted-mean vector of ``text`` (already folded), plus ``weight`` × that
        of ``extra`` (the corpus terms the thesaurus found for it), made unit again; zero
        without tokens."""
        import numpy as np

        if not extra or weight <= 0:
            vec: Vector = unit_means(embedder, embedder.token_ids([text]), built.weights)[0]
            return vec
        own, more = unit_means(embedder, embedder.token_ids([text, extra]), built.weights)
        total = own + weight * more
        norm = float(np.linalg.norm(total))
        out: Vector = total / norm if norm > 0 else total
        return out

    def best_pieces(self, built: Built, vec: Vector) -> Any:
        """Each paragraph's best cosine with ``vec``, over its whole text and its sentences."""
        import numpy as np

        return np.maximum.reduceat(built.rows @ vec, built.starts)

    def similarities(self, built: Built, vec: Vector, sentence: float) -> Any:
        """Each paragraph's cosine with ``vec`` (a unit query vector): ``sentence`` × the best
        sentence's + the rest × the whole text's; None when ``vec`` is zero (no tokens)."""
        if not vec.any() or not self.ids:
            return None
        best_piece = self.best_pieces(built, vec)
        return sentence * best_piece + (1 - sentence) * (built.whole @ vec)


def _build(embedder: Embedder, paragraphs: list[list[list[int]]]) -> Built:
    import numpy as np

    counts = np.zeros(embedder.table_rows, dtype=np.float64)
    for groups in paragraphs:
        if groups:
            np.add.at(counts, np.asarray(groups[0], dtype=np.int64), 1.0)
    total = counts.sum() or 1.0
    weights = (SIF_A / (SIF_A + counts / total)).astype(np.float32)
    blocks = [unit_means(embedder, groups, weights) for groups in paragraphs]
    empty = np.zeros((0, DIM), dtype=np.float32)
    return Built(
        whole=np.vstack([b[0] for b in blocks]) if blocks else empty,
        rows=np.vstack(blocks) if blocks else empty,
        starts=np.cumsum([0] + [len(b) for b in blocks[:-1]], dtype=np.int64),
        weights=weights,
    )


def unit_means(embedder: Embedder, groups: list[list[int]], weights: Vector) -> Matrix:
    """The unit weighted-mean vector of each token sequence (a paragraph's pieces, or the
    question hints; a sequence without tokens gets a zero row)."""
    import numpy as np

    out: Matrix = np.zeros((max(len(groups), 1), DIM), dtype=np.float32)
    kept = [i for i, g in enumerate(groups) if g]
    # a few hundred sequences at a time: the gathered rows of two thousand hints at once
    # would take ~40 MB, which the allocator keeps as resident memory after they are freed
    for at in range(0, len(kept), _CHUNK):
        part = kept[at : at + _CHUNK]
        index = np.asarray([t for i in part for t in groups[i]], dtype=np.int64)
        rows = embedder.rows(index)
        rows *= weights[index, None]
        starts = np.cumsum([0] + [len(groups[i]) for i in part[:-1]], dtype=np.int64)
        sums = np.add.reduceat(rows, starts, axis=0)
        norms = np.linalg.norm(sums, axis=1, keepdims=True)
        out[part] = np.divide(sums, norms, out=np.zeros_like(sums), where=norms > 0)
    return out
