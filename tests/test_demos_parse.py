"""Pure parsing, validation and rendering of demonstrations."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.demos.cards import (
    MAX_TITLE,
    clean_link,
    clean_region,
    demo_keyboard,
    list_page,
    parse_adddemo,
    parse_edit,
    relabel_going,
    render_card,
)
from bot.demos.ics import demo_ics
from bot.demos.timeparse import InputError
from bot.i18n import texts
from storage.demos import Demo

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
LONDON = ZoneInfo("Europe/London")


def make_demo(**kw: object) -> Demo:
    values: dict[str, object] = {
        "id": 7,
        "uid": "abc@solidarity-bot",
        "starts_at": datetime(2026, 12, 5, 14, 0, tzinfo=UTC),
        "place": "Parliament Square, London",
        "title": "Ceasefire now: <national> march",
        "description": "Bring banners & flags",
        "link": "https://example.org/march?a=1&b=2",
        "region": "london",
        "details": "Meet at the statue; legal observers +44 000",
        "status": "scheduled",
        "cancel_reason": None,
        "source": "admin",
        "feed_id": None,
    }
    values.update(kw)
    return Demo(**values)  # type: ignore[arg-type]


def test_parse_adddemo_full_line() -> None:
    new = parse_adddemo(
        "2026-12-05 14:00 | Parliament Square, London | Ceasefire now: national march |"
        " https://example.org/march | London",
        LONDON,
        NOW,
    )
    assert new.starts_at == datetime(2026, 12, 5, 14, 0, tzinfo=UTC)
    assert new.place == "Parliament Square, London"
    assert new.title == "Ceasefire now: national march"
    assert new.link == "https://example.org/march"
    assert new.region == "london"


def test_parse_adddemo_without_link_or_region() -> None:
    new = parse_adddemo("tomorrow 14:00 | Trafalgar Square | Vigil", LONDON, NOW)
    assert new.link is None and new.region is None


@pytest.mark.parametrize(
    ("line", "error"),
    [
        ("banana | place | title", texts.ERR_DATE_UNPARSEABLE),
        ("2020-01-01 10:00 | place | title", texts.ERR_DATE_PAST),
        ("2026-12-05 14:00", texts.ERR_PLACE_MISSING),
        ("2026-12-05 14:00 |  | title", texts.ERR_PLACE_MISSING),
        ("2026-12-05 14:00 | place", texts.ERR_TITLE_MISSING),
        ("2026-12-05 14:00 | place |   ", texts.ERR_TITLE_MISSING),
        (f"2026-12-05 14:00 | place | {'x' * (MAX_TITLE + 1)}", texts.ERR_TOO_LONG),
        (f"2026-12-05 14:00 | {'p' * 201} | title", texts.ERR_TOO_LONG),
        ("2026-12-05 14:00 | place | title | not a link", texts.ERR_BAD_LINK),
        ("2026-12-05 14:00 | place | title | ftp://example.org", texts.ERR_BAD_LINK),
        ("2026-12-05 14:00 | place | title | javascript:alert(1)", texts.ERR_BAD_LINK),
        ("2026-12-05 14:00 | place | title | https://localhost", texts.ERR_BAD_LINK),
        (f"2026-12-05 14:00 | place | title | https://e.org/{'a' * 400}", texts.ERR_TOO_LONG),
        ("2026-12-05 14:00 | place | title | https://e.org | <b>", texts.ERR_REGION_BAD),
        ("2026-12-05 14:00 | p | t | https://e.org | r | extra", texts.ERR_TOO_MANY_PARTS),
    ],
)
def test_parse_adddemo_errors(line: str, error: str) -> None:
    with pytest.raises(InputError) as info:
        parse_adddemo(line, LONDON, NOW)
    assert info.value.text == error


def test_clean_link_and_region() -> None:
    assert clean_link("-") is None
    assert clean_link(" https://a.org/x ") == "https://a.org/x"
    assert clean_region("OFF") is None
    assert clean_region("  New   York ") == "new york"


def test_parse_edit() -> None:
    assert parse_edit("when", "2026-12-06 15:00", LONDON, NOW).value == datetime(
        2026, 12, 6, 15, 0, tzinfo=UTC
    )
    assert parse_edit("Place", " Hyde  Park ", LONDON, NOW).value == "Hyde Park"
    assert parse_edit("link", "-", LONDON, NOW).value is None
    assert parse_edit("details", "-", LONDON, NOW).value is None
    assert parse_edit("region", "Leeds", LONDON, NOW).value == "leeds"
    with pytest.raises(KeyError):
        parse_edit("colour", "red", LONDON, NOW)
    with pytest.raises(InputError):
        parse_edit("title", "", LONDON, NOW)
    with pytest.raises(InputError):
        parse_edit("when", "yesterday 10:00", LONDON, NOW)


def test_render_card_escapes_and_hides_details() -> None:
    demo = make_demo()
    html = render_card(demo, "en", LONDON)
    assert "&lt;national&gt;" in html and "Bring banners &amp; flags" in html
    assert 'href="https://example.org/march?a=1&amp;b=2"' in html
    assert "Sat 5 Dec 2026, 14:00 (Europe/London)" in html
    assert "legal observers" not in html
    assert "legal observers" in render_card(demo, "en", LONDON, details=True)
    kyiv = render_card(demo, "en", ZoneInfo("Europe/Kyiv"))
    assert "16:00 (Europe/Kyiv)" in kyiv


def test_keyboards() -> None:
    demo = make_demo()
    markup = demo_keyboard(demo, "en", 3)
    assert markup is not None
    assert markup.inline_keyboard[0][0].text == "Going ✋ 3"
    assert markup.inline_keyboard[0][0].callback_data == "demo:rsvp:7"
    assert markup.inline_keyboard[0][1].text == "Can't go"
    assert markup.inline_keyboard[0][1].callback_data == "demo:cant:7"
    assert markup.inline_keyboard[1][0].callback_data == "demo:ics:7"
    relabelled = relabel_going(markup, 7, "en", 4)
    assert relabelled is not None and relabelled.inline_keyboard[0][0].text == "Going ✋ 4"
    assert demo_keyboard(make_demo(status="cancelled"), "en", 0) is None
    html, page = list_page([demo, make_demo(id=8)], {7: 2}, "en", LONDON, 1, 3)
    assert "(2/3)" in html
    assert page is not None
    assert page.inline_keyboard[0][0].text == "#7 Going ✋ 2"
    assert page.inline_keyboard[0][1].callback_data == "demo:cant:7:l"
    assert [b.callback_data for b in page.inline_keyboard[-1]] == ["demo:page:0", "demo:page:2"]
    relisted = relabel_going(page, 8, "en", 1)
    assert relisted is not None and relisted.inline_keyboard[1][0].text == "#8 Going ✋ 1"


def test_ics_is_rfc5545_with_stable_uid() -> None:
    from icalendar import Calendar

    demo = make_demo()
    data = demo_ics(demo, NOW)
    assert data.startswith(b"BEGIN:VCALENDAR") and b"\r\n" in data
    cal = Calendar.from_ical(data)
    events = list(cal.walk("VEVENT"))
    assert len(events) == 1
    event = events[0]
    assert str(event["UID"]) == "abc@solidarity-bot"
    assert event.decoded("DTSTART") == demo.starts_at
    assert str(event["LOCATION"]) == demo.place
    assert b"legal observers" not in data
    assert demo_ics(demo, NOW) == data  # stable
