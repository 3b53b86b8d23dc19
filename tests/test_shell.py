"""`solidarity-bot shell`: the whole bot offline, driven by typed lines."""

from __future__ import annotations

import io
from pathlib import Path

from bot.config import Settings
from bot.ops.shell import run_shell


async def _run(tmp_path: Path, lines: list[str]) -> str:
    feed = iter(lines)

    async def fake_input(prompt: str) -> str | None:
        return next(feed, None)

    out = io.StringIO()
    settings = Settings(token=None, db_path=tmp_path / "shell.sqlite3")
    assert await run_shell(settings, input_fn=fake_input, out=out) == 0
    return out.getvalue()


async def test_shell_answers_commands_and_switches_roles(tmp_path: Path) -> None:
    text = await _run(tmp_path, ["/start", "/help", ":admin", "/help", ":group", ":quit"])
    assert "From Ukraine to Palestine, occupation is a crime" in text
    member_help, admin_help = text.split("now: admin@private")
    assert "/addstatement" not in member_help
    assert "/addstatement" in admin_help
    assert "now: admin@group" in text


async def test_shell_unknown_meta_command_and_missing_button(tmp_path: Path) -> None:
    text = await _run(tmp_path, [":nonsense", "7"])
    assert "unknown shell command :nonsense" in text
    assert "no such button" in text


def test_cli_shell_is_reachable_via_python_m_bot() -> None:
    from bot.__main__ import build_parser

    args = build_parser().parse_args(["shell"])
    assert args.func.__name__ == "cmd_shell"
