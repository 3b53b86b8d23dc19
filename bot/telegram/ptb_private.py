"""The few names of PTB's private API the bot needs, in one place, and why.

A custom ``telegram.request.BaseRequest`` (bot/telegram/aiohttp_request.py, the metrics wrapper
in bot/ops/metrics.py, the shell's in-process transport) receives timeouts that are either a
number, None, or PTB's "not given" marker, and must tell the marker apart to apply its own
defaults. PTB exposes the marker's value publicly (``BaseRequest.DEFAULT_NONE``) but neither its
class nor the ``ODVInput`` type of such parameters; they live in ``telegram._utils``. Every other
module imports them from here, so a PTB upgrade that moves them breaks one file, and
tests/test_ptb_private.py pins exactly what the bot relies on.
"""

from __future__ import annotations

from telegram._utils.defaultvalue import DEFAULT_NONE, DefaultValue
from telegram._utils.types import ODVInput

__all__ = ["DEFAULT_NONE", "DefaultValue", "ODVInput"]
