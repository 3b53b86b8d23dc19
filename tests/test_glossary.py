"""The query glossary: the file itself, inflection, and other-language queries end to end."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.content.glossary import LANGUAGES, glossary_text, parse, shared_glossary
from bot.content.service import ContentService
from bot.content.text import words
from bot.content.upload import parse_uploaded
from storage.db import Database
from tests.harness import UK_BANNER_TRANSLATION, USER_ID, BotHarness
from tests.test_content_commands import no_failed_calls

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bot" / "data"
MOVEMENT = "building-a-global-movement-against-genocide-in-palestine"
FLOTILLAS = (MOVEMENT, 5)  # "The Freedom Flotillas, carrying world-renowned personalities..."
WEST_BANK = (MOVEMENT, 12)  # "... In the West Bank, attacks ... by settlers ..."


async def first(svc: ContentService, query: str, lang: str = "en") -> tuple[str, int] | None:
    page = await svc.search(query, limit=3, lang=lang)
    return (page.hits[0].statement.slug, page.hits[0].paragraph.index) if page.hits else None


# ---------------------------------------------------------------------------- the file


def test_glossary_file_parses_and_every_english_word_is_in_the_corpus() -> None:
    entries = parse(glossary_text())  # raises on a repeated key
    assert len(entries) >= 200
    assert len({e.english for e in entries}) == len(entries)
    corpus = "\n".join(p.read_text("utf-8") for p in [*sorted((DATA / "statements").iterdir())]) + (
        DATA / "comparison-table.tsv"
    ).read_text("utf-8")
    vocabulary = set(words(corpus))
    for entry in entries:
        missing = [w for w in words(entry.english) if w not in vocabulary]
        assert not missing, f"{entry.english!r}: {missing} occur nowhere in the statements"
        # every term is spelled in the languages the bot's members write in
        for lang in ("uk", "fr", "de", "es", "ar"):
            assert entry.words[lang], (entry.english, lang)


def test_parse_rejects_a_repeated_key_and_a_short_row() -> None:
    header = "# a comment\n" + "\t".join(("en", *LANGUAGES)) + "\n"
    row = "genocide\tгеноцид\tгеноцид\tgénocide\tVölkermord\tgenocidio\tإبادة\n"
    assert [e.english for e in parse(header + row)] == ["genocide"]
    with pytest.raises(ValueError, match="twice"):
        parse(header + row + row.replace("геноцид", "винищення"))
    with pytest.raises(ValueError, match="cells"):
        parse(header + "genocide\tгеноцид\n")
    with pytest.raises(ValueError, match="header"):
        parse(row)


def test_the_glossary_is_packaged() -> None:
    pyproject = (ROOT / "pyproject.toml").read_text("utf-8")
    assert re.search(r'bot = \[[^\]]*"data/\*\*/\*"', pyproject)  # bot/data ships whole
    assert (DATA / "search_glossary.tsv").is_file()


# ---------------------------------------------------------------------------- inflection


@pytest.mark.parametrize(
    ("query", "lang", "english"),
    [
        # Ukrainian cases, and the same words spelled the Russian way
        ("геноцид", "uk", "genocide"),
        ("геноциду", "uk", "genocide"),
        ("геноцидом", "uk", "genocide"),
        ("солідарністю з Україною", "uk", "solidarity ukraine"),
        ("солидарность с Украиной", "uk", "solidarity ukraine"),
        ("спротиву окупації", "uk", "resistance occupation"),
        ("на Західному березі", "uk", "west bank"),
        ("як з вами зв'язатися", "uk", "touch"),
        # Arabic: the article and the proclitics و ف ب ل, the ف that belongs to فلسطين
        ("غزة فلسطين", "ar", "gaza palestine"),
        ("بفلسطين وللاحتلال", "ar", "palestine occupation"),
        ("والفلسطينيين بالضفة الغربية", "ar", "palestinians west bank"),
        # French, German, Spanish: plurals and accents, typed or not
        ("les flottilles de la Liberté", "fr", "freedom flotillas"),
        ("génocide", "fr", "genocide"),
        ("les refugies", "fr", "refugees"),
        ("die Siedler im Westjordanland", "de", "settlers west bank"),
        ("los refugiados", "es", "refugees"),
        # numbers are kept, unknown words dropped
        ("1967 Накба", "uk", "1967 nakba"),
        ("١٩٦٧ النكبة", "ar", "1967 nakba"),
        ("шкарпетка", "uk", ""),
        # odd input found by the hostile tests: superscripts, a pasted long number
        ("7¹ ³ Газа", "uk", "gaza"),
        ("0" * 100 + " геноцид", "uk", "genocide"),
    ],
)
def test_translate_survives_inflection(query: str, lang: str, english: str) -> None:
    assert shared_glossary().translate(query, lang) == english


# ---------------------------------------------------------------------------- search


async def test_arabic_query_with_article_and_clitics_finds_its_passage(
    svc: ContentService,
) -> None:
    page = await svc.search("هجمات المستوطنين بالضفة الغربية", limit=3)
    assert page.foreign == "ar"
    assert (page.hits[0].statement.slug, page.hits[0].paragraph.index) == WEST_BANK


async def test_french_query_with_accents_and_plurals_finds_its_passage(
    svc: ContentService,
) -> None:
    assert await first(svc, "les flottilles de la liberté") == FLOTILLAS
    assert await first(svc, "les flottilles de la liberte") == FLOTILLAS
    page = await svc.search("les colons en Cisjordanie", limit=3)
    assert page.foreign == "fr"
    assert WEST_BANK in [(h.statement.slug, h.paragraph.index) for h in page.hits]


async def test_passages_found_through_the_glossary_are_the_english_ones(
    svc: ContentService,
) -> None:
    """The glossary only chooses passages: what is shown is the statement's own text."""
    page = await svc.search("геноцид у Газі", limit=5)
    assert page.foreign == "uk" and page.hits
    for hit in page.hits:
        shown = re.sub(r"</?b>", "", hit.highlighted_html)
        assert not re.search(r"[\u0400-\u04ff]", shown)
        stored = await svc.get_paragraphs(hit.statement.slug)
        assert hit.paragraph.text == stored[hit.paragraph.index].text
    assert await first(svc, "геноцид у Газі") == await first(svc, "genocide gaza")


async def test_unknown_foreign_word_changes_nothing(svc: ContentService) -> None:
    for query in ("шкарпетка", "جورب", "le zeppelinium"):
        page = await svc.search(query, limit=3)
        assert page.foreign is not None and page.hits == [] and page.total == 0


async def test_english_queries_do_not_read_the_glossary(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "t.db")
    try:
        service = ContentService(db)
        await service.load()
        assert await first(service, "ships sailing to gaza") == FLOTILLAS
        assert service._glossary is None  # read on the first query in another language
    finally:
        await db.close()


async def test_uploaded_translation_is_still_searched_and_preferred(svc: ContentService) -> None:
    info = await svc.add_statement(parse_uploaded(UK_BANNER_TRANSLATION))
    page = await svc.search("малі нації опираються колоніальній силі", limit=5, lang="uk")
    assert page.foreign is None
    assert page.hits[0].statement.slug == info.slug
    assert page.hits[0].paragraph.text.startswith("Україна і Палестина")
    slugs = [(h.statement.slug, h.paragraph.index) for h in page.hits]
    assert len(slugs) == len(set(slugs))  # the glossary's passages are added once, after


# ---------------------------------------------------------------------------- end to end


async def test_ukrainian_excerpt_gets_the_note_and_the_right_passage(
    harness: BotHarness,
) -> None:
    harness.core.private_chat(USER_ID, language_code="uk")
    await harness.send(USER_ID, USER_ID, "/excerpt про Флотилію свободи")
    text = harness.last(USER_ID).text or ""
    assert text.startswith("Заяви групи написані англійською. Найближчі уривки")
    assert "/statements" in text
    passages = text.split("\n\n")[1:]
    assert passages[0].startswith("The Freedom Flotillas, carrying world-renowned")
    no_failed_calls(harness)


async def test_unknown_word_in_ukrainian_gets_the_note_and_no_passages(
    harness: BotHarness,
) -> None:
    harness.core.private_chat(USER_ID, language_code="uk")
    await harness.send(USER_ID, USER_ID, "/excerpt шкарпетка")
    text = harness.last(USER_ID).text or ""
    assert text.startswith("Заяви групи написані англійською, і я не знайшов уривка")
    assert "/statements" in text
    no_failed_calls(harness)
