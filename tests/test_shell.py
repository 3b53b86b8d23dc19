"""`solidarity-bot shell` at a real (pseudo-)terminal: its own database, buttons, time, files."""

from __future__ import annotations

import hashlib
import os
import re
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.__main__ import build_parser, main
from bot.ops.lock import InstanceLock
from tests.shell_pty import ROOT, UP_ARROW, PtyShell

PROMPT = r"member@private>"


@pytest.fixture
def spawn(tmp_path: Path) -> Iterator[list[PtyShell]]:
    shells: list[PtyShell] = []
    yield shells
    for shell in shells:
        shell.close()


def _start(spawn: list[PtyShell], cwd: Path, *args: str, **env: str) -> PtyShell:
    shell = PtyShell(cwd, *args, env=env)
    spawn.append(shell)
    shell.expect(PROMPT)
    return shell


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _run_database(path: Path) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE marker (x INTEGER)")
        conn.execute("INSERT INTO marker VALUES (1)")
    conn.close()


def test_a_session_leaves_the_run_database_untouched(tmp_path: Path, spawn: list[PtyShell]) -> None:
    run_db = tmp_path / "solidarity-bot.sqlite3"  # the default name, in the working folder
    _run_database(run_db)
    before = _digest(run_db)
    shell = _start(spawn, tmp_path)
    banner = shell.screen
    assert "temporary" in banner
    temp_db = Path(re.search(r"database (\S+shell\.sqlite3)", banner).group(1))  # type: ignore[union-attr]
    shell.line("/subscribe", then=r"Subscribed")
    assert temp_db.exists()
    assert shell.quit() == 0
    assert _digest(run_db) == before
    assert not temp_db.exists() and not temp_db.parent.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["solidarity-bot.sqlite3"]


def test_keep_uses_a_file_beside_the_run_database(tmp_path: Path, spawn: list[PtyShell]) -> None:
    run_db = tmp_path / "live.sqlite3"
    _run_database(run_db)
    before = _digest(run_db)
    shell = _start(spawn, tmp_path, "--keep", BOT_DB_PATH=str(run_db))
    assert f"database {tmp_path / 'live-shell.sqlite3'}" in shell.screen
    shell.line("/subscribe", then=r"Subscribed")
    assert shell.quit() == 0
    assert _digest(run_db) == before
    kept = sqlite3.connect(tmp_path / "live-shell.sqlite3")
    try:
        assert kept.execute("SELECT count(*) FROM chats").fetchone()[0] >= 1
    finally:
        kept.close()


def test_a_stale_number_presses_nothing(tmp_path: Path, spawn: list[PtyShell]) -> None:
    shell = _start(spawn, tmp_path)
    shell.line("/settings", then=r"\[1 Europe/London\]")
    shell.expect(PROMPT)
    shell.line("/help", then=r"What I can do")  # a new line: the settings buttons are stale
    shell.expect(PROMPT)
    shell.line("1", then=r"no button 1 among the messages shown since your last line")
    shell.expect(PROMPT)
    shell.line("/settings", then=r"Time zone: UTC")  # unchanged: nothing was pressed
    shell.expect(PROMPT)
    assert "(edited)" not in shell.screen and "Time zone set" not in shell.screen
    shell.line("1", then=r"Time zone (set to )?.*Europe/London")  # a fresh number does press
    assert shell.quit() == 0


def test_clock_delivers_a_due_reminder_without_input(tmp_path: Path, spawn: list[PtyShell]) -> None:
    shell = _start(spawn, tmp_path)
    shell.line("/subscribe", then=r"Subscribed")
    shell.line(":admin", then=r"now: admin@private")
    start = (datetime.now(UTC) + timedelta(days=1, hours=5)).strftime("%Y-%m-%d %H:%M")
    shell.line(f"/adddemo {start} | Parliament Square | Vigil for Gaza", then=r"\[1 \W*Save\]")
    shell.line("1", then=r"demonstration #1")
    shell.line(":member", then=r"now: member@private")
    shell.expect(PROMPT)
    assert "Reminder" not in shell.screen
    shell.child.send(":clock +1d\r")
    shell.expect(r"the bot's clock: ")
    shell.expect(r"Reminder: starts in")  # no line typed after :clock
    shell.expect(r"Vigil for Gaza")
    assert shell.quit() == 0


def test_file_completes_addstatement(tmp_path: Path, spawn: list[PtyShell]) -> None:
    statement = tmp_path / "statement.md"
    statement.write_text(
        "---\ntitle: Solidarity across borders\nauthor: The group\ndate: 1 December 2026\n---\n\n"
        "Occupation is a crime from Ukraine to Palestine, and we stand with both peoples.\n",
        encoding="utf-8",
    )
    shell = _start(spawn, tmp_path)
    shell.line(":admin", then=r"now: admin@private")
    shell.line("/addstatement", then=r"Send me the statement")
    shell.line(f":file {statement}", then=r"Added “Solidarity across borders”")
    shell.line("/excerpt stand with both peoples", then=r"Solidarity across borders")
    assert shell.quit() == 0


def test_line_editing_history_formatting_and_the_bare_at(
    tmp_path: Path, spawn: list[PtyShell]
) -> None:
    shell = _start(spawn, tmp_path)
    shell.line("/hlp", then=r"bot #\d+:")  # a typo, corrected below by editing the recalled line
    shell.ready(PROMPT)
    assert "What I can do" not in shell.screen
    shell.child.send(UP_ARROW + "\x1b[D\x1b[D" + "e" + "\r")  # recall, two left, insert: /help
    shell.expect(r"What I can do")
    assert "[A" not in shell.screen  # the arrow moved in the history, it was not typed
    shell.ready(PROMPT)
    shell.line("/excerpt blockade", then=r"Passages for")
    shell.ready(PROMPT)
    assert "\x1b[1mblockade" in shell.raw  # the matched word in bold, as Telegram shows it
    shell.line("@", then=r"@1 ")  # an empty inline query offers the facts
    shell.line("1", then=r"no button 1")  # inline results are not buttons
    shell.line(":choose 1", then=r"you \(via @\w+\):")
    assert shell.quit() == 0


def test_piped_lines_without_a_terminal(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "BOT_"))}
    done = subprocess.run(
        [sys.executable, "-m", "bot", "shell"],
        input="/start\n@\n:choose 1\n",
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**env, "PYTHONPATH": str(ROOT)},
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "member@private> /start\n" in done.stdout  # each line echoed after its prompt
    assert "occupation is a crime" in done.stdout
    assert "\x1b[" not in done.stdout  # no colours into a pipe
    assert re.search(r"you \(via @\w+\):\n  \S", done.stdout)
    assert list(tmp_path.iterdir()) == []  # not even a database in the working folder


def test_the_run_database_only_by_name_and_never_while_a_bot_runs(tmp_path: Path) -> None:
    run_db = tmp_path / "solidarity-bot.sqlite3"
    _run_database(run_db)
    args = build_parser().parse_args(["shell", "--db", str(run_db)])
    assert args.db == str(run_db) and not args.keep
    with InstanceLock(run_db):  # `run` holds this lock while it runs
        assert main(["shell", "--db", str(run_db)]) == 1


def test_cli_shell_is_reachable_via_python_m_bot() -> None:
    args = build_parser().parse_args(["shell"])
    assert args.func.__name__ == "cmd_shell"
