"""Telegram's length limits in one place (bot/telegram/limits.py), in UTF-16 units."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.i18n import texts
from bot.i18n.translate import SUPPORTED_LANGUAGES, t
from bot.telegram import limits
from bot.telegram.render import split_message, truncate

ROOT = Path(__file__).resolve().parent.parent


def _callback_answer_texts() -> set[str]:
    """Every texts constant the source shows as a callback answer: inside ``.answer(...)``,
    passed to ``refuse(...)`` (an alert for a button), or chosen as a ``note`` for one."""
    found: set[str] = set()
    for path in [*ROOT.joinpath("handlers").glob("*.py"), *ROOT.joinpath("bot").rglob("*.py")]:
        source = path.read_text(encoding="utf-8")
        for m in re.finditer(r"\.answer\(|refuse\(", source):
            found.update(re.findall(r"texts\.([A-Z_]+)", _call_arguments(source, m.end())))
        for m in re.finditer(r"note = (texts\.[A-Z_]+)", source):
            found.add(m.group(1).split(".")[1])
    return found


def _call_arguments(source: str, start: int) -> str:
    """The text from start up to the parenthesis that closes the call opened just before."""
    depth = 1
    for i in range(start, len(source)):
        depth += {"(": 1, ")": -1}.get(source[i], 0)
        if depth == 0:
            return source[start:i]
    return source[start:]


CALLBACK_ANSWERS = sorted(_callback_answer_texts())


def test_units_count_astral_characters_twice() -> None:
    assert limits.utf16_units("🕊") == 2
    assert limits.utf16_units("é") == 1
    assert limits.visible_units("<b>🕊</b> &amp;") == 4


def test_clip_counts_utf16_units_and_never_splits_a_pair() -> None:
    clipped = limits.clip("🕊" * 3000, 4096)
    assert limits.utf16_units(clipped) <= 4096
    assert clipped.endswith("…") and "\ud83d" not in clipped
    assert limits.clip("short", 10) == "short"
    assert limits.utf16_units(truncate("🕊" * 100, 64)) <= 64


@pytest.mark.parametrize("lang", SUPPORTED_LANGUAGES)
def test_every_callback_answer_fits_in_every_language(lang: str) -> None:
    assert len(CALLBACK_ANSWERS) >= 10  # the scan found them
    for name in CALLBACK_ANSWERS:
        text = t(lang, getattr(texts, name), id=123456)
        assert limits.utf16_units(text) <= limits.CALLBACK_ANSWER, (lang, name)


def test_split_parts_fit_in_utf16_units() -> None:
    parts = split_message("🕊" * 5000)
    assert len(parts) == 3
    assert all(limits.visible_units(p) <= limits.MESSAGE for p in parts)


@pytest.mark.parametrize("lang", SUPPORTED_LANGUAGES)
def test_every_caption_fits_in_every_language(lang: str) -> None:
    from bot.demos.cards import MAX_TITLE
    from bot.i18n.translate import tn

    longest_title = "🕊" * MAX_TITLE  # the longest title a command accepts, in astral characters
    captions = [
        t(lang, texts.ICS_CAPTION, title=truncate(longest_title, 200)),
        tn(lang, texts.CALENDAR_CAPTION, texts.CALENDAR_CAPTION_PLURAL, 10_000),
        t(lang, texts.TABLE_CAPTION, source="x" * 300),
    ]
    assert all(limits.visible_units(c) <= limits.CAPTION for c in captions)
