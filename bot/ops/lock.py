"""One bot per database: an exclusive advisory lock on ``<db>.lock`` for the process's life.

``flock`` locks belong to the open file description, so the kernel drops them when the process
dies however it dies (SIGKILL, OOM, power loss leaves no stale lock to clean up by hand).
"""

from __future__ import annotations

import errno
import fcntl
import os
from pathlib import Path
from types import TracebackType

RUNNING_MESSAGE = "another solidarity-bot is running on this database"


class AlreadyLocked(Exception):
    """Another process holds the database's lock."""


def lock_path_for(db_path: str | Path) -> Path:
    """The lock file that guards db_path (beside it, so it lives on the same volume)."""
    return Path(f"{db_path}.lock")


class InstanceLock:
    """Exclusive, non-blocking lock on ``<db>.lock``; `acquire` raises AlreadyLocked if held."""

    def __init__(self, db_path: str | Path) -> None:
        self.path = lock_path_for(db_path)
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self) -> InstanceLock:
        if self._fd is not None:
            return self
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            os.close(fd)
            if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise AlreadyLocked(f"{RUNNING_MESSAGE} ({self.path})") from None
            raise
        # The pid is informational only (for a human looking at the file); the lock is the truth.
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd
        return self

    def release(self) -> None:
        fd, self._fd = self._fd, None
        if fd is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_UN)
            finally:
                os.close(fd)

    def __enter__(self) -> InstanceLock:
        return self.acquire()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()


def is_locked(db_path: str | Path) -> bool:
    """True if some process (a running bot) holds db_path's lock right now."""
    probe = InstanceLock(db_path)
    if not probe.path.exists():
        return False
    try:
        probe.acquire()
    except AlreadyLocked:
        return True
    probe.release()
    return False
