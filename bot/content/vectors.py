"""Dense text vectors from the static embedding model shipped inside the wordllama wheel.

The wheel carries the 256-dimension ``l2_supercat`` token table (safetensors, float16) and
its tokenizer. They are read straight from the installed package folder, the files that
``WordLlama.load("l2_supercat", cache_dir=<package folder>, disable_download=True)`` resolves,
so nothing is ever downloaded; the table is memory-mapped (only the rows of tokens that
occur become resident). A text's vector is the mean of its token vectors, unit length, as
``WordLlamaInference.embed(norm=True)`` computes it, or a weighted mean (search weighs each
token by how rare it is in the corpus, see :mod:`bot.content.dense`).
"""

from __future__ import annotations

import importlib.util
import json
import logging
import struct
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # numpy is imported where vectors are made: not on the start-up path
    import numpy as np
    import numpy.typing as npt

    Matrix = npt.NDArray[np.float32]
    Vector = npt.NDArray[np.float32]

log = logging.getLogger(__name__)

MODEL_ID = "wordllama/l2_supercat/256"
DIM = 256
WEIGHTS = Path("weights") / "l2_supercat_256.safetensors"
TOKENIZER = Path("tokenizers") / "l2_supercat_tokenizer_config.json"
#: tokens of one text that are looked at (a paragraph is a few hundred)
MAX_TOKENS = 2048


def package_dir() -> Path | None:
    """The installed wordllama package folder, found without importing it."""
    spec = importlib.util.find_spec("wordllama")
    if spec is None or spec.origin is None:
        return None
    return Path(spec.origin).parent


def _read_table(path: Path) -> npt.NDArray[np.float16]:
    import numpy as np

    with path.open("rb") as fh:
        (size,) = struct.unpack("<Q", fh.read(8))
        header: dict[str, Any] = json.loads(fh.read(size))
    entry = header["embedding.weight"]
    if entry["dtype"] != "F16" or entry["shape"][1] != DIM or entry["shape"][0] >= _SEPARATOR:
        raise ValueError(f"unexpected embedding table {entry['dtype']} {entry['shape']}")
    start, _ = entry["data_offsets"]
    rows = int(entry["shape"][0])
    return np.memmap(path, dtype="<f2", mode="r", offset=8 + size + start, shape=(rows, DIM))


class Embedder:
    """Turns texts into unit vectors (float32, :data:`DIM` wide)."""

    model_id = MODEL_ID

    def __init__(self, table: npt.NDArray[np.float16], tokenizer: Any) -> None:
        self._table = table
        self._tokenizer = tokenizer

    @classmethod
    def load(cls, folder: Path | None = None) -> Embedder:
        """Load from the wordllama package folder (or ``folder``); raises OSError when absent."""
        from tokenizers import Tokenizer  # imported here: only when the model is needed

        folder = folder or package_dir()
        if folder is None:
            raise FileNotFoundError("the wordllama package is not installed")
        tokenizer = Tokenizer.from_file(str(folder / TOKENIZER))
        tokenizer.no_truncation()
        tokenizer.no_padding()
        return cls(_read_table(folder / WEIGHTS), tokenizer)

    @property
    def table_rows(self) -> int:
        return int(self._table.shape[0])

    def token_ids(self, texts: list[str]) -> list[list[int]]:
        """Each text's token ids (at most :data:`MAX_TOKENS`), as the model's table rows."""
        rows = self._table.shape[0]
        encoded = self._tokenizer.encode_batch(texts, add_special_tokens=False)
        return [[min(max(i, 0), rows - 1) for i in enc.ids[:MAX_TOKENS]] for enc in encoded]

    def rows(self, ids: Any) -> Matrix:
        """The token vectors of these ids (an integer array), as float32."""
        import numpy as np

        out: Matrix = self._table[ids].astype(np.float32)
        return out

    def mean(self, ids: Sequence[int]) -> Vector:
        """The unit vector of a token sequence: the plain mean of its rows (a zero vector for
        no tokens). Search's weighted means are :func:`bot.content.dense.unit_means`."""
        import numpy as np

        if not len(ids):
            return np.zeros(DIM, dtype=np.float32)
        vec: Vector = self.rows(np.asarray(ids, dtype=np.int64)).mean(axis=0)
        norm = float(np.linalg.norm(vec))
        return vec / norm if norm > 0 else vec

    def embed(self, texts: list[str]) -> Matrix:
        """One unit row per text, the plain mean of its token vectors (as WordLlama's own
        ``embed(norm=True)``; a zero row for a text without tokens)."""
        import numpy as np

        out = np.zeros((len(texts), DIM), dtype=np.float32)
        for i, ids in enumerate(self.token_ids(texts)):
            out[i] = self.mean(ids)
        return out


_lock = threading.Lock()
_shared: Embedder | None = None
_failed = False


def shared_embedder() -> Embedder | None:
    """The process's one embedder (the table is read-only), or None when it cannot load."""
    global _shared, _failed
    with _lock:
        if _shared is None and not _failed:
            try:
                _shared = Embedder.load()
            except (OSError, ValueError, KeyError) as exc:
                _failed = True
                log.warning("search: no embedding model (%s); lexical search only", exc)
        return _shared


def loaded_embedder() -> Embedder | None:
    """The embedder if it is loaded already (never waits for it)."""
    return _shared


#: separates the token sequences of one BLOB (token ids are below it: the table has 32,000)
_SEPARATOR = 0xFFFF


def tokens_to_blob(pieces: list[list[int]]) -> bytes:
    """Token sequences as one BLOB: little-endian uint16 ids, sequences apart by a separator."""
    import numpy as np

    flat: list[int] = []
    for piece in pieces:
        flat.extend(piece)
        flat.append(_SEPARATOR)
    return np.asarray(flat, dtype="<u2").tobytes()


def tokens_from_blob(blob: bytes) -> list[list[int]]:
    """The token sequences of :func:`tokens_to_blob`."""
    import numpy as np

    flat = np.frombuffer(blob, dtype="<u2").tolist()
    out: list[list[int]] = [[]]
    for token in flat:
        if token == _SEPARATOR:
            out.append([])
        else:
            out[-1].append(token)
    return out[:-1]
