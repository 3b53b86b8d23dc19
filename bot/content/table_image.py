"""Render the comparison table as a phone-readable PNG (Pillow, deterministic).

Prefers DejaVu Sans (Debian's fonts-dejavu-core, present on the machines we run on), which
draws the corpus exactly: curly quotes, en dashes, accents, Cyrillic and Arabic. Where it is
missing, Pillow's bundled scalable font (``ImageFont.load_default(size=...)``) is used and
characters it cannot draw get close ASCII stand-ins, so the image never shows boxes.
"""

from __future__ import annotations

import functools
import io
import unicodedata
from collections.abc import Sequence
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from bot.content.corpus import FactRow

WIDTH = 1080
MARGIN = 36
PAD = 18
Q_COL = 250  # question column width
TITLE_SIZE = 44
HEAD_SIZE = 32
BODY_SIZE = 28
FOOT_SIZE = 24

BG = (255, 255, 255)
INK = (28, 28, 30)
MUTED = (95, 95, 100)
HEAD_BG = (30, 41, 59)
HEAD_INK = (255, 255, 255)
BAND = (241, 245, 249)
RULE = (203, 213, 225)

SOURCE_CREDIT = "Source: “Why we carry this banner”, Ukraine Information Group (London)"

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


FONT_PATHS = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    "/Library/Fonts/DejaVuSans.ttf",
)


@functools.cache
def _font_path() -> str | None:
    return next((p for p in FONT_PATHS if Path(p).is_file()), None)


@functools.cache
def _font(size: int) -> Font:
    path = _font_path()
    if path is not None:
        return ImageFont.truetype(path, size=size)
    return ImageFont.load_default(size=size)


_FALLBACKS = {"–": "-", "—": "-", "‑": "-", "−": "-", "…": "...", "\u00a0": " "}
_missing_cache: dict[str, bool] = {}


def _render_probe(ch: str) -> bytes:
    probe = Image.new("L", (64, 64))
    ImageDraw.Draw(probe).text((8, 8), ch, font=_font(BODY_SIZE), fill=255)
    return probe.tobytes()


def _glyph_missing(ch: str) -> bool:
    """True when the bundled font draws ``ch`` as the .notdef box."""
    cached = _missing_cache.get(ch)
    if cached is None:
        cached = _render_probe(ch) == _render_probe("\U000f0000")
        _missing_cache[ch] = cached
    return cached


def _substitute(ch: str) -> str:
    if ch in _FALLBACKS:
        return _FALLBACKS[ch]
    base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
    if base and all(ord(c) < 128 or not _glyph_missing(c) for c in base):
        return base
    return "?"


def printable(text: str) -> str:
    """Replace characters the font cannot draw (with the bundled fallback font: en dash,
    accents, other scripts) by close equivalents: the image stays readable, never boxes."""
    if _font_path() is not None:
        return text
    return "".join(_substitute(ch) if ord(ch) > 127 and _glyph_missing(ch) else ch for ch in text)


def _width(draw: ImageDraw.ImageDraw, text: str, font: Font) -> float:
    return draw.textlength(text, font=font)


def wrap(draw: ImageDraw.ImageDraw, text: str, font: Font, max_width: float) -> list[str]:
    """Greedy word wrap; words longer than a line are broken by characters."""
    lines: list[str] = []
    for para in printable(text).split("\n"):
        line = ""
        for word in para.split():
            candidate = f"{line} {word}" if line else word
            if _width(draw, candidate, font) <= max_width:
                line = candidate
                continue
            if line:
                lines.append(line)
            while _width(draw, word, font) > max_width and len(word) > 1:
                cut = len(word)
                while cut > 1 and _width(draw, word[:cut], font) > max_width:
                    cut -= 1
                lines.append(word[:cut])
                word = word[cut:]
            line = word
        lines.append(line)
    return lines


def _line_height(font: Font) -> int:
    size = getattr(font, "size", 16)
    return round(size * 1.3)


def render_table_png(rows: Sequence[FactRow], *, title: str) -> bytes:
    """The table as PNG bytes: title, header row, banded rows, credit footer."""
    title_font, head_font = _font(TITLE_SIZE), _font(HEAD_SIZE)
    body_font, foot_font = _font(BODY_SIZE), _font(FOOT_SIZE)
    scratch = ImageDraw.Draw(Image.new("RGB", (1, 1)))
    inner = WIDTH - 2 * MARGIN
    other = (inner - Q_COL) // 2
    cols = [(MARGIN, Q_COL), (MARGIN + Q_COL, other), (MARGIN + Q_COL + other, other)]
    headers = ["", "Israel in Palestine", "Russia in Ukraine"]

    title_lines = wrap(scratch, title, title_font, inner)
    head_lines = [
        wrap(scratch, h, head_font, w - 2 * PAD) for h, (_, w) in zip(headers, cols, strict=True)
    ]
    row_lines = [
        [
            wrap(scratch, cell, font, w - 2 * PAD)
            for cell, font, (_, w) in zip(
                (r.question, r.israel, r.russia),
                (head_font, body_font, body_font),
                cols,
                strict=True,
            )
        ]
        for r in rows
    ]
    foot_lines = wrap(scratch, SOURCE_CREDIT, foot_font, inner)

    lh_title, lh_head = _line_height(title_font), _line_height(head_font)
    lh_body, lh_foot = _line_height(body_font), _line_height(foot_font)
    title_h = len(title_lines) * lh_title
    head_h = max(len(ls) for ls in head_lines) * lh_head + 2 * PAD
    row_hs = [
        max(len(cells[0]) * lh_head, len(cells[1]) * lh_body, len(cells[2]) * lh_body) + 2 * PAD
        for cells in row_lines
    ]
    foot_h = len(foot_lines) * lh_foot
    height = MARGIN + title_h + PAD + head_h + sum(row_hs) + PAD + foot_h + MARGIN

    img = Image.new("RGB", (WIDTH, height), BG)
    draw = ImageDraw.Draw(img)
    y = MARGIN
    for line in title_lines:
        draw.text((MARGIN, y), line, font=title_font, fill=INK, stroke_width=1, stroke_fill=INK)
        y += lh_title
    y += PAD

    draw.rectangle((MARGIN, y, WIDTH - MARGIN, y + head_h - 1), fill=HEAD_BG)
    for (x, _), lines in zip(cols, head_lines, strict=True):
        ty = y + PAD
        for line in lines:
            draw.text((x + PAD, ty), line, font=head_font, fill=HEAD_INK)
            ty += lh_head
    y += head_h

    for i, (cells, row_h) in enumerate(zip(row_lines, row_hs, strict=True)):
        if i % 2 == 1:
            draw.rectangle((MARGIN, y, WIDTH - MARGIN, y + row_h - 1), fill=BAND)
        for c, ((x, _), lines) in enumerate(zip(cols, cells, strict=True)):
            ty = y + PAD
            font = head_font if c == 0 else body_font
            lh = lh_head if c == 0 else lh_body
            for line in lines:
                if c == 0:
                    draw.text(
                        (x + PAD, ty), line, font=font, fill=INK, stroke_width=1, stroke_fill=INK
                    )
                else:
                    draw.text((x + PAD, ty), line, font=font, fill=INK)
                ty += lh
        y += row_h
        draw.line((MARGIN, y - 1, WIDTH - MARGIN, y - 1), fill=RULE, width=1)
    for x, _ in cols[1:]:
        draw.line((x, MARGIN + title_h + PAD, x, y - 1), fill=RULE, width=1)

    y += PAD
    for line in foot_lines:
        draw.text((MARGIN, y), line, font=foot_font, fill=MUTED)
        y += lh_foot

    buf = io.BytesIO()
    img.save(buf, format="PNG", optimize=False)
    return buf.getvalue()
