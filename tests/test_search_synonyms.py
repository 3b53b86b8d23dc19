"""The member-vocabulary thesaurus: the file is sound, everyday words find their paragraphs
(built-in and uploaded), ambiguous words break nothing, and it is the thesaurus that does it."""

from __future__ import annotations

import dataclasses
from importlib import resources

import pytest

from bot.content import synonyms
from bot.content.corpus import load_builtin_statements
from bot.content.search import TUNING
from bot.content.service import ContentService
from bot.content.synonyms import SYNONYMS_FILE, Thesaurus, builtin_thesaurus, parse_synonyms
from bot.content.text import STOP_WORDS, content_words, words
from bot.content.upload import parse_uploaded

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
    assert len(rows) >= 250
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


# ---------------------------------------------------------------------------- search


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("tankies", (VIETNAM, 5)),  # "campism"
        ("rappers banned", (MOVEMENT, 11)),  # "chants at a music festival"
        ("free speech under threat", (BANNER, 3)),  # "civil liberties"
        ("emptying gaza", (MOVEMENT, 10)),  # "the criminal will to expel the population"
    ],
)
async def test_everyday_words_find_their_paragraph_through_the_thesaurus(
    svc: ContentService,
    monkeypatch: pytest.MonkeyPatch,
    query: str,
    expected: tuple[str, int],
) -> None:
    statement = next(s for s in load_builtin_statements() if s.slug == expected[0])
    paragraph = statement.paragraphs[expected[1]]
    own = set(content_words(query)) - {"gaza", "threat", "banned"}
    assert not own & set(words(paragraph.text))  # the member's telling words are not there
    assert (await _top(svc, query))[:1] == [expected]
    # the question bank finds some of these by itself: the thesaurus is shown without it
    svc.searcher.tuning = dataclasses.replace(TUNING, hint_lexical=0.0, hint_dense=0.0)
    assert (await _top(svc, query))[:1] == [expected]
    # lexical and dense sides both read the thesaurus through this one name
    monkeypatch.setattr(synonyms, "builtin_thesaurus", lambda: Thesaurus({}))
    assert (await _top(svc, query))[:1] != [expected]  # it is the thesaurus that finds it


async def test_the_dense_side_counts_the_expansion(svc: ContentService) -> None:
    """By meaning alone, "capitalism" (a word no paragraph has) reaches the paragraph on the
    neoliberal class only through the terms the thesaurus gives it."""
    dense = [
        (r.paragraph.slug, r.paragraph.idx)
        for r in await svc.searcher.rank("capitalism", mode="dense")
    ]
    assert dense[:1] == [(BANNER, 3)]
    svc.searcher.tuning = dataclasses.replace(TUNING, synonyms=0.0)
    assert await svc.searcher.rank("capitalism", mode="dense") == []  # below the floor


@pytest.mark.parametrize(
    ("query", "wanted", "unwanted"),
    [
        # "strikes" are air strikes ...
        ("air strikes on iran", {(BANNER, 2), (MOVEMENT, 17)}, {(MOVEMENT, 18)}),
        # ... unless the phrase says workers' action
        ("general strike for palestine", {(MOVEMENT, 18)}, set()),
        # an idiom is not about ships
        ("in the same boat", {(BANNER, 1)}, {(MOVEMENT, 5)}),
        ("boats to gaza", {(MOVEMENT, 5)}, set()),
        ("west bank settlers", {(MOVEMENT, 12)}, set()),
    ],
)
async def test_ambiguous_words_keep_their_sense(
    svc: ContentService,
    query: str,
    wanted: set[tuple[str, int]],
    unwanted: set[tuple[str, int]],
) -> None:
    got = await _top(svc, query)
    assert wanted & set(got), (query, got)
    assert not unwanted & set(got), (query, got)


async def test_an_uploaded_statement_is_found_by_a_member_word(
    svc: ContentService, monkeypatch: pytest.MonkeyPatch
) -> None:
    info = await svc.add_statement(parse_uploaded(CHOIR))
    # "vicars", in the upload (and in the paragraph on the arrests in London, which the
    # question bank ties to "clergy": either may come first)
    assert (info.slug, 0) in await _top(svc, "clergy")
    monkeypatch.setattr(synonyms, "builtin_thesaurus", lambda: Thesaurus({}))
    assert all(slug != info.slug for slug, _ in await _top(svc, "clergy"))
