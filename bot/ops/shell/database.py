"""Which database the shell opens: its own, never the one `run` uses unless asked by name."""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path


class DatabaseRefused(Exception):
    """The shell will not open this database; the message says why and what to do."""


@dataclass(frozen=True)
class ShellDatabase:
    """The shell's database and what the banner says about it."""

    path: Path
    description: str
    temporary_dir: Path | None = None

    def cleanup(self) -> None:
        """Remove a temporary database (and its WAL files); a kept one stays."""
        if self.temporary_dir is not None:
            shutil.rmtree(self.temporary_dir, ignore_errors=True)


def kept_path(run_db: Path) -> Path:
    """The shell's kept database: beside the run database, ``-shell`` added to its name."""
    return run_db.with_name(f"{run_db.stem}-shell{run_db.suffix or '.sqlite3'}")


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or (a.exists() and b.exists() and a.samefile(b))
    except OSError:
        return False


def choose_database(run_db: Path, *, explicit: Path | None, keep: bool) -> ShellDatabase:
    """--db PATH as given; else a kept file beside the run database (--keep); else a temporary one.

    The run database (BOT_DB_PATH or the default) is opened only when named with --db: what the
    shell does there (test demos, subscribed fake chats) would reach real subscribers later.
    """
    if explicit is not None:
        if explicit.is_dir():
            raise DatabaseRefused(f"--db {str(explicit)!r} is a directory, expected a file")
        if not explicit.parent.is_dir():
            raise DatabaseRefused(f"--db {str(explicit)!r}: its folder does not exist")
        if _same_file(explicit, run_db):
            note = "the database `run` uses: what you do here reaches real chats when it runs"
            return ShellDatabase(explicit, f"{explicit} (given with --db; {note})")
        return ShellDatabase(explicit, f"{explicit} (given with --db, kept)")
    if keep:
        path = kept_path(run_db)
        if _same_file(path, run_db):
            raise DatabaseRefused(f"{str(path)!r} is the run database; name it with --db to use it")
        if not path.parent.is_dir():
            raise DatabaseRefused(f"{str(path.parent)!r} does not exist (check BOT_DB_PATH)")
        return ShellDatabase(path, f"{path} (the shell's own, kept for next time)")
    folder = Path(tempfile.mkdtemp(prefix="solidarity-shell-"))
    path = folder / "shell.sqlite3"
    return ShellDatabase(
        path, f"{path} (temporary, deleted when you leave; --keep keeps one)", temporary_dir=folder
    )
