"""`solidarity-bot backup PATH` and `solidarity-bot restore PATH`.

Backups use SQLite's online backup API, so they are safe while the bot runs. Restores refuse
while a bot holds the database's lock, validate the file first, keep the replaced database
beside it as ``<db>.pre-restore``, and swap the new file in with one atomic rename.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from bot.ops.lock import RUNNING_MESSAGE, AlreadyLocked, InstanceLock
from storage.maintenance import (
    DbReport,
    NotABotDatabase,
    checkpoint,
    inspect_database,
    online_backup,
)


class BackupError(Exception):
    """A backup or restore could not be done; the message is one line for the user."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    report: DbReport
    size: int


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _fsync_file(path: Path) -> None:
    with path.open("rb+") as fh:
        os.fsync(fh.fileno())


def _remove_quietly(*paths: Path) -> None:
    for p in paths:
        with contextlib.suppress(FileNotFoundError):
            p.unlink()


def backup_target(dest: Path, now: datetime) -> Path:
    """dest itself, or a time-stamped file inside dest when it is a folder."""
    if dest.is_dir():
        return dest / f"solidarity-bot-{now.strftime('%Y%m%d-%H%M%S')}.sqlite3"
    return dest


def backup(db_path: Path, dest: Path, now: datetime) -> BackupResult:
    """Copy the live database to dest (atomically: a temporary file, checked, then renamed)."""
    if not db_path.is_file():
        raise BackupError(f"no database at {str(db_path)!r} (check BOT_DB_PATH)")
    target = backup_target(dest, now)
    if not target.parent.is_dir():
        raise BackupError(f"backup folder {str(target.parent)!r} does not exist")
    if target.resolve() == db_path.resolve():
        raise BackupError("the backup path is the live database itself")
    tmp = target.with_name(f".{target.name}.partial-{os.getpid()}")
    _remove_quietly(tmp)
    try:
        try:
            online_backup(db_path, tmp)
            report = inspect_database(tmp)
        except NotABotDatabase as exc:
            raise BackupError(f"the copy failed its check: {exc}") from None
        except Exception as exc:
            raise BackupError(f"backup failed: {exc}") from None
        _fsync_file(tmp)
        os.replace(tmp, target)
        _fsync_dir(target.parent)
    finally:
        _remove_quietly(tmp)
    return BackupResult(path=target, report=report, size=target.stat().st_size)


def restore(db_path: Path, source: Path) -> tuple[DbReport, Path | None]:
    """Replace db_path with a validated copy of source; returns (report, previous-db copy).

    Refuses while a bot runs on db_path (it holds ``<db>.lock``) and holds that lock itself
    while working, so a bot started meanwhile refuses instead of opening a half-swapped file.
    """
    lock = InstanceLock(db_path)
    try:
        lock.acquire()
    except AlreadyLocked:
        raise BackupError(f"{RUNNING_MESSAGE}: stop it before restoring") from None
    try:
        if source.resolve() == db_path.resolve():
            raise BackupError("the file to restore is the database itself")
        try:
            report = inspect_database(source)
        except NotABotDatabase as exc:
            raise BackupError(f"refusing to restore: {exc}") from None
        folder = db_path.parent
        tmp = folder / f".{db_path.name}.restore-{os.getpid()}"
        _remove_quietly(tmp)
        previous: Path | None = None
        try:
            # Copy through SQLite rather than the file system: a source in WAL mode may keep
            # recent commits in its -wal file, which a plain file copy would leave behind.
            online_backup(source, tmp)
            inspect_database(tmp)
            _fsync_file(tmp)
            if db_path.exists():
                # The old database: fold its WAL in, keep a copy, then make sure no stale
                # -wal/-shm survives to be replayed over the restored file.
                checkpoint(db_path)
                previous = db_path.with_name(db_path.name + ".pre-restore")
                online_backup(db_path, previous)
            _remove_quietly(Path(f"{db_path}-wal"), Path(f"{db_path}-shm"))
            os.replace(tmp, db_path)
            _fsync_dir(folder)
        except BackupError:
            raise
        except Exception as exc:
            raise BackupError(f"restore failed, the database was not changed: {exc}") from None
        finally:
            _remove_quietly(tmp)
        return report, previous
    finally:
        lock.release()
