"""Hostile input at the parser level: every pure parser answers or raises its own error.

Inputs include what JSON cannot carry (lone surrogates), NUL and other control characters,
RTL scripts, combining marks, zero-width characters, emoji, HTML/Markdown control characters
and very long strings. Example counts are kept moderate so the suite stays fast.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot.broadcast import announce
from bot.demos import cards as demos
from bot.demos import timeparse
from bot.demos.timeparse import InputError
from bot.emulator.html import parse_html, utf16_len
from bot.i18n.translate import SUPPORTED_LANGUAGES, t
from bot.telegram.render import MAX_MESSAGE_CHARS, escape, split_message
from tests.hostile import HOSTILE_PIECES

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
KYIV = ZoneInfo("Europe/Kyiv")

# Pieces hostile users (or broken clients) send.
NASTY = [
    *HOSTILE_PIECES,
    "\u0301\u0301\u0301",  # stacked combining marks
    "שלום",
    "||||||",
    "/announce",
    "\n\n\n",
    "\t",
    "\r\n",
    "%s %d {x} {0}",
    "\ud800",  # lone surrogates: Python strings allow them, JSON/HTTP cannot carry them
    "\udfff",
]

hostile_char = st.one_of(
    st.characters(),  # any code point except surrogates
    st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF),  # lone surrogates
    st.characters(min_codepoint=0, max_codepoint=0x1F),  # control characters
    st.sampled_from(["<", ">", "&", "|", "*", "_", "`", "[", "]", "\\", "/"]),
)
hostile_text = st.one_of(
    st.text(hostile_char, max_size=80),
    st.lists(st.sampled_from(NASTY), max_size=8).map("".join),
    st.tuples(st.text(hostile_char, max_size=20), st.sampled_from(NASTY)).map("".join),
)
long_text = st.integers(min_value=61, max_value=20_000).map(lambda n: "x" * n)
SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(st.one_of(hostile_text, long_text))
@example("2026-12-05 14:00")
@example("tomorrow 14:00\x00")
@example("31/02/2027 25:99")
@example("9999-12-31 23:59")
def test_parse_when(text: str) -> None:
    try:
        when = timeparse.parse_when(text, KYIV, NOW)
    except InputError:
        return
    assert when.tzinfo is not None and NOW < when <= NOW + timedelta(days=366 * 2)


@SETTINGS
@given(st.one_of(hostile_text, st.from_regex(r"\d{1,6}\s*[dhm]\w{0,6}", fullmatch=True)))
@example("99999999999999999999d")
@example("1d" * 1000)
def test_parse_lead(token: str) -> None:
    try:
        minutes = timeparse.parse_lead(token)
    except InputError:
        return
    assert timeparse.MIN_LEAD_MINUTES <= minutes <= timeparse.MAX_LEAD_MINUTES


@SETTINGS
@given(st.lists(st.one_of(hostile_text, st.sampled_from(["1d", "2h", "30m", "1d3h"])), max_size=8))
def test_parse_leads(tokens: list[str]) -> None:
    try:
        leads = timeparse.parse_leads(tokens)
    except InputError:
        return
    assert 1 <= len(leads) <= timeparse.MAX_LEADS and list(leads) == sorted(leads, reverse=True)


@settings(max_examples=50, deadline=None)
@given(hostile_text)
@example("../../etc/passwd")
@example("Europe/Kyiv\x00")
@example("europe/KYIV")
def test_zone_names(name: str) -> None:
    try:
        canonical = timeparse.canonical_zone_name(name)
    except InputError:
        return
    assert timeparse.zone(canonical).key == canonical


@SETTINGS
@given(
    st.lists(
        st.one_of(hostile_text, st.just("2026-12-05 14:00"), st.just("https://x.org")), max_size=7
    ).map("|".join)
)
@example("2026-12-05 14:00 | <script> | " + "t" * 500)
@example("2026-12-05 14:00 | Square | March | javascript:alert(1)")
@example("2026-12-05 14:00 | Square | March | https://example.org | " + "r" * 100)
def test_parse_adddemo(text: str) -> None:
    try:
        demo = demos.parse_adddemo(text, KYIV, NOW)
    except InputError:
        return
    assert demo.place.strip() and len(demo.place) <= demos.MAX_PLACE
    assert demo.title.strip() and len(demo.title) <= demos.MAX_TITLE
    assert demo.link is None or demo.link.startswith(("http://", "https://"))
    assert demo.region is None or len(demo.region) <= demos.MAX_REGION


@SETTINGS
@given(st.one_of(st.sampled_from(sorted(demos.EDIT_FIELDS)), hostile_text), hostile_text)
def test_parse_edit(field: str, value: str) -> None:
    try:
        demos.parse_edit(field, value, KYIV, NOW)
    except (InputError, KeyError):  # KeyError: unknown field (documented)
        return


@SETTINGS
@given(hostile_text, st.one_of(st.none(), st.tuples(st.integers(), st.integers())))
@example("/announce region=" + "a" * 41 + " hi", None)
@example("/announce@other_bot region=kyiv <b>hi</b>", None)
def test_parse_announce(text: str, reply_to: tuple[int, int] | None) -> None:
    try:
        req = announce.parse_announce(text, reply_to)
    except InputError:  # a malformed region= is refused, never taken as the message
        return
    if req is None:
        return
    assert req.region is None or (
        1 <= len(req.region) <= 40 and req.region == req.region.casefold()
    )
    assert (req.copy_from is None) != (req.html is None)
    assert req.html is None or req.html.strip()


@SETTINGS
@given(st.one_of(hostile_text, st.text(max_size=30).map(lambda s: s * 500)))
@example("😀" * 5000)  # astral characters count twice in Telegram's (UTF-16) limit
@example("a" * 4096 + "😀")
def test_split_message_parts_parse_and_fit(text: str) -> None:
    """Any user text, escaped, is split into parts that parse as HTML and fit the limit."""
    clean = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    for part in split_message(f"<b>Title</b>\n\n{escape(clean)}"):
        plain, _ = parse_html(part)
        assert utf16_len(plain) <= MAX_MESSAGE_CHARS


@SETTINGS
@given(hostile_text, st.sampled_from(SUPPORTED_LANGUAGES))
def test_texts_render_hostile_values_as_valid_html(value: str, lang: str) -> None:
    from bot.i18n import texts

    clean = value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    for template in (texts.ERR_DATE_UNPARSEABLE, texts.SETTINGS_TZ_BAD, texts.ERR_BAD_LINK):
        rendered = t(lang, template, value=clean)
        parse_html(rendered)
