"""Date/time and lead-time parsing, and the DST rule for reminder due times."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.demos.timeparse import (
    InputError,
    canonical_zone_name,
    due_at,
    format_lead,
    local_to_utc,
    parse_lead,
    parse_leads,
    parse_when,
    zone,
)
from bot.i18n import texts

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)  # a Saturday
LONDON = ZoneInfo("Europe/London")
KYIV = ZoneInfo("Europe/Kyiv")


@pytest.mark.parametrize(
    ("text", "tz", "expected"),
    [
        ("2026-12-05 14:00", LONDON, datetime(2026, 12, 5, 14, 0, tzinfo=UTC)),
        ("2026-12-05T14:00", KYIV, datetime(2026, 12, 5, 12, 0, tzinfo=UTC)),
        ("tomorrow 14:00", LONDON, datetime(2026, 11, 22, 14, 0, tzinfo=UTC)),
        ("tomorrow 14:00", KYIV, datetime(2026, 11, 22, 12, 0, tzinfo=UTC)),
        ("5 Dec 14:00", LONDON, datetime(2026, 12, 5, 14, 0, tzinfo=UTC)),
        ("sat 2pm", LONDON, datetime(2026, 11, 28, 14, 0, tzinfo=UTC)),
        ("next friday 18:30", LONDON, datetime(2026, 11, 27, 18, 30, tzinfo=UTC)),
    ],
)
def test_parse_when(text: str, tz: ZoneInfo, expected: datetime) -> None:
    assert parse_when(text, tz, NOW) == expected


def test_parse_when_uses_local_now_for_relative_dates() -> None:
    # 23:30 UTC is already "tomorrow" in Kyiv (01:30 local).
    late = datetime(2026, 11, 21, 23, 30, tzinfo=UTC)
    assert parse_when("tomorrow 10:00", KYIV, late) == datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("", texts.ERR_DATE_UNPARSEABLE),
        ("banana", texts.ERR_DATE_UNPARSEABLE),
        ("2026-02-30 10:00", texts.ERR_DATE_UNPARSEABLE),
        ("2020-01-01 10:00", texts.ERR_DATE_PAST),
        ("2026-11-21 11:59", texts.ERR_DATE_PAST),
        ("friday", texts.ERR_DATE_NO_TIME),
        ("2031-01-01 10:00", texts.ERR_DATE_FAR),
        ("x" * 100, texts.ERR_DATE_UNPARSEABLE),
    ],
)
def test_parse_when_errors(text: str, error: str) -> None:
    with pytest.raises(InputError) as info:
        parse_when(text, LONDON, NOW)
    assert info.value.text == error


@pytest.mark.parametrize(
    ("token", "minutes"),
    [
        ("1d", 1440),
        ("3h", 180),
        ("30m", 30),
        ("1d3h", 1620),
        ("90min", 90),
        ("14d", 20160),
        ("5m", 5),
        ("2 hours", 120),
    ],
)
def test_parse_lead(token: str, minutes: int) -> None:
    assert parse_lead(token) == minutes


@pytest.mark.parametrize(
    ("token", "error"),
    [
        ("4m", texts.ERR_LEAD_RANGE),
        ("15d", texts.ERR_LEAD_RANGE),
        ("soon", texts.ERR_LEAD_BAD),
        ("3x", texts.ERR_LEAD_BAD),
        ("", texts.ERR_LEAD_BAD),
    ],
)
def test_parse_lead_errors(token: str, error: str) -> None:
    with pytest.raises(InputError) as info:
        parse_lead(token)
    assert info.value.text == error


def test_parse_leads() -> None:
    assert parse_leads(["30m", "1d", "3h", "1d"]) == (1440, 180, 30)
    with pytest.raises(InputError) as info:
        parse_leads(["1h", "2h", "3h", "4h", "5h", "6h"])
    assert info.value.text == texts.ERR_LEAD_TOO_MANY
    with pytest.raises(InputError):
        parse_leads([])
    assert format_lead(1620) == "1d 3h" and format_lead(30) == "30m"


def test_zone_validation() -> None:
    assert zone("Europe/Kyiv").key == "Europe/Kyiv"
    assert canonical_zone_name("europe/london") == "Europe/London"
    for bad in ("Mars/Olympus", "../etc/passwd", "", "/etc/localtime"):
        with pytest.raises(InputError):
            canonical_zone_name(bad)


def test_due_day_leads_follow_the_wall_clock_across_dst() -> None:
    # London springs forward on 29 March 2026 at 01:00 UTC.
    start = local_to_utc(datetime(2026, 3, 30, 14, 0), LONDON)  # 14:00 BST = 13:00 UTC
    due = due_at(start, 1440, LONDON)
    assert due.astimezone(LONDON).replace(tzinfo=None) == datetime(2026, 3, 29, 14, 0)
    assert start - due == timedelta(hours=24)
    # The day before the change: a 24 h lead is 25 real hours.
    start = local_to_utc(datetime(2026, 3, 29, 14, 0), LONDON)
    due = due_at(start, 1440, LONDON)
    assert due.astimezone(LONDON).replace(tzinfo=None) == datetime(2026, 3, 28, 14, 0)
    assert start - due == timedelta(hours=23)
    # Autumn (25 October 2026): 23 real hours become 25.
    start = local_to_utc(datetime(2026, 10, 25, 14, 0), LONDON)
    assert start - due_at(start, 1440, LONDON) == timedelta(hours=25)
    # Non-day leads are exact elapsed time.
    assert start - due_at(start, 120, LONDON) == timedelta(hours=2)
    assert start - due_at(start, 1500, LONDON) == timedelta(hours=25)


def test_due_in_a_dst_gap_uses_offset_before_change() -> None:
    # 01:30 local on 29 March 2026 does not exist in London; fold=0 reads it as GMT.
    start = local_to_utc(datetime(2026, 3, 30, 1, 30), LONDON)  # 00:30 UTC
    due = due_at(start, 1440, LONDON)
    assert due == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "bad"),
    [
        ("tomorrow 25:00", "25:00"),
        ("tomorrow at 25:00", "25:00"),
        ("2026-12-05 25:00", "25:00"),
        ("5 Dec 14:61", "14:61"),
        ("tomorrow 24:00", "24:00"),
        ("sat 13pm", "13pm"),
        ("sat 0am", "0am"),
        ("tomorrow 9:5", "9:5"),
    ],
)
def test_impossible_time_of_day_refused_whatever_the_wording(text: str, bad: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_when(text, LONDON, NOW)
    assert caught.value.text == texts.ERR_TIME_BAD
    assert caught.value.values == {"value": bad}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("tomorrow 0:00", datetime(2026, 11, 22, 0, 0, tzinfo=UTC)),
        ("tomorrow 12am", datetime(2026, 11, 22, 0, 0, tzinfo=UTC)),
        ("tomorrow 12pm", datetime(2026, 11, 22, 12, 0, tzinfo=UTC)),
        ("tomorrow at 23:59", datetime(2026, 11, 22, 23, 59, tzinfo=UTC)),
        ("5.12.2026 14:00", datetime(2026, 12, 5, 14, 0, tzinfo=UTC)),
    ],
)
def test_edge_times_of_day_accepted(text: str, expected: datetime) -> None:
    assert parse_when(text, LONDON, NOW) == expected
