"""The catalogs: complete, consistent with the English texts, and renderable through Telegram."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from telegram.constants import ParseMode

from bot.i18n import texts
from bot.i18n import translate as i18n
from bot.i18n.translate import (
    DEFAULT_LANGUAGE,
    SUPPORTED_LANGUAGES,
    format_date,
    format_time,
    format_when,
    normalize_language,
    t,
    tn,
)
from tests.harness import USER_ID, BotHarness

ROOT = Path(__file__).resolve().parent.parent
KEYWORDS = {"N_": None, "NP_": (1, 2), "t": (2,), "tn": (2, 3)}
TRANSLATED = [lang for lang in SUPPORTED_LANGUAGES if lang != DEFAULT_LANGUAGE]
PLACEHOLDER = re.compile(r"\{([a-zA-Z_][a-zA-Z0-9_]*)\}")
TAG = re.compile(r"</?([a-zA-Z-]+)[^>]*>")

Entry = tuple[str, str | None]  # (msgid, msgid_plural)


def _marked_in_code() -> set[Entry]:
    """Every string marked in the code, found the way scripts/i18n.py extracts them."""
    found: set[Entry] = set()
    for package in ("bot", "handlers", "storage"):
        for _file, _line, message, _comments, _ctx in extract_from_dir(
            ROOT / package,
            method_map=[("**.py", "python")],
            keywords=KEYWORDS,
        ):
            if isinstance(message, tuple):
                found.add((str(message[0]), str(message[1])))
            else:
                found.add((str(message), None))
    return found


MARKED = sorted(_marked_in_code())


def _catalog(lang: str) -> dict[Entry, list[str]]:
    path = ROOT / "bot" / "locales" / lang / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as fh:
        catalog = read_po(fh, locale=lang)
    out: dict[Entry, list[str]] = {}
    for message in catalog:
        if not message.id or message.fuzzy:
            continue
        if isinstance(message.id, tuple | list):
            key: Entry = (str(message.id[0]), str(message.id[1]))
            out[key] = [str(s) for s in message.string or ()]
        else:
            out[(str(message.id), None)] = [str(message.string)]
    return out


def test_every_text_constant_is_marked() -> None:
    """bot.i18n.texts holds only marked texts, so nothing escapes extraction."""
    marked_ids = {msgid for msgid, _ in MARKED} | {p for _, p in MARKED if p}
    for name in dir(texts):
        value = getattr(texts, name)
        if name.isupper() and isinstance(value, str):
            assert value in marked_ids, f"texts.{name} is not marked with N_()/NP_()"


@pytest.mark.parametrize("lang", TRANSLATED)
def test_catalog_complete_and_consistent(lang: str) -> None:
    catalog = _catalog(lang)
    problems: list[str] = []
    for msgid, plural in MARKED:
        strings = catalog.get((msgid, plural))
        if not strings or any(not s.strip() for s in strings):
            problems.append(f"missing or fuzzy: {msgid[:70]!r}")
            continue
        want_ph = set(PLACEHOLDER.findall(msgid)) | set(PLACEHOLDER.findall(plural or ""))
        want_tags = sorted(TAG.findall(msgid))
        for s in strings:
            got_ph = set(PLACEHOLDER.findall(s))
            # A plural form may leave out {n} ("يومين" is "two days"); nothing else may differ.
            if got_ph - want_ph or (want_ph - got_ph) - ({"n"} if plural else set()):
                problems.append(f"placeholders {sorted(got_ph)} != {sorted(want_ph)}: {msgid!r}")
            if sorted(TAG.findall(s)) != want_tags:
                problems.append(f"HTML tags differ: {msgid[:70]!r}")
            if "✊" in msgid and "✊" not in s:
                problems.append(f"✊ dropped: {msgid[:70]!r}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(("lang", "forms"), [("uk", 3), ("ar", 6), ("fr", 2), ("de", 2)])
def test_plural_forms_per_language(lang: str, forms: int) -> None:
    for key, strings in _catalog(lang).items():
        if key[1] is not None:
            assert len(strings) == forms, f"{lang} {key[0]!r}"


def test_plural_choice() -> None:
    one, many = texts.FEED_DEMOS, texts.FEED_DEMOS_PLURAL
    assert tn("en", one, many, 1) == "1 upcoming demonstration"
    assert tn("en", one, many, 2) == "2 upcoming demonstrations"
    assert [tn("uk", one, many, n) for n in (1, 3, 5, 11, 21, 22)] == [
        "1 найближча демонстрація",
        "3 найближчі демонстрації",
        "5 найближчих демонстрацій",
        "11 найближчих демонстрацій",
        "21 найближча демонстрація",
        "22 найближчі демонстрації",
    ]
    assert tn("fr", one, many, 0) == "0 manifestation à venir"
    assert tn("fr", one, many, 2) == "2 manifestations à venir"
    arabic = [tn("ar", one, many, n) for n in (0, 1, 2, 3, 11, 100)]
    assert arabic == [
        "لا مظاهرات قادمة",
        "مظاهرة قادمة واحدة",
        "مظاهرتان قادمتان",
        "3 مظاهرات قادمة",
        "11 مظاهرةً قادمةً",
        "100 مظاهرة قادمة",
    ]


def test_escaping_and_fallbacks() -> None:
    assert t("de", texts.FEED_BAD_URL, url="<b>") == (
        "„&lt;b&gt;“ ist keine Kalenderadresse; sie muss mit http:// oder https:// beginnen."
    )
    assert t(None, texts.FEED_NEVER) == "never"
    assert t("xx", texts.FEED_NEVER) == "never"
    assert t("es", texts.FEED_NEVER) == "nunca"
    assert normalize_language("uk-UA") == "uk" and normalize_language("pt") is None
    assert i18n.is_rtl("ar") and not i18n.is_rtl("uk")


def test_dates_in_each_locale() -> None:
    when = datetime(2026, 12, 5, 13, 0, tzinfo=UTC)
    assert format_when(when, "Europe/London", "en") == "Saturday, December 5, 2026, 1:00\u202fPM"
    assert format_when(when, "Europe/Kyiv", "uk") == "субота, 5 грудня 2026\u202fр., 15:00"
    assert format_when(when, "Europe/Paris", "fr") == "samedi 5 décembre 2026, 14:00"
    assert format_when(when, "Europe/Berlin", "de") == "Samstag, 5. Dezember 2026, 14:00"
    assert "diciembre" in format_when(when, "Europe/Madrid", "es")
    assert "ديسمبر" in format_when(when, "Asia/Gaza", "ar")
    assert format_time(when, "Asia/Gaza", "de") == "15:00"
    assert format_date(date(2026, 12, 5), None, "fr") == "samedi 5 décembre 2026"
    # Unknown zone or language: UTC and English rather than an error.
    assert format_when(when, "Not/AZone", "xx") == "Saturday, December 5, 2026, 1:00\u202fPM"
    with pytest.raises(ValueError):
        format_when(datetime(2026, 12, 5, 13, 0), "UTC", "en")


def _sample(name: str, lang: str) -> str:
    if name == "when":
        return format_when(datetime(2026, 12, 5, 13, 0, tzinfo=UTC), "Europe/London", lang)
    if name == "url":
        return "https://example.org/demos.ics?a=1&b=<2>"
    if name in {"id", "n", "count", "page", "pages", "limit", "added", "updated", "kept"}:
        return "12"
    return f"{name} <&> value"


async def test_every_message_renders_in_every_language(harness: BotHarness) -> None:
    """Each text, in each language, goes through the real Bot to the emulator's HTML checks."""
    bot = harness.app.bot
    harness.core.private_chat(USER_ID)
    sent = 0
    for lang in SUPPORTED_LANGUAGES:
        for msgid, plural in MARKED:
            names = set(PLACEHOLDER.findall(msgid)) | set(PLACEHOLDER.findall(plural or ""))
            values = {name: _sample(name, lang) for name in names if plural is None or name != "n"}
            if plural is not None:
                counts = (0, 1, 2, 3, 11, 100) if lang == "ar" else (1, 2, 5, 21)
                bodies = [tn(lang, msgid, plural, n, **values) for n in counts]
            else:
                bodies = [t(lang, msgid, **values) if names else t(lang, msgid)]
            for body in bodies:
                assert not PLACEHOLDER.search(body), f"unfilled placeholder in {lang}: {body!r}"
                message = await bot.send_message(USER_ID, body, parse_mode=ParseMode.HTML)
                assert message.text
                sent += 1
    assert sent >= len(SUPPORTED_LANGUAGES) * len(MARKED)
    assert len(harness.core.sent_to(USER_ID)) == sent
