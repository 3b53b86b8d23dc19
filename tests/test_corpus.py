"""The built-in texts parse into the right paragraphs/headings; uploads; the facts table."""

from __future__ import annotations

from importlib import resources

import pytest

from bot.content.corpus import (
    display_text,
    has_final_full_stop,
    is_metadata_line,
    load_manifest,
    parse_table,
)
from bot.content.upload import (
    MAX_UPLOAD_BYTES,
    UploadError,
    decode_upload,
    parse_uploaded,
    sort_date_of,
)

BUILDING = "building-a-global-movement-against-genocide-in-palestine"
VIETNAM = "vietnam-a-victory-against-imperialism"
BANNER = "why-we-carry-this-banner"


def _raw_lines(slug: str) -> list[str]:
    path = resources.files("bot").joinpath("data", "statements", f"{slug}.txt")
    return [ln for ln in path.read_text(encoding="utf-8").split("\n") if ln.strip()]


@pytest.fixture(scope="module")
def statements():  # type: ignore[no-untyped-def]
    return {s.slug: s for s in load_manifest().statements}


# slug -> (excerpt paragraphs, metadata lines), counted by hand from the files
EXPECTED_COUNTS = {BUILDING: (19, 6), VIETNAM: (9, 2), BANNER: (12, 4)}


@pytest.mark.parametrize("slug", sorted(EXPECTED_COUNTS))
def test_counts(statements, slug: str) -> None:  # type: ignore[no-untyped-def]
    st = statements[slug]
    assert (len(st.paragraphs), len(st.meta)) == EXPECTED_COUNTS[slug]
    assert [p.index for p in st.paragraphs] == list(range(len(st.paragraphs)))


def test_metadata_lines_exactly(statements) -> None:  # type: ignore[no-untyped-def]
    meta = {slug: [(m.kind, m.text) for m in st.meta] for slug, st in statements.items()}
    assert meta[BUILDING] == [
        ("title", "Building a global movement against genocide in Palestine"),
        ("heading", "Resistance in the face of repression"),
        ("heading", "Palestinian resistance is a key to the global situation"),
        ("trailer", "Free Palestine, Palestine will free us all!"),
        ("trailer", "From Ukraine to Palestine occupation is a crime!"),
        ("trailer", "13 July 2025"),
    ]
    assert meta[VIETNAM] == [
        ("title", "Vietnam: A Victory Against Imperialism – Lessons for Ukraine Solidarity"),
        ("trailer", "Duncan Chapel"),
    ]
    assert meta[BANNER] == [
        ("caption", "London demonstration for ceasefire in Gaza, 8 June 2024"),
        ("title", "Why we carry this banner"),
        ("heading", "How can we respond?"),
        ("heading", "Join our discussions"),
    ]


def test_every_line_is_kept_exactly(statements) -> None:  # type: ignore[no-untyped-def]
    """Each non-blank line of each file is exactly one paragraph or one metadata line."""
    for slug, st in statements.items():
        parsed = sorted([p.text for p in st.paragraphs] + [m.text for m in st.meta])
        assert parsed == sorted(ln.strip() for ln in _raw_lines(slug))
        for p in st.paragraphs:
            assert p.text in _raw_lines(slug)  # byte-exact, no rewriting


def test_tricky_paragraphs_are_paragraphs(statements) -> None:  # type: ignore[no-untyped-def]
    building = [p.text for p in statements[BUILDING].paragraphs]
    # long paragraph without a final full stop
    assert any(t.endswith("apartheid South Africa") for t in building)
    # short paragraph with a full stop
    assert "This movement will not stop." in building
    banner = [p.text for p in statements[BANNER].paragraphs]
    # ends with a closing quote after the full stop
    assert any(t.endswith("working class solidarity.”") for t in banner)


def test_headings_attached(statements) -> None:  # type: ignore[no-untyped-def]
    b = statements[BANNER].paragraphs
    assert b[0].heading is None and b[4].heading == "How can we respond?"
    assert b[11].heading == "Join our discussions"
    assert statements[BUILDING].paragraphs[3].heading == "Resistance in the face of repression"


def test_manifest_facts(statements) -> None:  # type: ignore[no-untyped-def]
    for slug, st in statements.items():
        assert st.title in [m.text for m in st.meta if m.kind == "title"], slug
        assert st.source == "builtin" and st.date and st.author
    assert statements[BUILDING].author == "Fourth International"
    assert statements[BUILDING].date == "13 July 2025"
    assert statements[VIETNAM].author == "Duncan Chapel"
    assert statements[BANNER].author == "Ukraine Information Group (London)"


def test_rule_helpers() -> None:
    assert is_metadata_line("How can we respond?")
    assert is_metadata_line("13 July 2025")
    assert not is_metadata_line("This movement will not stop.")
    assert has_final_full_stop("a quote.”") and has_final_full_stop("(a remark.)")
    assert not is_metadata_line("x" * 150)


def test_display_text_email(statements) -> None:  # type: ignore[no-untyped-def]
    last = statements[BANNER].paragraphs[-1].text
    assert (
        r"[2022ukrainesolidarity\[at\]gmail.com](mailto:2022ukrainesolidarity[at]gmail.com)" in last
    )
    shown = display_text(last)
    assert "get in touch at 2022ukrainesolidarity[at]gmail.com, and look" in shown
    assert "mailto" not in shown and "\\" not in shown
    plain = statements[BANNER].paragraphs[0].text
    assert display_text(plain) == plain
    assert display_text("see [site](https://example.org/x)") == "see site (https://example.org/x)"


def test_table() -> None:
    rows = load_manifest().facts
    assert [r.key for r in rows] == [
        "invasion",
        "settler-colonial",
        "authoritarian",
        "bombs-civilians",
        "genocide",
        "outside-support",
    ]
    assert rows[4].question == "Genocide?"
    assert rows[4].israel == "Yes – now recognised by United Nations."
    assert all(len(r.key.encode()) <= 24 for r in rows)
    assert parse_table("q\ta\tb\nSomething new?\tx\ty\n")[0].key == "something-new"
    with pytest.raises(ValueError):
        parse_table("q\ta\tb\nbroken row\n")


# ---------------------------------------------------------------------------- uploads

LONG = "This is a sentence that makes a proper paragraph of the uploaded statement."


def test_upload_front_matter() -> None:
    text = (
        f'---\ntitle: "Solidarity now"\nauthor: Some Group\ndate: 1 May 2025\n---\n\n'
        f"# Solidarity now\n\n{LONG}\nsecond line of it.\n\n## A heading\n\n{LONG}\n"
    )
    st = parse_uploaded(text)
    assert (st.title, st.author, st.date, st.sort_date) == (
        "Solidarity now",
        "Some Group",
        "1 May 2025",
        "2025-05-01",
    )
    assert st.slug == "solidarity-now" and st.source == "uploaded"
    assert [p.text for p in st.paragraphs] == [f"{LONG} second line of it.", LONG]
    assert st.paragraphs[1].heading == "A heading"


def test_upload_plain_lines_and_args_win() -> None:
    st = parse_uploaded(f"My title\n{LONG}\n{LONG}", title="Given", author="A", date="2024")
    assert st.title == "Given" and st.sort_date == "2024-01-01"
    assert len(st.paragraphs) == 2


def test_upload_title_from_first_short_line() -> None:
    st = parse_uploaded(f"A short title\n\n{LONG}\n")
    assert st.title == "A short title" and len(st.paragraphs) == 1


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "empty"),
        ("   \n\n  ", "empty"),
        ("---\ntitle: T\n---\nJust a heading", "no_paragraphs"),
        (LONG, "no_title"),
        ("x" * (MAX_UPLOAD_BYTES + 1), "too_big"),
    ],
)
def test_upload_errors(text: str, code: str) -> None:
    with pytest.raises(UploadError) as info:
        parse_uploaded(text)
    assert info.value.code == code
    assert isinstance(info.value, ValueError) and str(info.value)


def test_decode_upload() -> None:
    assert decode_upload("\ufeffhé".encode()) == "hé"
    with pytest.raises(UploadError):
        decode_upload(b"\xff\xfe\x00bad")
    with pytest.raises(UploadError):
        decode_upload(b"x" * (MAX_UPLOAD_BYTES + 1))


def test_sort_date_of() -> None:
    assert sort_date_of("13 July 2025") == "2025-07-13"
    assert sort_date_of("2025-07-13") == "2025-07-13"
    assert sort_date_of("July 2025") == "2025-07-01"
    assert sort_date_of("sometime") is None
