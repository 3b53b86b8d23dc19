"""`solidarity-bot shell`: the whole bot in a terminal, offline, through the in-process emulator.

``database`` chooses its own database, ``session`` turns typed lines into updates, ``render``
prints the bot's messages with their formatting, ``terminal`` reads lines, ``runner`` starts it.
"""

from bot.ops.shell.database import DatabaseRefused, ShellDatabase, choose_database
from bot.ops.shell.runner import run_shell, shell_main

__all__ = ["DatabaseRefused", "ShellDatabase", "choose_database", "run_shell", "shell_main"]
