"""bot.telegram.render.split_message: paragraph, sentence, word boundaries; chunks fit, parse."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.emulator import parse_html
from bot.telegram.render import MAX_MESSAGE_CHARS, callback_data, split_message, visible_length


def _plain_words(html_text: str) -> list[str]:
    plain, _ = parse_html(html_text)
    return plain.split()


def _check(html_text: str, limit: int) -> list[str]:
    chunks = split_message(html_text, limit)
    for chunk in chunks:
        assert visible_length(chunk) <= limit, chunk
        plain, _ = parse_html(chunk)  # raises on unbalanced or broken HTML
        assert plain.strip(), "no empty chunks"
    return chunks


def test_short_text_is_one_chunk_unchanged() -> None:
    text = "<b>Title</b>\n\nA short paragraph &amp; more."
    assert split_message(text) == [text]


def test_splits_at_paragraph_boundaries_first() -> None:
    paras = [f"<b>Paragraph {i}</b> " + "word " * 15 + "end." for i in range(6)]
    text = "\n\n".join(paras)
    chunks = _check(text, 200)
    assert len(chunks) > 1
    # No paragraph was cut: each chunk is a run of whole paragraphs.
    for chunk in chunks:
        for part in chunk.split("\n\n"):
            assert part in paras
    assert "\n\n".join(chunks) == text


def test_splits_long_paragraph_at_sentence_boundaries() -> None:
    sentences = [f"Sentence number {i} has some words in it." for i in range(20)]
    text = " ".join(sentences)
    chunks = _check(text, 120)
    assert len(chunks) > 1
    for chunk in chunks:
        # Every chunk is a run of whole sentences.
        assert chunk.startswith("Sentence number ") and chunk.endswith(" in it."), chunk
        assert len(chunk.split(". ")) == chunk.count("Sentence number")
    assert " ".join(chunks) == text


def test_splits_long_sentence_at_word_boundaries() -> None:
    text = " ".join(f"word{i}" for i in range(200))  # one sentence, no full stop
    chunks = _check(text, 50)
    assert " ".join(chunks) == text
    assert all(not c.startswith(" ") and not c.endswith(" ") for c in chunks)


def test_overlong_word_is_cut_but_never_inside_an_entity() -> None:
    text = "x" * 30 + "&amp;" + "y" * 30
    chunks = _check(text, 31)
    assert "".join(_plain_words(c)[0] for c in chunks) == "x" * 30 + "&" + "y" * 30


def test_bold_span_longer_than_limit_stays_balanced() -> None:
    text = "<b>" + " ".join(f"bold{i}" for i in range(60)) + "</b> after"
    chunks = _check(text, 60)
    assert len(chunks) > 1
    for chunk in chunks:
        _, entities = parse_html(chunk)
        assert any(e["type"] == "bold" for e in entities)
    words = [w for c in chunks for w in _plain_words(c)]
    assert words == [f"bold{i}" for i in range(60)] + ["after"]


def test_sentence_split_inside_italic_and_link_keeps_both() -> None:
    text = '<a href="https://example.org/x">' + "<i>" + "Alpha beta gamma. " * 12 + "</i></a>"
    chunks = _check(text, 80)
    assert len(chunks) > 1
    for chunk in chunks:
        _, entities = parse_html(chunk)
        kinds = {e["type"] for e in entities}
        assert kinds == {"text_link", "italic"}, chunk


def test_real_limit_message_splits_under_4096() -> None:
    para = "<b>Heading</b>\n" + "Solidarity across borders matters. " * 60
    text = "\n\n".join([para] * 6)
    chunks = _check(text, MAX_MESSAGE_CHARS)
    assert len(chunks) >= 2
    assert sum(len(_plain_words(c)) for c in chunks) == len(_plain_words(text))


def test_callback_data_limit() -> None:
    assert callback_data("ex", "m", "a1", 20) == "ex:m:a1:20"
    try:
        callback_data("x" * 70)
    except ValueError:
        pass
    else:  # pragma: no cover - the assertion is the point
        raise AssertionError("65+ byte callback data must be refused")


_word = st.text(alphabet="abcdefghijklmnopqrstuvwxyz&<>", min_size=1, max_size=12)


@st.composite
def _html_paragraph(draw: st.DrawFn) -> str:
    parts: list[str] = []
    for _ in range(draw(st.integers(1, 25))):
        word = draw(_word).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        tag = draw(st.sampled_from(["", "", "b", "i", "code"]))
        end = draw(st.sampled_from(["", "", ".", "!", "?"]))
        parts.append(f"<{tag}>{word}</{tag}>{end}" if tag else f"{word}{end}")
    return " ".join(parts)


@st.composite
def _html_text(draw: st.DrawFn) -> str:
    paras = draw(st.lists(_html_paragraph(), min_size=1, max_size=8))
    text = "\n\n".join(paras)
    if draw(st.booleans()):  # a formatted span across everything
        text = f"<i>{text}</i>"
    return text


@settings(max_examples=200, deadline=None)
@given(text=_html_text(), limit=st.integers(20, 120))
def test_property_chunks_fit_parse_and_keep_every_word(text: str, limit: int) -> None:
    chunks = _check(text, limit)
    # Words are never longer than the limit here, so no word is cut: all survive in order.
    assert [w for c in chunks for w in _plain_words(c)] == _plain_words(text)
