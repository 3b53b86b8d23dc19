"""Hybrid search: the shipped model offline, vectors as index data, meaning, languages, paging."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from bot.content.dense import DenseIndex, tokenize
from bot.content.hints import builtin_hints, hint_tokens
from bot.content.service import ContentService
from bot.content.text import query_language
from bot.content.upload import parse_uploaded
from bot.content.vectors import Embedder, shared_embedder, tokens_from_blob, tokens_to_blob
from storage.db import Database
from storage.vectors import VectorRepository
from tests.harness import ADMIN_ID, UK_BANNER_TRANSLATION, USER_ID, BotHarness, hit_rates
from tests.test_content_commands import button, no_failed_calls

ROOT = Path(__file__).resolve().parent.parent
BANNER = "why-we-carry-this-banner"

KITCHEN = b"""---
title: Kitchen notes
author: Test Collective
date: 2026
---

Our bakery collective hands out fresh bread and soup to refugee families every Sunday morning.
"""

# A child process that refuses every connection but to 127.0.0.1 and then loads the model
# both ways: our reader, and wordllama's own loader pointed at the package folder.
_OFFLINE_CHILD = textwrap.dedent(
    """
    import socket
    real_connect = socket.socket.connect
    attempts = []

    def guarded(self, address):
        host = address[0] if isinstance(address, tuple) else address
        if host not in ("127.0.0.1", "::1", "localhost"):
            attempts.append(host)
            raise OSError("network blocked by the test")
        return real_connect(self, address)

    socket.socket.connect = guarded
    socket.create_connection = lambda *a, **k: guarded(None, a[0])
    import numpy as np
    from bot.content.vectors import Embedder, package_dir
    ours = Embedder.load().embed(["Ukraine and Palestine", "occupation is a crime"])
    from wordllama import WordLlama
    theirs = WordLlama.load("l2_supercat", cache_dir=package_dir(), disable_download=True)
    same = np.allclose(ours, theirs.embed(["Ukraine and Palestine", "occupation is a crime"],
                                          norm=True), atol=1e-5)
    print("OK" if same and not attempts and ours.shape == (2, 256) else f"BAD {attempts}")
    """
)


def test_model_loads_with_the_network_blocked() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "HTTP", "HTTPS"))}
    env.update(PYTHONPATH=str(ROOT), HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1")
    env.update(HOME=str(ROOT / "nonexistent-home"))  # no user cache to fall back on
    done = subprocess.run(
        [sys.executable, "-c", _OFFLINE_CHILD],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.stdout.strip().endswith("OK"), done.stdout + done.stderr


# Start-up on an already indexed database, with the background preparation left out: the
# corpus loads without numpy, and the first search by meaning makes the matrices itself.
_START_CHILD = textwrap.dedent(
    """
    import asyncio, sys
    from bot.content.search import HybridSearch
    from bot.content.service import ContentService
    from storage.db import Database

    HybridSearch.prepare = lambda self: None

    async def main(path):
        db = await Database.open(path)
        svc = ContentService(db)
        await svc.load()
        print("numpy after load:", "numpy" in sys.modules)
        page = await svc.search("ships sailing to gaza", limit=1)
        print("first:", page.hits[0].paragraph.text[:21])
        await db.close()

    asyncio.run(main(sys.argv[1]))
    """
)


# A first start, on an empty database: the corpus is indexed without loading the model (numpy
# and the tokenizer); the first search by meaning, or the warm-up job, tokenises it then.
_FIRST_START_CHILD = textwrap.dedent(
    """
    import asyncio, sys
    from bot.content.service import ContentService
    from storage.db import Database
    from storage.vectors import VectorRepository

    async def main(path, then):
        db = await Database.open(path)
        svc, vectors = ContentService(db), VectorRepository(db)
        await svc.load()
        print("numpy after load:", "numpy" in sys.modules)
        print("stored after load:", await vectors.count())
        if then == "search":
            page = await svc.search("boats trying to reach gaza by sea", limit=1)
            print("first:", page.hits[0].paragraph.text[:21])
        else:
            await svc.warm_up()
            print("ready:", svc.searcher.vectors_ready())
        print("stored then:", await vectors.count())
        await db.close()

    asyncio.run(main(*sys.argv[1:]))
    """
)


def _child(code: str, *args: str) -> str:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_importing_the_bot_does_not_import_numpy() -> None:
    out = _child("import sys, bot.app, bot.__main__; print('numpy' in sys.modules)")
    assert out.strip() == "False"


async def test_start_up_on_an_indexed_database_needs_no_numpy(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "t.db")
    try:
        await ContentService(db).load()  # indexes the corpus and stores its vectors
    finally:
        await db.close()
    out = _child(_START_CHILD, str(tmp_path / "t.db"))
    assert "numpy after load: False" in out
    assert "first: The Freedom Flotillas" in out


@pytest.mark.parametrize("then", ["search", "warm-up"])
def test_a_first_start_leaves_tokenising_to_the_first_search_or_the_warm_up(
    tmp_path: Path, then: str
) -> None:
    out = _child(_FIRST_START_CHILD, str(tmp_path / "t.db"), then)
    assert "numpy after load: False" in out
    assert "stored after load: 0" in out
    assert "stored then: 40" in out  # every paragraph tokenised, once
    assert ("first: The Freedom Flotillas" if then == "search" else "ready: True") in out


def test_embedder_gives_unit_vectors_and_zero_for_nothing() -> None:
    embedder = shared_embedder()
    assert embedder is not None
    vecs = embedder.embed(["blockade of Gaza", ""])
    assert vecs.shape == (2, 256)
    assert abs(float(np.linalg.norm(vecs[0])) - 1.0) < 1e-5
    assert not vecs[1].any()


async def test_vectors_are_not_recomputed_on_an_unchanged_corpus(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    embedder = shared_embedder()
    assert embedder is not None
    # The question hints are tokenised once a process (not index data): done before counting
    hint_tokens(embedder, tuple(h.text for h in builtin_hints()))
    calls: list[int] = []
    real = Embedder.token_ids

    def counting(self: Embedder, texts: list[str]) -> list[list[int]]:
        calls.append(len(texts))
        return real(self, texts)

    monkeypatch.setattr(Embedder, "token_ids", counting)
    db = await Database.open(tmp_path / "t.db")
    try:
        vectors = VectorRepository(db)
        await vectors.put("an-older-recipe", {"0" * 64: b"\0\0"})
        first = ContentService(db)
        await first.load()
        stored = await vectors.count()
        assert first.searcher.embedded == stored == 40  # one BLOB per paragraph
        assert await vectors.get("an-older-recipe", ["0" * 64]) == {}  # redone once, dropped
        calls.clear()
        again = ContentService(db)  # a restart on the same database
        await again.load()
        assert again.searcher.embedded == 0
        assert calls == []  # no paragraph is tokenised again
        assert await vectors.count() == stored
        # A new statement tokenises its own paragraph only; removing it prunes its row.
        info = await again.add_statement(parse_uploaded(KITCHEN.decode()))
        assert again.searcher.embedded == 1 and calls == [1]
        assert await vectors.count() == stored + 1
        await again.remove_statement(info.slug)
        assert await vectors.count() == stored
    finally:
        await db.close()


def test_stored_tokens_round_trip_and_weigh_rare_tokens_more() -> None:
    embedder = shared_embedder()
    assert embedder is not None
    pieces = embedder.token_ids(["freedom flotillas", "", "the people of gaza"])
    assert tokens_from_blob(tokens_to_blob(pieces)) == pieces
    index = DenseIndex([1, 2], tokenize(embedder, ["The people and the flotillas.", "The people."]))
    built = index.build(embedder)
    the, flot = embedder.token_ids(["the", "flotillas"])
    assert built.weights[the[0]] < 0.5 * built.weights[flot[-1]]  # "the" is everywhere
    sims = index.similarities(built, index.query_vector(embedder, built, "flotillas"), 0.75)
    assert sims is not None and sims[0] > sims[1]


async def test_question_words_do_not_drown_content_words(svc: ContentService) -> None:
    for query in ("who are you", "how do I contact you", "how can I join"):
        page = await svc.search(query, limit=3)
        got = [(h.statement.slug, h.paragraph.index) for h in page.hits]
        assert got[:1] == [(BANNER, 11)], (query, got)  # the contact paragraph first
    page = await svc.search("why ukraine and palestine together", limit=3)
    assert (BANNER, 1) in [(h.statement.slug, h.paragraph.index) for h in page.hits]


async def test_paraphrase_without_shared_words(svc: ContentService) -> None:
    """'ships' and 'sailing' are nowhere in the texts; the flotilla paragraph is found."""
    page = await svc.search("ships sailing to gaza", limit=3)
    assert page.hits[0].paragraph.text.startswith("The Freedom Flotillas")


def test_query_language() -> None:
    assert query_language("геноцид") == "uk"
    assert query_language("غزة فلسطين") == "ar"
    assert query_language("pourquoi l'Ukraine et la Palestine ensemble") == "fr"
    assert query_language("why ukraine and palestine together") == "en"
    assert query_language("blokade flotilla") == "en"


async def test_translation_is_preferred_in_its_language(svc: ContentService) -> None:
    info = await svc.add_statement(parse_uploaded(UK_BANNER_TRANSLATION))
    assert info.language == "uk" and info.translation_of == BANNER
    english = await svc.search("small nations resisting a colonial power", limit=5)
    assert english.hits[0].statement.slug == BANNER and english.hits[0].paragraph.index == 1
    assert all(h.statement.slug != info.slug for h in english.hits)  # one passage, once
    ukrainian = await svc.search("small nations resisting a colonial power", limit=5, lang="uk")
    assert ukrainian.hits[0].statement.slug == info.slug
    assert ukrainian.hits[0].paragraph.text.startswith("Україна і Палестина")
    assert ukrainian.foreign is None
    assert (await svc.search("геноцид", lang="uk")).foreign is None  # a uk statement exists


# ---------------------------------------------------------------------------- end to end


async def test_new_statement_is_searchable_by_meaning_right_after_upload(
    harness: BotHarness,
) -> None:
    query = "/excerpt feeding displaced households"  # no word in common with the text
    await harness.send(USER_ID, USER_ID, query)
    assert "bakery collective" not in (harness.last(USER_ID).text or "")
    await harness.send(ADMIN_ID, ADMIN_ID, "/addstatement")
    await harness.send(ADMIN_ID, ADMIN_ID, None, document=("kitchen.md", KITCHEN))  # type: ignore[arg-type]
    assert "Added “Kitchen notes”" in (harness.last(ADMIN_ID).text or "")
    await harness.send(USER_ID, USER_ID, query)
    text = harness.last(USER_ID).text or ""
    assert "Our bakery collective hands out fresh bread" in text
    no_failed_calls(harness)


async def test_ukrainian_query_gets_the_explanation_in_ukrainian(harness: BotHarness) -> None:
    harness.core.private_chat(USER_ID, language_code="uk")
    await harness.send(USER_ID, USER_ID, "/excerpt геноцид")
    text = harness.last(USER_ID).text or ""
    assert "Заяви групи написані англійською" in text
    assert "/statements" in text
    harness.core.private_chat(USER_ID, language_code="en")
    await harness.send(USER_ID, USER_ID, "/excerpt геноцид")
    assert "The group's statements are in English" in (harness.last(USER_ID).text or "")
    no_failed_calls(harness)


async def test_french_query_gets_the_note_and_the_closest_passages(harness: BotHarness) -> None:
    harness.core.private_chat(USER_ID, language_code="fr")
    await harness.send(USER_ID, USER_ID, "/excerpt le campisme")
    text = harness.last(USER_ID).text or ""
    assert text.startswith("Les déclarations du groupe sont en anglais.")
    assert "campism" in text and "/statements" in text
    no_failed_calls(harness)


async def test_long_query_header_is_cut_and_more_shows_passages(harness: BotHarness) -> None:
    query = "solidarity " * 30
    await harness.send(USER_ID, USER_ID, f"/excerpt {query}")
    reply = harness.last(USER_ID)
    header = (reply.text or "").split("\n")[0]
    assert "…" in header and len(header) < 120
    more = button(reply, "More")["callback_data"]
    await harness.press(USER_ID, USER_ID, reply.message_id, more)
    paged = harness.last(USER_ID).text or ""
    assert paged.startswith("Passages for") and "…" in paged.split("\n")[0]
    assert len(paged.split("\n\n")) >= 2  # the header and at least one passage
    no_failed_calls(harness)


async def test_more_past_the_end_shows_the_last_passages(harness: BotHarness) -> None:
    await harness.send(USER_ID, USER_ID, "/excerpt solidarity")
    reply = harness.last(USER_ID)
    await harness.press(USER_ID, USER_ID, reply.message_id, "ex:m:1:99")  # far past the end
    text = harness.last(USER_ID).text or ""
    assert "<b>" in (harness.last(USER_ID).source_text or "")
    assert "of" in text.split("\n")[0]
    no_failed_calls(harness)


async def test_member_query_set_floor(svc: ContentService) -> None:
    """A regression guard over both halves of the member-style English queries."""
    data = json.loads((ROOT / "tests" / "data" / "search_eval.json").read_text("utf-8"))
    english = [q for q in data["queries"] if q["lang"] == "en"]
    assert len(english) >= 50
    top1, top3 = await hit_rates(svc, english)
    assert top1 >= 0.75
    assert top3 >= 0.9
