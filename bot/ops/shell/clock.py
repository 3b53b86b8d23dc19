"""The shell's clock: the real time plus an offset that `:clock +2h` moves forward or back."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

_UNITS = {"w": "weeks", "d": "days", "h": "hours", "m": "minutes", "s": "seconds"}
_SHIFT = re.compile(r"^([+-])((?:\d{1,6}[wdhms])+)$")
_PART = re.compile(r"(\d{1,6})([wdhms])")


class ShiftedClock:
    """Wall-clock time moved by ``offset``; the bot, the emulator and the shell all read it."""

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def timestamp(self) -> float:
        return self.now().timestamp()

    def shift(self, delta: timedelta) -> datetime:
        self.offset += delta
        return self.now()


def parse_shift(text: str) -> timedelta | None:
    """``+2h``, ``-30m``, ``+1d12h``, ``+1w`` as a timedelta; None if it is not one."""
    match = _SHIFT.match(text.replace(" ", "").lower())
    if match is None:
        return None
    amounts: dict[str, int] = {}
    for number, unit in _PART.findall(match.group(2)):
        amounts[_UNITS[unit]] = amounts.get(_UNITS[unit], 0) + int(number)
    delta = timedelta(**amounts)
    return -delta if match.group(1) == "-" else delta
