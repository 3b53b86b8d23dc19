"""Query-side thesaurus: the everyday words members type, mapped to the statements' words.

``bot/data/search_synonyms.tsv`` lists, for the corpus's terms members would not type
("flotillas", "dispossession", "complicity"), the words and phrases they would ("boats",
"land theft", "in on it"). A query is read word by word: a known phrase (longest first)
stands for its corpus terms, and its words lose their own single-word entries (idioms: "same
boat" is not about ships); a known single word keeps itself and gains its terms as
alternatives. Lexical search ORs the terms into one group (bot.content.lexical); the dense
side adds their vector to the query's (bot.content.search). It maps words, not paragraphs,
so uploaded statements benefit as much as the built-in ones.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from importlib import resources

from bot.content.text import STOP_WORDS, fold, kept, rewrite_question, words

SYNONYMS_FILE = "search_synonyms.tsv"
#: a member phrase spans at most this many words
MAX_PHRASE = 5

_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True, slots=True)
class Term:
    """One piece of a query: a word, or a known phrase, and the corpus terms it stands for."""

    text: str
    targets: tuple[str, ...] = ()
    phrase: bool = False  # a known multi-word phrase: its own words are not searched


def parse_synonyms(tsv: str) -> dict[str, tuple[str, ...]]:
    """Member word or phrase -> corpus terms, from ``terms<TAB>member words`` lines (both
    cells comma-separated; ``#`` comments). A member word in several rows gets them all."""
    out: dict[str, list[str]] = {}
    # folded once, not cell by cell (unicodedata per cell made loading 50 ms)
    for n, line in enumerate(fold(tsv).splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        cells = line.split("\t")
        if len(cells) != 2:
            raise ValueError(f"{SYNONYMS_FILE}:{n}: expected corpus terms, a tab, member words")
        targets = [" ".join(_WORD.findall(t)) for t in cells[0].split(",")]
        sources = [" ".join(kept(_WORD.findall(s))) for s in cells[1].split(",")]
        if not all(targets) or not all(sources):
            raise ValueError(f"{SYNONYMS_FILE}:{n}: an empty term")
        for source in sources:
            known = out.setdefault(source, [])
            known.extend(t for t in targets if t not in known and t != source)
    return {s: tuple(t) for s, t in out.items() if t}


class Thesaurus:
    """The parsed file, with the phrase lengths it holds (for longest-first matching)."""

    def __init__(self, table: dict[str, tuple[str, ...]]) -> None:
        self.table = table
        self._lengths = sorted({len(s.split()) for s in table if " " in s}, reverse=True)

    def lookup(self, word: str) -> tuple[str, ...]:
        """The corpus terms of one member word (a plain plural falls back to its singular)."""
        found = self.table.get(word)
        if found is None and len(word) > 3 and word.endswith("s"):
            found = self.table.get(word[:-1])
        return found or ()

    def terms(self, tokens: list[str]) -> list[Term]:
        """The query's words (folded, stop words still in: phrases need them) as terms."""
        out: list[Term] = []
        i = 0
        while i < len(tokens):
            for n in self._lengths:
                if n <= MAX_PHRASE and i + n <= len(tokens):
                    phrase = " ".join(tokens[i : i + n])
                    targets = self.table.get(phrase)
                    if targets:
                        out.append(Term(phrase, targets, phrase=True))
                        i += n
                        break
            else:
                out.append(Term(tokens[i], self.lookup(tokens[i])))
                i += 1
        return out


@cache
def builtin_thesaurus() -> Thesaurus:
    text = resources.files("bot").joinpath("data").joinpath(SYNONYMS_FILE).read_text("utf-8")
    return Thesaurus(parse_synonyms(text))


def query_tokens(query: str) -> list[str]:
    """The query folded, rewritten (questions about the group) and cut into words."""
    return kept(words(rewrite_question(query)))


def expand(query: str, known: Callable[[str], bool]) -> tuple[list[str], list[str]]:
    """For the dense side: the query's content words (without those of a known phrase), and
    the corpus terms that its phrases, and its words the corpus lacks, stand for. A word the
    corpus has keeps its own vector alone: the model already places it ("colonisation" pulled
    towards "colonial" lost the paragraph that says "colonisation")."""
    terms = builtin_thesaurus().terms(query_tokens(query))
    own = [t.text for t in terms if not t.phrase and t.text not in STOP_WORDS]
    extra = [
        x
        for t in terms
        if t.phrase or (t.text not in STOP_WORDS and not known(t.text))
        for x in t.targets
    ]
    if not own and not extra:
        own = [t.text for t in terms]
    return own, extra
