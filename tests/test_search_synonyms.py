"""The member-vocabulary thesaurus: the file is sound and its phrases are matched."""

from __future__ import annotations

from importlib import resources

import pytest

from bot.content.service import ContentService
from bot.content.synonyms import SYNONYMS_FILE, Thesaurus, builtin_thesaurus, parse_synonyms
from bot.content.text import STOP_WORDS, words

BANNER = "why-we-carry-this-banner"
MOVEMENT = "building-a-global-movement-against-genocide-in-palestine"
VIETNAM = "vietnam-a-victory-against-imperialism"

# An uploaded statement whose words the built-in ones share little of.
CHOIR = """---
title: Choir notes
author: Test Collective
date: 2026
---

The vicars of our parish choir rehearse every Thursday in the community hall.

The hall committee meets monthly to plan the autumn fair.
"""


async def _top(svc: ContentService, query: str) -> list[tuple[str, int]]:
    svc.clear_cache()
    page = await svc.search(query, limit=3)
    return [(h.statement.slug, h.paragraph.index) for h in page.hits]


# ---------------------------------------------------------------------------- the file


def test_file_parses_and_every_corpus_term_is_in_the_corpus() -> None:
    text = resources.files("bot").joinpath("data").joinpath(SYNONYMS_FILE).read_text("utf-8")
    rows = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    assert len(rows) >= 50
    table = builtin_thesaurus().table
    data = resources.files("bot").joinpath("data")
    corpus = [f.read_text("utf-8") for f in data.joinpath("statements").iterdir()]
    corpus.append(data.joinpath("comparison-table.tsv").read_text("utf-8"))
    vocabulary = set(words(" ".join(corpus)))  # texts, headings, titles and the table
    for source, targets in table.items():
        for target in targets:
            missing = [w for w in target.split() if w not in vocabulary]
            assert not missing, f"{source!r} -> {target!r}: {missing} occur nowhere in the corpus"
        # a one-word source that is a stop word would never be looked up
        assert " " in source or source not in STOP_WORDS, source


def test_parse_joins_rows_and_rejects_malformed_lines() -> None:
    table = parse_synonyms(
        "# comment\n\nflotillas\tBoats, sea voyage\nflotillas, aid\tboats\npolice\tCops\n"
    )
    assert table == {
        "boats": ("flotillas", "aid"),
        "sea voyage": ("flotillas",),
        "cops": ("police",),
    }
    assert parse_synonyms("indifferent\tdon't care")["don care"] == ("indifferent",)  # as typed
    with pytest.raises(ValueError, match=r":2: expected"):
        parse_synonyms("# header\nflotillas boats\n")
    with pytest.raises(ValueError, match=r":1: an empty term"):
        parse_synonyms("flotillas\tboats, ,ships\n")


def test_phrases_are_matched_longest_first_and_replace_their_words() -> None:
    thesaurus = Thesaurus(parse_synonyms("flotillas\tboat, boats\nsame foundation\tsame boat\n"))
    terms = thesaurus.terms(["in", "the", "same", "boat"])
    assert [(t.text, t.targets, t.phrase) for t in terms] == [
        ("in", (), False),
        ("the", (), False),
        ("same boat", ("same foundation",), True),
    ]
    assert thesaurus.lookup("boats") == ("flotillas",)
