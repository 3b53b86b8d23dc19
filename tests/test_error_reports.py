"""handlers/errors.py tells the bot's administrators about errors: briefly, with ids and error
kinds only, at most one report every 10 minutes however many errors there are."""

from __future__ import annotations

from datetime import timedelta

from telegram import Update
from telegram.ext import CommandHandler, ContextTypes

from tests.harness import ADMIN_ID, USER_ID, BotHarness

REPORT = "Errors while handling updates"


async def _boom(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    raise RuntimeError("secret words from the message")


def _reports(h: BotHarness) -> list[str]:
    return [m.text or "" for m in h.replies(ADMIN_ID) if REPORT in (m.text or "")]


async def test_admins_hear_of_errors_without_being_flooded(harness: BotHarness) -> None:
    await harness.send(ADMIN_ID, ADMIN_ID, "/start")
    harness.app.add_handler(CommandHandler("boom", _boom), group=-10)
    await harness.send(USER_ID, USER_ID, "/boom private words")
    await harness.core.wait_for(lambda: len(_reports(harness)) == 1)
    (report,) = _reports(harness)
    assert "RuntimeError" in report and str(USER_ID) in report and "1 since" in report
    assert "secret" not in report and "private words" not in report and "/boom" not in report
    assert any("went wrong" in (m.text or "") for m in harness.replies(USER_ID))  # apologised
    # An error storm: no more reports within 10 minutes ...
    for _ in range(5):
        await harness.send(USER_ID, USER_ID, "/boom")
    assert len(_reports(harness)) == 1
    # ... then one, counting everything since the last.
    harness.clock.advance(timedelta(minutes=11))
    await harness.send(USER_ID, USER_ID, "/boom")
    await harness.core.wait_for(lambda: len(_reports(harness)) == 2)
    assert "6 since" in _reports(harness)[-1]
