"""Dense text vectors from the static embedding model shipped inside the wordllama wheel.

The wheel carries the 256-dimension ``l2_supercat`` token table (safetensors, float16) and
its tokenizer. They are read straight from the installed package folder, the files that
``WordLlama.load("l2_supercat", cache_dir=<package folder>, disable_download=True)`` resolves,
so nothing is ever downloaded; the table is memory-mapped (only the rows of tokens that
occur become resident). A text's vector is the mean of its token vectors, unit length, as
``WordLlamaInference.embed(norm=True)`` computes it.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import struct
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # numpy is imported where vectors are made: not on the start-up path
    import numpy as np
    import numpy.typing as npt

    Matrix = npt.NDArray[np.float32]

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
    if entry["dtype"] != "F16" or entry["shape"][1] != DIM:
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

    def embed(self, texts: list[str]) -> Matrix:
        """One unit row per text (a zero row for a text without tokens)."""
        import numpy as np

        out = np.zeros((len(texts), DIM), dtype=np.float32)
        rows = self._table.shape[0]
        for i, enc in enumerate(self._tokenizer.encode_batch(texts, add_special_tokens=False)):
            ids = np.clip(np.asarray(enc.ids[:MAX_TOKENS], dtype=np.int64), 0, rows - 1)
            if ids.size == 0:
                continue
            vec = self._table[ids].astype(np.float32).mean(axis=0)
            norm = float(np.linalg.norm(vec))
            if norm > 0:
                out[i] = vec / norm
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


def to_blob(vec: Matrix) -> bytes:
    import numpy as np

    return np.asarray(vec, dtype="<f4").tobytes()


def from_blob(blob: bytes) -> Matrix:
    import numpy as np

    return np.frombuffer(blob, dtype="<f4").astype(np.float32)
