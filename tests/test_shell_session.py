"""The shell's parts in-process: roles, pressing, replies, inline results, rendering, time, DB."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest

from bot.config import Settings
from bot.ops.shell import DatabaseRefused, choose_database, run_shell
from bot.ops.shell.clock import ShiftedClock, parse_shift
from bot.ops.shell.render import styled

Line = str | Callable[[str], str]


async def _run(tmp_path: Path, lines: list[Line]) -> str:
    """Feed lines (a callable gets the output so far) and return everything printed."""
    feed = iter(lines)
    out = io.StringIO()

    async def fake_input(prompt: str) -> str | None:
        item = next(feed, None)
        return item(out.getvalue()) if callable(item) else item

    settings = Settings(token=None, db_path=tmp_path / "shell.sqlite3")
    assert await run_shell(settings, input_fn=fake_input, out=out) == 0
    return out.getvalue()


def _last(pattern: str) -> Callable[[str], str]:
    """The last match's group 1 in the output so far (a message number, say)."""
    return lambda text: re.findall(pattern, text)[-1]


async def test_roles_places_and_help(tmp_path: Path) -> None:
    text = await _run(tmp_path, ["/start", "/help", ":admin", "/help", ":group", ":quit"])
    assert "From Ukraine to Palestine, occupation is a crime" in text
    member_help, admin_help = text.split("now: admin@private")
    assert "/addstatement" not in member_help
    assert "/addstatement" in admin_help
    assert "now: admin@group" in text


async def test_unknown_commands_and_numbers_with_nothing_to_press(tmp_path: Path) -> None:
    text = await _run(tmp_path, [":nonsense", "7", ":press 99 1", ":choose 1", ":clock soon"])
    assert "unknown shell command :nonsense" in text
    assert "no button 7 among the messages shown since your last line" in text
    assert "no message #99 from the bot in this chat" in text
    assert "no inline result '1'" in text
    assert "not a time shift: 'soon'" in text


async def test_numbers_do_not_follow_you_to_another_chat(tmp_path: Path) -> None:
    text = await _run(tmp_path, ["/settings", ":group", "7", ":private", "7"])
    assert text.count("no button 7 among the messages shown since your last line") == 2
    assert "(edited)" not in text and "Time zone set" not in text


async def test_press_names_an_older_message_and_its_button(tmp_path: Path) -> None:
    lines: list[Line] = [
        "/settings",
        "/help",
        lambda text: ":press " + re.findall(r"bot #(\d+):", text)[0] + " UTC",
        "/settings",
    ]
    text = await _run(tmp_path, lines)
    settings = re.findall(r"bot #(\d+):\n  Settings for this chat", text)[0]
    assert f"bot #{settings} (edited):" in text  # the older message's button was pressed


async def test_announce_by_replying_to_a_message(tmp_path: Path) -> None:
    lines: list[Line] = [
        "/subscribe",
        ":admin",
        "Rally on Saturday at noon",
        lambda text: ":reply " + _last(r"your message #(\d+)")(text) + " /announce",
        lambda text: ":press " + _last(r"bot #(\d+):\n  ⬆️")(text) + " send",  # "📣 Send"
    ]
    text = await _run(tmp_path, lines)
    assert "This is exactly what members will see" in text
    # The broadcast reaches the member's private chat, shown as another chat's message.
    assert re.search(r"bot in You's private chat #\d+:\n  Rally on Saturday at noon", text)


async def test_group_admin_is_not_a_bot_admin(tmp_path: Path) -> None:
    lines: list[Line] = [":group", "/subscribe", ":groupadmin", "/subscribe", "/announce Hi"]
    text = await _run(tmp_path, lines)
    member, group_admin = text.split("now: groupadmin@group")
    assert "only this group's administrators" in member
    assert "Subscribed" in group_admin
    assert "only the bot's administrators" in group_admin


async def test_bare_at_and_choosing_an_inline_result(tmp_path: Path) -> None:
    text = await _run(tmp_path, ["/statements", "@", "1", ":choose 1"])
    assert "@1 " in text and "(no inline results)" not in text
    assert "no button 1" in text  # not the statements list's first button
    assert "(edited)" not in text
    assert re.search(r"you \(via @\w+\):\n  \S", text)


async def test_file_errors_are_said_not_sent(tmp_path: Path) -> None:
    text = await _run(tmp_path, [f":file {tmp_path / 'missing.txt'}", ":file", ':file "a'])
    assert "cannot read" in text and "No such file" in text
    assert ":file PATH [caption] sends a document" in text
    assert "No closing quotation" in text


def test_styled_text_follows_utf16_offsets_and_shows_link_addresses() -> None:
    text = "🇺🇦 blockade and link"
    # The flag is 4 UTF-16 units: "blockade" starts at offset 5.
    entities = [
        {"type": "bold", "offset": 5, "length": 8},
        {"type": "text_link", "offset": 18, "length": 4, "url": "https://example.org/a"},
        {"type": "italic", "offset": 40, "length": 3},  # outside the text: ignored
    ]
    out = styled(text, entities)
    assert out.plain == "🇺🇦 blockade and link <https://example.org/a>"
    bold = [s for s in out.spans if "bold" in str(s.style)]
    assert [out.plain[s.start : s.end] for s in bold] == ["blockade"]


def test_clock_shifts() -> None:
    assert parse_shift("+2h") == timedelta(hours=2)
    assert parse_shift("+1d12h") == timedelta(days=1, hours=12)
    assert parse_shift("-30m") == timedelta(minutes=-30)
    assert parse_shift("+1w") == timedelta(weeks=1)
    assert parse_shift("2h") is None and parse_shift("+") is None and parse_shift("+2x") is None
    clock = ShiftedClock()
    before = clock.now()
    after = clock.shift(timedelta(days=1))
    assert timedelta(days=1) <= after - before < timedelta(days=1, seconds=5)


def test_database_choice(tmp_path: Path) -> None:
    run_db = tmp_path / "solidarity-bot.sqlite3"
    temp = choose_database(run_db, explicit=None, keep=False)
    try:
        assert temp.path.parent != tmp_path and "temporary" in temp.description
    finally:
        temp.cleanup()
    assert not temp.path.parent.exists()
    kept = choose_database(run_db, explicit=None, keep=True)
    assert kept.path == tmp_path / "solidarity-bot-shell.sqlite3"
    named = choose_database(run_db, explicit=run_db, keep=False)
    assert named.path == run_db and "the database `run` uses" in named.description
    other = choose_database(run_db, explicit=tmp_path / "x.sqlite3", keep=True)
    assert other.path == tmp_path / "x.sqlite3" and other.temporary_dir is None
    with pytest.raises(DatabaseRefused):
        choose_database(run_db, explicit=tmp_path, keep=False)
    with pytest.raises(DatabaseRefused):
        choose_database(run_db, explicit=tmp_path / "nope" / "x.sqlite3", keep=False)
