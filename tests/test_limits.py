"""Telegram's length limits in one place (bot/telegram/limits.py), in UTF-16 units."""

from __future__ import annotations

import pytest

from bot.i18n import texts
from bot.i18n.translate import SUPPORTED_LANGUAGES, t
from bot.telegram import limits
from bot.telegram.render import split_message, truncate

#: every text the bot shows as a callback answer (a toast or an alert)
CALLBACK_ANSWERS = (
    texts.BUTTON_EXPIRED,
    texts.DEMO_OVER,
    texts.EX_EXPIRED,
    texts.FLOOD_WARNING,
    texts.INTERNAL_ERROR,
    texts.NOT_ADMIN,
    texts.NOT_GROUP_ADMIN,
    texts.NOT_YOUR_BUTTON,
    texts.ST_GONE,
    texts.RSVP_CANT,
    texts.RSVP_ON,
    texts.RSVP_ON_PRIVATE,
    texts.STOP_OK,
    texts.STOP_NOT_FOUND,
)


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
    for message in CALLBACK_ANSWERS:
        text = t(lang, message, id=123456)
        assert limits.utf16_units(text) <= limits.CALLBACK_ANSWER, (lang, message)


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
