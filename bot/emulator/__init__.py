"""Local Telegram Bot API emulator: one core (:class:`BotApiCore`), two transports.

* :class:`FakeBotApiServer` — HTTP on 127.0.0.1 for PTB's own HTTPX request (tests, benchmarks);
* :class:`EmulatorRequest` — in-process ``telegram.request.BaseRequest`` (``solidarity-bot shell``).
"""

from __future__ import annotations

from bot.emulator.core import BotApiCore
from bot.emulator.faults import (
    ConnectionDropped,
    CoreStats,
    Fault,
    FaultKind,
    Faults,
    RateLimits,
)
from bot.emulator.html import HtmlParseError, parse_html
from bot.emulator.http import FakeBotApiServer
from bot.emulator.inprocess import EmulatorRequest
from bot.emulator.state import ApiCall, ApiError, ChatInfo, SentMessage, StoredFile

__all__ = [
    "ApiCall",
    "ApiError",
    "BotApiCore",
    "ChatInfo",
    "ConnectionDropped",
    "CoreStats",
    "EmulatorRequest",
    "FakeBotApiServer",
    "Fault",
    "FaultKind",
    "Faults",
    "HtmlParseError",
    "RateLimits",
    "SentMessage",
    "StoredFile",
    "parse_html",
]
