"""Drive `python -m bot shell` through a pseudo-terminal, as a person at a terminal would."""

from __future__ import annotations

import contextlib
import os
import re
import sys
import time
from pathlib import Path

import pexpect

ROOT = Path(__file__).resolve().parent.parent
# Colours, cursor moves, hyperlinks: what the terminal interprets and a reader never sees.
_CONTROL = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[=>]|\r")
UP_ARROW = "\x1b[A"


class PtyShell:
    """One shell process on a pty; ``expect`` waits for text on the screen (controls removed)."""

    def __init__(self, cwd: Path, *args: str, env: dict[str, str] | None = None) -> None:
        environ = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "BOT_"))}
        environ.update(
            PYTHONPATH=str(ROOT),
            TERM="xterm-256color",
            # A pty driven by a script answers no cursor-position request; don't wait for one.
            PROMPT_TOOLKIT_NO_CPR="1",
            BOT_TIMEZONE="UTC",
        )
        environ.update(env or {})
        self.child = pexpect.spawn(
            sys.executable,
            ["-m", "bot", "shell", *args],
            cwd=str(cwd),
            env=environ,
            encoding="utf-8",
            dimensions=(50, 200),
        )
        self.raw = ""
        self.pos = 0  # where the next expect starts looking in the visible text

    @property
    def screen(self) -> str:
        return _CONTROL.sub("", self.raw)

    def _read(self, wait: float) -> None:
        with contextlib.suppress(pexpect.TIMEOUT):
            self.raw += self.child.read_nonblocking(65536, timeout=wait)

    def expect(self, pattern: str, timeout: float = 60.0) -> re.Match[str]:
        """Wait until ``pattern`` (a regex) shows after the last match; return the match."""
        deadline = time.monotonic() + timeout
        while True:
            match = re.compile(pattern).search(self.screen, self.pos)
            if match is not None:
                self.pos = match.end()
                return match
            if time.monotonic() > deadline or not self.child.isalive():
                self._read(0.1)
                raise AssertionError(f"{pattern!r} never showed; screen:\n{self.screen[-3000:]}")
            self._read(0.2)

    def ready(self, prompt: str, timeout: float = 60.0) -> None:
        """Wait until ``prompt`` ends the screen and nothing more comes: keys go to the editor."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if re.search(prompt + r"\s*$", self.screen):
                size = len(self.raw)
                self._read(0.3)
                if len(self.raw) == size:
                    self.pos = len(self.screen)
                    return
            else:
                self._read(0.2)
        raise AssertionError(f"no {prompt!r} prompt; screen:\n{self.screen[-3000:]}")

    def line(self, text: str, then: str | None = None) -> re.Match[str] | None:
        """Type a line (Enter); wait for the echo, then for ``then`` if given."""
        self.child.send(text + "\r")
        self.expect(re.escape(text.strip()[:40]))
        return self.expect(then) if then else None

    def quiet_for(self, seconds: float) -> str:
        """What shows in the next ``seconds`` without typing anything."""
        start = len(self.screen)
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            self._read(0.1)
        return self.screen[start:]

    def quit(self) -> int:
        self.child.send(":quit\r")
        self.child.expect(pexpect.EOF, timeout=60)
        self.raw += self.child.before or ""
        self.child.close()
        return int(self.child.exitstatus or 0)

    def close(self) -> None:
        if self.child.isalive():
            self.child.terminate(force=True)
