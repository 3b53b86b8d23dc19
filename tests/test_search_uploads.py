"""Uploads beside the question bank: weighed alike, by their text, and safe to remove mid-search."""

from __future__ import annotations

import dataclasses

import pytest

from bot.content.search import TUNING
from bot.content.service import ContentService
from bot.content.upload import parse_uploaded

VIETNAM = "vietnam-a-victory-against-imperialism"

PICNIC = """---
title: Notes on the Vietnam solidarity picnic
author: Test Collective
date: 2026
---

We will bring sandwiches, lemonade and folding chairs to the park on Saturday.

Children can play football near the pond while the grown-ups set up the tables.

Please tell us by Thursday if you can carry a cool box.
"""

# sixty paragraphs nobody wrote questions for, near none of the shipped topics
ROTA = "---\ntitle: Allotment rota\nauthor: Test Collective\ndate: 2026\n---\n\n" + "\n\n".join(
    f"Week {n}: the allotment team waters the tomatoes, weeds the onion beds and mends the "
    f"fence by gate {n}. Bring gloves; the shed key is with the warden."
    for n in range(60)
)
QUERIES = (
    "boats to gaza",
    "who are you",
    "why ukraine and palestine together",
    "how can i join",
    "are you pacifists",
    "what happened at glastonbury",
    "is russia the victim here",
    "who armed israel",
)


async def _top(svc: ContentService, query: str) -> list[tuple[str, int]]:
    svc.clear_cache()
    page = await svc.search(query, limit=3)
    return [(h.statement.slug, h.paragraph.index) for h in page.hits]


async def test_a_statements_title_does_not_lift_its_paragraphs(svc: ContentService) -> None:
    """The phrase bonus and the stand-in read a paragraph's text, not its statement's title."""
    info = await svc.add_statement(parse_uploaded(PICNIC))
    got = await _top(svc, "vietnam solidarity")
    assert got[:1] and got[0][0] == VIETNAM, got
    assert all(slug != info.slug for slug, _ in got), got


async def test_an_unrelated_uploads_stand_in_leaves_the_shipped_rankings_alone(
    svc: ContentService,
) -> None:
    """Its paragraphs' own text stands in for questions, but their cosines (whole sentences,
    lower than short questions') do not lower the floor the shipped questions must clear.
    (Compared with the stand-in off on the same corpus: any upload shifts the token weights.)"""
    await svc.add_statement(parse_uploaded(ROTA))
    with_stand_in = {q: await _top(svc, q) for q in QUERIES}
    svc.searcher.tuning = dataclasses.replace(TUNING, stand_in=False)
    assert {q: await _top(svc, q) for q in QUERIES} == with_stand_in


async def test_a_statement_removed_while_a_search_waits_is_not_shown(
    svc: ContentService, monkeypatch: pytest.MonkeyPatch
) -> None:
    info = await svc.add_statement(parse_uploaded(PICNIC))
    searcher = svc.searcher
    phrase = searcher._verbatim

    async def removed_meanwhile(query: str) -> set[int]:
        # the search has ranked the upload and awaits its last database call: remove it now
        assert await svc.remove_statement(info.slug)
        return await phrase(query)

    monkeypatch.setattr(searcher, "_verbatim", removed_meanwhile)
    ranked = await searcher.rank("sandwiches and lemonade in the park for gaza")
    assert ranked  # the shipped paragraphs on Gaza; the picnic's neither fails nor shows
    assert all(r.paragraph.slug != info.slug for r in ranked)
