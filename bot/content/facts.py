"""The comparison table's rows and /compare's loose matching of a query to a row."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.content.corpus import FactRow
from bot.content.results import FactMatch
from bot.content.text import MAX_QUERY_CHARS, STOP_WORDS, wordlist, words
from bot.content.vectors import loaded_embedder

if TYPE_CHECKING:
    from bot.content.vectors import Matrix

#: cosine a query needs with a row to match it by meaning alone (no keyword in common)
MIN_MEANING_SIM = 0.3

_FACT_KEYWORDS: dict[str, tuple[str, ...]] = {
    "invasion": wordlist(
        "invasion invade invaded invader occupation occupy occupied occupier incursion annex"
        " annexation war aggression full-scale"
    ),
    "settler-colonial": wordlist(
        "settler settlers settlement settlements colonial colonialism colonisation colonization"
        " colony colonise colonize colonist colonists cleansing cleanse homes land stolen"
    ),
    "authoritarian": wordlist(
        "authoritarian authoritarianism dictatorship dictator apartheid torture tortured"
        " repression oppression elections democracy unions rule regime police"
    ),
    "bombs-civilians": wordlist(
        "bomb bombs bombing bombed bomber airstrike airstrikes air-strikes strikes shelling"
        " missiles drones civilians civilian punishment collective blockade starving starvation"
        " famine killed casualties deaths"
    ),
    "genocide": wordlist(
        "genocide genocidal extermination exterminate massacre massacres bucha eliminating"
        " elimination"
    ),
    "outside-support": wordlist(
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
    from rapidfuzz.distance import OSA  # on first use: not needed at start-up

    return min(len(a), len(b)) >= 6 and OSA.distance(a, b) <= 1


class FactMatcher:
    """Keyword matching of loose queries ("air strikes", "colonisation") to table rows."""

    def __init__(self, facts: tuple[FactRow, ...]) -> None:
        self._facts = facts
        self._fact_words = self._build_fact_words()
        self._vectors: Matrix | None = None

    def _by_meaning(self, toks: list[str]) -> FactMatch:
        """No keyword matched: the row closest in meaning, when close enough (row vectors:
        question and both answers, made once the model is loaded)."""
        embedder = loaded_embedder()
        if embedder is None or not self._facts:
            return FactMatch(kind="none")
        if self._vectors is None:
            self._vectors = embedder.embed(
                [f"{r.question} {r.israel} {r.russia}" for r in self._facts]
            )
        sims = self._vectors @ embedder.embed([" ".join(toks)])[0]
        best = int(sims.argmax())
        if float(sims[best]) < MIN_MEANING_SIM:
            return FactMatch(kind="none")
        return FactMatch(kind="exact", row=self._facts[best], candidates=(self._facts[best],))

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
            return self._by_meaning(toks)
        ranked = sorted(self._facts, key=lambda r: -scores.get(r.key, 0.0))
        top = scores[ranked[0].key]
        close = tuple(r for r in ranked if scores.get(r.key, 0.0) >= 0.75 * top)
        if len(close) == 1:
            return FactMatch(kind="exact", row=close[0], candidates=close)
        return FactMatch(kind="candidates", candidates=close)
