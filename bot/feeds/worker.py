"""Runs feed parsing in a child process under a CPU-time and memory budget.

The bot only waits (in a thread) on a pipe: a feed that would take seconds of CPU or hundreds
of megabytes to expand costs a child process, never the bot's event loop. One small server
process (``python -m bot.feeds.worker``, started on first use, single-threaded, with the parser
imported) forks a fresh child per parse; the child lowers its priority and sets ``RLIMIT_CPU``
and ``RLIMIT_AS`` before reading a byte. Over budget, the child is stopped and the feed is
refused, naming the budget it exceeded. The server leaves when the bot's end of its pipe closes.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import os
import pickle
import resource
import select
import signal
import struct
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from bot.feeds.errors import FeedError
from bot.feeds.limits import HORIZON, MAX_EVENTS, ParsedFeed

_HEADER = struct.Struct(">Q")
MAX_FRAME = 64 * 1024 * 1024  # far above any answer: 1,000 events pickle to about 0.5 MB


@dataclass(frozen=True)
class Budget:
    """What one parse may cost: CPU seconds, extra address space in MB, and wall time."""

    cpu_seconds: int = 20
    memory_mb: int = 512
    wall_seconds: float = 120.0


@dataclass(frozen=True)
class ParseJob:
    """Everything parse_feed needs, sent to the child."""

    data: bytes
    now: datetime
    default_timezone: str
    region: str | None = None
    horizon: timedelta = HORIZON
    max_events: int = MAX_EVENTS


# --- framing over raw file descriptors ----------------------------------------------------------


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _write_frame(fd: int, payload: bytes) -> None:
    _write_all(fd, _HEADER.pack(len(payload)) + payload)


def _read_exact(fd: int, size: int, deadline: float | None) -> bytes:
    parts: list[bytes] = []
    while size:
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                raise TimeoutError
        chunk = os.read(fd, min(size, 1 << 20))
        if not chunk:
            raise EOFError
        parts.append(chunk)
        size -= len(chunk)
    return b"".join(parts)


def _read_frame(fd: int, deadline: float | None = None) -> bytes:
    (size,) = _HEADER.unpack(_read_exact(fd, _HEADER.size, deadline))
    if size > MAX_FRAME:
        raise EOFError
    return _read_exact(fd, size, deadline)


# --- the server side (python -m bot.feeds.worker) ----------------------------------------------


class _CpuBudgetExceeded(BaseException):
    """Raised by SIGXCPU; a BaseException so that no parser's ``except Exception`` eats it."""


def _on_sigxcpu(signum: int, frame: Any) -> None:
    raise _CpuBudgetExceeded


def _vm_size() -> int:
    """This process's current address space in bytes (0 if unknown)."""
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _run_child(job: ParseJob, budget: Budget) -> tuple[Any, ...]:
    """In the forked child: set the limits, parse, and say how it went."""
    from bot.feeds.parse import parse_feed  # already loaded by the server before it forks

    try:
        with contextlib.suppress(OSError):
            os.nice(10)  # the bot's own process comes first
        signal.signal(signal.SIGXCPU, _on_sigxcpu)
        try:
            # Soft limit: SIGXCPU (reported as over budget); the hard one a second later: KILL.
            resource.setrlimit(resource.RLIMIT_CPU, (budget.cpu_seconds, budget.cpu_seconds + 1))
            space = _vm_size() + budget.memory_mb * 1024 * 1024
            resource.setrlimit(resource.RLIMIT_AS, (space, space))
        except (OSError, ValueError) as exc:
            # A sandbox that forbids it: still in its own process, still under the wall-time
            # limit the server enforces; said on stderr (the service's log), not hidden.
            print(f"feed worker: cannot set resource limits: {exc}", file=sys.stderr)
        parsed = parse_feed(
            job.data,
            now=job.now,
            default_timezone=job.default_timezone,
            region=job.region,
            horizon=job.horizon,
            max_events=job.max_events,
        )
        return ("ok", parsed)
    except FeedError as exc:
        return ("error", exc.kind, exc.status)
    except _CpuBudgetExceeded:
        return ("error", "cpu", budget.cpu_seconds)
    except MemoryError:
        return ("error", "memory", budget.memory_mb)
    except Exception:
        return ("error", "invalid", None)


def _one_job(request: bytes) -> bytes:
    """Fork a child for one request and return its answer (or why it has none)."""
    job, budget = pickle.loads(request)
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns, never touches the server's stdin/stdout
        code = 0
        try:
            os.close(read_end)
            # Let go of the server's pipes to the bot: if the server is killed, the bot must
            # see the end of its pipe at once, not when this child is done.
            null = os.open(os.devnull, os.O_RDWR)
            os.dup2(null, 0)
            os.dup2(null, 1)
            os.close(null)
            answer = pickle.dumps(_run_child(job, budget))
            _write_frame(write_end, answer)
        except BaseException:
            code = 1
        os._exit(code)
    os.close(write_end)
    try:
        answer = _read_frame(read_end, time.monotonic() + budget.wall_seconds)
    except (EOFError, TimeoutError, OSError):
        answer = b""
    finally:
        os.close(read_end)
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
    if answer:
        return answer
    # No answer: killed by the hard CPU limit or the wall clock, or out of memory so early
    # that not even the error could be sent.
    if os.WIFSIGNALED(status) and os.WTERMSIG(status) in (signal.SIGXCPU, signal.SIGKILL):
        return pickle.dumps(("error", "cpu", budget.cpu_seconds))
    return pickle.dumps(("error", "memory", budget.memory_mb))


def serve(stdin: int = 0, stdout: int = 1) -> None:
    """Answer parse requests on stdin until it closes."""
    while True:
        try:
            request = _read_frame(stdin)
        except (EOFError, OSError):
            return
        _write_frame(stdout, _one_job(request))


# --- the bot side ------------------------------------------------------------------------------


class _Client:
    """The bot's end: starts the server on first use, one request at a time."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._process: subprocess.Popen[bytes] | None = None

    def _server(self) -> subprocess.Popen[bytes]:
        if self._process is None or self._process.poll() is not None:
            root = str(Path(__file__).resolve().parents[2])
            env = dict(os.environ)
            env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
            self._process = subprocess.Popen(
                [sys.executable, "-m", "bot.feeds.worker"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                env=env,
                close_fds=True,
            )
        return self._process

    def request(self, payload: bytes, wall_seconds: float) -> bytes | None:
        with self._lock:
            process = self._server()
            assert process.stdin is not None and process.stdout is not None
            # The server's own start (imports) and fork come on top of the child's wall time.
            deadline = time.monotonic() + wall_seconds + 30
            try:
                _write_frame(process.stdin.fileno(), payload)
                return _read_frame(process.stdout.fileno(), deadline)
            except (EOFError, TimeoutError, OSError):
                self.close_locked()
                return None

    def close_locked(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        for stream in (process.stdin, process.stdout):
            if stream is not None:
                stream.close()
        with contextlib.suppress(OSError):
            process.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(5)

    def close(self) -> None:
        with self._lock:
            self.close_locked()

    def interrupt(self) -> None:
        """Kill the server without waiting for the request in flight (whose thread then reads
        an end of file at once); the next request starts a new one."""
        process = self._process
        if process is not None:
            with contextlib.suppress(OSError):
                process.kill()


_client = _Client()
atexit.register(_client.close)


async def parse_in_worker(job: ParseJob, budget: Budget) -> ParsedFeed:
    """parse_feed(job) in a child process under budget; FeedError on failure or overrun."""
    request = pickle.dumps((job, budget))
    try:
        answer = await asyncio.to_thread(_client.request, request, budget.wall_seconds)
    except asyncio.CancelledError:
        _client.interrupt()  # a bot shutting down does not wait for a parse to finish
        raise
    if answer is None:
        raise FeedError("cpu", budget.cpu_seconds)
    message = pickle.loads(answer)
    if message[0] == "ok" and isinstance(message[1], ParsedFeed):
        return message[1]
    kind = str(message[1]) if len(message) > 1 else "invalid"
    status = message[2] if len(message) > 2 and isinstance(message[2], int) else None
    raise FeedError(kind, status)


if __name__ == "__main__":
    # Ctrl-C in the bot's terminal reaches this process group too: the bot decides, and its
    # end of the pipe closing is what stops the server.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    import bot.feeds.parse  # noqa: F401  (once here, so each forked child starts with it)

    serve()
