"""Reading lines: prompt_toolkit on a terminal (editing, history), plain lines otherwise."""

from __future__ import annotations

import asyncio
import contextlib
import sys
from collections.abc import Awaitable, Callable, Iterator
from typing import TextIO

from rich.console import Console

InputFn = Callable[[str], Awaitable[str | None]]


async def plain_input(prompt: str) -> str | None:
    """One line from stdin (pipes, tests); None at its end."""
    try:
        return await asyncio.get_running_loop().run_in_executor(None, input, prompt)
    except EOFError:
        return None


def is_interactive() -> bool:
    return sys.stdin.isatty() and sys.stdout.isatty()


class Terminal:
    """Where lines come from and where output goes, for one session."""

    def __init__(self, input_fn: InputFn | None = None, out: TextIO | None = None) -> None:
        self.interactive = input_fn is None and out is None and is_interactive()
        if self.interactive:
            from prompt_toolkit import PromptSession
            from prompt_toolkit.history import InMemoryHistory

            # History stays in memory: what one types in the shell is not written to disk.
            self._session: PromptSession[str] = PromptSession(history=InMemoryHistory())
            self.read: InputFn = self._prompt
            # No file: rich writes to whatever sys.stdout is, so patch_stdout's proxy too.
            self.console = Console(force_terminal=True, highlight=False)
        else:
            self.read = input_fn or self._plain
            self.console = Console(file=out or sys.stdout, highlight=False)

    async def _plain(self, prompt: str) -> str | None:
        if sys.stdin.isatty():
            return await plain_input(prompt)
        # Lines from a file or a pipe: echoed after the prompt, so the output reads as a session.
        line: str = await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
        if not line:
            return None
        self.console.print(prompt + line.rstrip("\n"), markup=False, highlight=False)
        return line

    async def _prompt(self, prompt: str) -> str | None:
        try:
            return await self._session.prompt_async(prompt)
        except EOFError:
            return None
        except KeyboardInterrupt:  # Ctrl-C clears the line, like Python's own prompt
            return ""

    @contextlib.contextmanager
    def printing_above_prompt(self) -> Iterator[None]:
        """While a prompt waits, what the bot sends is printed above it, not into it."""
        if not self.interactive:
            yield
            return
        import logging

        from prompt_toolkit.patch_stdout import patch_stdout

        # Warnings too: a log handler keeps the stream it was made with, so point it anew.
        handlers = [
            h
            for h in logging.getLogger().handlers
            if type(h) is logging.StreamHandler and h.stream in (sys.stderr, sys.stdout)
        ]
        streams = [h.stream for h in handlers]
        with patch_stdout(raw=True):
            for handler in handlers:
                handler.setStream(sys.stderr)
            try:
                yield
            finally:
                for handler, stream in zip(handlers, streams, strict=True):
                    handler.setStream(stream)
