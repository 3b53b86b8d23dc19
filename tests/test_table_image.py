"""The facts table renders to a sane, deterministic PNG."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from bot.content import table_image
from bot.content.corpus import FactRow, load_facts
from bot.content.table_image import WIDTH, printable, render_table_png


def test_valid_png() -> None:
    data = render_table_png(list(load_facts()), title="From Ukraine to Palestine")
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    img = Image.open(io.BytesIO(data))
    img.verify()
    img = Image.open(io.BytesIO(data))
    assert img.size[0] == WIDTH == 1080
    assert 1000 < img.size[1] < 4000
    assert len(data) < 2_000_000


def test_deterministic() -> None:
    rows = list(load_facts())
    assert render_table_png(rows, title="T") == render_table_png(rows, title="T")


def test_long_words_and_odd_text_wrap() -> None:
    rows = [FactRow("k", "Q" * 80 + "?", "é – " + "w" * 300, "שלום 🇺🇦 " * 20)]
    img = Image.open(io.BytesIO(render_table_png(rows, title="x" * 200)))
    assert img.size[0] == WIDTH


def test_printable_keeps_corpus_text_exact_with_dejavu() -> None:
    if table_image._font_path() is None:
        pytest.skip("DejaVu Sans is not installed here")
    assert printable("Yes – now recognised, Ukraine’s") == "Yes – now recognised, Ukraine’s"


def test_printable_substitutes_missing_glyphs_with_fallback_font(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(table_image, "_font_path", lambda: None)
    monkeypatch.setattr(table_image, "_font", table_image._font.__wrapped__)
    assert printable("Yes – now") == "Yes - now"
    assert printable("plain ascii") == "plain ascii"
