"""Query-side glossary: the corpus's key terms in the bot's other languages, mapped to English.

The statements are in English and neither the lexical index nor the static embedding model
understands Ukrainian, Russian, French, German, Spanish or Arabic.
``bot/data/search_glossary.tsv`` (beside the statements and the question hints) lists the
corpus's names and core concepts with the words a speaker of each of those languages would
use; :meth:`Glossary.translate` turns a query in one of them into the
English words of the terms it names, which are then searched as usual. Unknown words are
dropped, never guessed. The glossary only chooses which English passages to offer: its words
are never shown to members as translations of the statements.

Matching survives inflection: both the glossary's words and the query's are reduced to a
stem. French, German and Spanish use the Snowball stemmers (``snowballstemmer``, the
reference implementations in pure Python). Snowball has no Ukrainian stemmer and its Arabic
one cuts the names this glossary needs (``فلسطين`` → ``لسط``), so those two have a small
rule of our own. Cyrillic: the letters that Ukrainian and Russian spell differently are
merged (і/и/ы, є/е), then one case ending is cut (for a query word, the cut the glossary
knows). Arabic: letters normalised (hamza seats, ة, ى), the article ال and up to two
suffixes (plural, then nisba or pronoun) cut, and a query word's proclitics (و ف ب ل ك, لل)
only when the rest is a known stem (فلسطين begins with ف). Stems keep three letters or more.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from itertools import product
from typing import TYPE_CHECKING

from bot.content.text import fold, wordlist

if TYPE_CHECKING:
    import snowballstemmer

GLOSSARY_FILE = "search_glossary.tsv"
#: the columns after the English one, in the file's order
LANGUAGES = ("uk", "ru", "fr", "de", "es", "ar")
#: a glossary phrase may span at most this many query words
MAX_PHRASE = 6
MIN_STEM = 3

_SNOWBALL = {"fr": "french", "de": "german", "es": "spanish"}
# How a word is stemmed: Ukrainian and Russian share one rule (members mix the spellings).
_FAMILY = {"uk": "cyr", "ru": "cyr", "fr": "fr", "de": "de", "es": "es", "ar": "ar"}
_FAMILIES = ("cyr", "ar", "fr", "de", "es")

# Apostrophes inside a word (п'ять, l'Ukraine) would split it: Ukrainian ones are dropped, a
# French elision keeps only the word after it.
_UK_APOSTROPHE = re.compile(r"(?<=[^\W\d_])['’ʼ`](?=[а-яіїєґ])", re.IGNORECASE)
_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True, slots=True)
class Entry:
    """One term: the English words searched, and each language's words (phrases allowed)."""

    english: str
    words: dict[str, tuple[str, ...]]


def parse(text: str) -> list[Entry]:
    """The entries of a glossary file; raises ValueError on a malformed row or a repeated key."""
    entries: list[Entry] = []
    seen: set[str] = set()
    header_done = False
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        cells = line.split("\t")
        if not header_done:
            if tuple(c.strip() for c in cells) != ("en", *LANGUAGES):
                raise ValueError(f"line {number}: the header must be en and {LANGUAGES}")
            header_done = True
            continue
        if len(cells) != len(LANGUAGES) + 1:
            raise ValueError(f"line {number}: {len(cells)} cells, not {len(LANGUAGES) + 1}")
        english = " ".join(cells[0].split()).lower()
        if not english:
            raise ValueError(f"line {number}: no English words")
        if english in seen:
            raise ValueError(f"line {number}: {english!r} twice")
        seen.add(english)
        words = {
            lang: tuple(w.strip() for w in cell.split(",") if w.strip())
            for lang, cell in zip(LANGUAGES, cells[1:], strict=True)
        }
        entries.append(Entry(english, words))
    return entries


# ---------------------------------------------------------------------------- stemming

# Ukrainian and Russian spell the same sounds differently (Україна/Украина, окупація/
# оккупация): after fold (which already makes й и, ї і, ё е) the two are merged.
_CYR_MAP = str.maketrans({"і": "и", "ы": "и", "є": "е", "э": "е", "ґ": "г", "ъ": ""})
_DOUBLE = re.compile(r"([бвгджзклмнпрстфхцчшщ])\1")


def _cyr_letters(word: str) -> str:
    return _DOUBLE.sub(r"\1", fold(word).translate(_CYR_MAP))


# Case endings of nouns and adjectives, Ukrainian and Russian, longest first after the letters
# are merged; one is cut. Of the verb endings only the reflexive infinitive's: -ть, -ти, -ла
# would also cut nouns (солідарність, солідарністю).
_CYR_ENDINGS = sorted(
    {
        _cyr_letters(e)
        for e in wordlist(
            "ього ьому ого ому его ему ими іми ами ями ові еві єві иями ями ий ій ої ей ою ею "
            "єю ом ем ах ях ів їв ам ям их іх им ім ая яя ое ее ые ие ую юю ых ым ія ії ію іє "
            "ією ієї іям іями іях ией иям иях ия ии ию ье ья ью ов ев ться тися а я у ю і и е є "
            "о ь ы"
        )
    },
    key=len,
    reverse=True,
)


# -ість / -ості (солідарність, солідарності): the vowel alternates before the ending.
_IST = re.compile(r"ист$")


def _cyr_candidates(word: str) -> list[str]:
    """The word with each ending it may have cut off, the most cut first, then as written.

    A word can end in what looks like an ending (спротив, "-ів"), so no single cut is right
    for every word: a glossary word is indexed under all of them, and a query word takes the
    first one the glossary knows (спротиву → спротив)."""
    w = _cyr_letters(word)
    cut = [w[: -len(e)] for e in _CYR_ENDINGS if w.endswith(e) and len(w) - len(e) >= MIN_STEM]
    return list(dict.fromkeys(_IST.sub("ост", c) for c in (*cut, w)))


_AR_MAP = str.maketrans({"ة": "ه", "ى": "ي", "ـ": ""})
_AR_PLURALS = ("ين", "ون", "ات", "ان")
_AR_ENDINGS = ("يه", "ها", "هم", "نا", "ه", "ي")
# Proclitics a query word may carry: and/so (و ف), with/for/like (ب ل ك), both, and ل + ال
# written لل. The article itself is cut by _reduce_ar. "" first: the word as written wins.
_AR_PROCLITICS = wordlist("و ف ب ل ك وب ول وك فب فل فك لل ولل فلل")


def _reduce_ar(word: str) -> str:
    """Letters normalised, the article and up to two suffixes (plural; nisba or pronoun) cut."""
    # fold() drops the short vowels and the hamza marks (أ إ آ → ا, ئ → ي, ؤ → و).
    w = fold(word).translate(_AR_MAP)
    if w.startswith("ال") and len(w) - 2 >= MIN_STEM:
        w = w[2:]
    for group in (_AR_PLURALS, _AR_ENDINGS):
        for suffix in group:
            if w.endswith(suffix) and len(w) - len(suffix) >= MIN_STEM:
                w = w[: -len(suffix)]
                break
    return w


def _ar_candidates(word: str) -> list[str]:
    """The query word's possible stems, the least cut first: a proclitic (و ف ب ل ك) is
    only taken off when the word is known without it, so فلسطين keeps its ف."""
    w = fold(word).translate(_AR_MAP)
    return [
        _reduce_ar(w[len(p) :])
        for p in ("", *_AR_PROCLITICS)
        if w.startswith(p) and len(w) - len(p) >= MIN_STEM
    ]


@cache
def _snowball(lang: str) -> snowballstemmer.stemmer:
    import snowballstemmer  # 34 ms of imports: paid with the glossary, not at start-up

    return snowballstemmer.stemmer(_SNOWBALL[lang])


@lru_cache(maxsize=8192)
def stem(family: str, word: str) -> str:
    """The stem of one word (already split out of the text) by a family's rule."""
    if family == "cyr":
        return _cyr_candidates(word)[0]
    if family == "ar":
        return _reduce_ar(word)
    # Snowball wants the accents (réfugiés → réfugi); the stem is folded after.
    return fold(str(_snowball(family).stemWord(word.casefold())))


def split_words(text: str) -> list[str]:
    """The words of a query or a glossary phrase, with the apostrophes handled."""
    return [w for w in _WORD.findall(_UK_APOSTROPHE.sub("", text)) if not _is_elision(w)]


def _is_elision(word: str) -> bool:
    # the "l", "d", "qu" of l'Ukraine, d'Israël: the word after the apostrophe is kept
    return word.casefold() in {"l", "d", "j", "qu", "s", "n", "c", "m", "t"}


# ---------------------------------------------------------------------------- the glossary


class Glossary:
    """Stemmed phrases of every language → the English words of their terms."""

    def __init__(self, entries: Iterable[Entry]) -> None:
        self.entries = tuple(entries)
        self._index: dict[tuple[str, tuple[str, ...]], list[str]] = {}
        self._known: dict[str, set[str]] = {"cyr": set(), "ar": set()}  # their stems
        self.longest = 1
        for entry in self.entries:
            for lang, phrases in entry.words.items():
                family = _FAMILY[lang]
                for phrase in phrases:
                    toks = split_words(phrase)
                    if not toks or len(toks) > MAX_PHRASE:
                        continue
                    if family == "cyr":
                        keys = list(product(*(_cyr_candidates(w) for w in toks)))
                    else:
                        keys = [tuple(stem(family, w) for w in toks)]
                    for key in keys:
                        if family in self._known:
                            self._known[family].update(key)
                        targets = self._index.setdefault((family, key), [])
                        if entry.english not in targets:
                            targets.append(entry.english)
                    self.longest = max(self.longest, len(toks))

    def translate(self, query: str, language: str = "uk") -> str:
        """The English words of the known terms in ``query``, in order ("" if none).

        At each word the longest known phrase starting there wins (Західний берег is the
        West Bank, not "west" and "bank"), in the query's ``language`` (as guessed by
        :func:`bot.content.text.query_language`) if it has one, else in any other (a French
        query may name a term only the German column spells alike). A word no phrase starts
        with is dropped. Numbers are kept: they are the same in every language (1967).
        Never raises: whatever a member types is a query."""
        first = _FAMILY.get(language, "cyr")
        order = (first, *(f for f in _FAMILIES if f != first))
        toks = split_words(query)[:50]
        stems = {f: [self._stem(f, t) for t in toks] for f in _FAMILIES}
        found: list[str] = []
        i = 0
        while i < len(toks):
            if toks[i].isdecimal():  # not isdigit: "³" is a digit that int() refuses
                if len(toks[i]) <= 8:  # a year or a count, not a pasted serial number
                    found.append(str(int(toks[i])))  # ١٩٦٧ is 1967
                i += 1
                continue
            size, targets = self._match(stems, i, len(toks), order)
            found.extend(t for t in targets if t not in found)
            i += max(size, 1)
        return " ".join(found)

    def _stem(self, family: str, word: str) -> str:
        if family == "cyr":
            candidates = _cyr_candidates(word)
        elif family == "ar":
            candidates = _ar_candidates(word)
        else:
            return stem(family, word)
        return next((c for c in candidates if c in self._known[family]), stem(family, word))

    def _match(
        self, stems: dict[str, list[str]], i: int, n: int, order: tuple[str, ...]
    ) -> tuple[int, list[str]]:
        for families in ((order[0],), order[1:]):
            for size in range(min(self.longest, n - i), 0, -1):
                targets: list[str] = []
                for family in families:
                    key = (family, tuple(stems[family][i : i + size]))
                    targets.extend(self._index.get(key, []))
                if targets:
                    return size, targets
        return 0, []


def glossary_text() -> str:
    """The packaged glossary file's text."""
    return resources.files("bot").joinpath("data").joinpath(GLOSSARY_FILE).read_text("utf-8")


@cache
def shared_glossary() -> Glossary:
    """The packaged glossary, read and stemmed on first use, not at start-up (about 0.25 s:
    the Snowball stemmers are pure Python), so an English-only bot never pays for it."""
    return Glossary(parse(glossary_text()))
