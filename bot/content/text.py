"""Query text helpers shared by the lexical and dense search: folding, words, stop words."""

from __future__ import annotations

import re
import unicodedata

MAX_QUERY_CHARS = 300
MAX_QUERY_TOKENS = 12


def wordlist(text: str) -> tuple[str, ...]:
    return tuple(text.split())


STOP_WORDS = frozenset(
    wordlist(
        """
    a about above after again against all am an and any are aren as at be because been before
    being below between both but by can cannot could couldn did didn do does doesn doing don
    down during each few for from further had hadn has hasn have haven having he her here hers
    herself him himself his how i if in into is isn it its itself just let me more most my
    myself no nor not now of off on once only or other ought our ours ourselves out over own
    same shall she should so some such than that the their theirs them themselves then there
    these they this those through to too under until up very was wasn we were weren what when
    where which while who whom why will with won would you your yours yourself yourselves
    tell say says said think thing things anything something really also please want know
    does doing group groups statement statements text quote excerpt paragraph
    """
    )
)

_WORD = re.compile(r"[^\W_]+")
_PHRASE = re.compile(r"[\"“”«»„]([^\"“”«»„]+)[\"“”«»„]")


def fold(text: str) -> str:
    """NFKC + casefold + strip diacritics (like unicode61 remove_diacritics 2)."""
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text).casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def words(text: str) -> list[str]:
    return _WORD.findall(fold(text))


def phrases(text: str) -> list[str]:
    """The "quoted phrases" of a query."""
    return _PHRASE.findall(text)


def fts_term(token: str, *, prefix: bool = False) -> str:
    """A single FTS5 string token, always quoted (user input never reaches FTS syntax)."""
    quoted = '"' + token.replace('"', '""') + '"'
    return quoted + "*" if prefix else quoted


# Questions about the group itself are all stop words ("who are you"): say what they ask for
# in the words the statements use (applied to the folded query).
_ABOUT_US: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(r"\bwho (?:are|r) (?:you|u|yous|you all)\b|\byour group\b"),
        " group banner touch ",
    ),
    (re.compile(r"\bget involved\b|\btake part\b|\bbecome a member\b"), " join touch "),
    (re.compile(r"\b(?:contact|reach|write to|talk to) (?:you|u)\b|\bget in touch\b"), " touch "),
)


def rewrite_question(text: str) -> str:
    """The query folded, with questions about the group spelled in the corpus's words."""
    folded = fold(text[:MAX_QUERY_CHARS])
    for pattern, words_ in _ABOUT_US:
        folded = pattern.sub(words_, folded)
    return folded


def kept(tokens: list[str]) -> list[str]:
    """Words a query keeps: one letter is the rest of an apostrophe ("don't" -> "don")."""
    return [t for t in tokens if len(t) > 1 or t.isdigit()]


def content_tokens(tokens: list[str]) -> list[str]:
    """The :func:`kept` words without stop words and filler (all of them if nothing is left)."""
    toks = kept(tokens)
    return [t for t in toks if t not in STOP_WORDS] or toks


def content_words(text: str) -> list[str]:
    """The query's words without stop words and filler (all of them if nothing is left)."""
    return content_tokens(words(rewrite_question(text)))


# Function words of the Latin-script languages the bot speaks: a query made of them (and no
# English ones) is in that language. Cyrillic and Arabic script are told by their letters.
_FUNCTION_WORDS: dict[str, frozenset[str]] = {
    "fr": frozenset(
        wordlist(
            "le la les des du de un une et est sont pour pourquoi comment vous nous avec dans"
            " sur aux au qui que quoi ou ce cette ces pas en l d qu contre leur leurs"
        )
    ),
    "de": frozenset(
        wordlist(
            "der die das den dem des und ist sind fur warum wie wir ihr mit im ein eine einen"
            " nicht auf zu gegen was wer wo ich sie euch"
        )
    ),
    "es": frozenset(
        wordlist(
            "el los las del y es son por para porque como con una uno que quien donde contra"
            " su sus se al lo nosotros vosotros"
        )
    ),
}
_ENGLISH = frozenset(wordlist("the and is are of to for why how what who with in on you we do"))


def query_language(text: str) -> str:
    """Best guess at the query's language: "uk", "ar", "fr", "de", "es" or "en"."""
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        return "en"
    cyrillic = sum("\u0400" <= ch <= "\u04ff" for ch in letters)
    arabic = sum("\u0600" <= ch <= "\u06ff" or "\u0750" <= ch <= "\u077f" for ch in letters)
    if cyrillic * 2 > len(letters):
        return "uk"
    if arabic * 2 > len(letters):
        return "ar"
    toks = words(text)
    if any(t in _ENGLISH for t in toks):
        return "en"
    best, hits = "en", 0
    for lang, vocab in _FUNCTION_WORDS.items():
        n = sum(t in vocab for t in toks)
        if n > hits:
            best, hits = lang, n
    return best
