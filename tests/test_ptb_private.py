"""What the bot relies on from PTB's private API (bot/telegram/ptb_private.py), pinned, and the
public do_api_request path replies use."""

from __future__ import annotations

import inspect
import warnings

from telegram import Bot
from telegram.request import BaseRequest
from telegram.warnings import PTBUserWarning

from bot.telegram.ptb_private import DEFAULT_NONE, DefaultValue, ODVInput
from bot.telegram.replies import silence_raw_send_suggestion
from tests.harness import USER_ID, BotHarness


def test_the_not_given_marker_is_the_public_one() -> None:
    assert DEFAULT_NONE is BaseRequest.DEFAULT_NONE
    assert isinstance(DEFAULT_NONE, DefaultValue)
    assert DefaultValue.get_value(DEFAULT_NONE) is None
    assert not isinstance(None, DefaultValue) and not isinstance(5.0, DefaultValue)


def test_request_timeouts_default_to_the_marker() -> None:
    # Our BaseRequest subclasses tell "not given" from None (no timeout) by this marker.
    for method in (BaseRequest.post, BaseRequest.retrieve, BaseRequest.do_request):
        params = inspect.signature(method).parameters
        for name in ("read_timeout", "write_timeout", "connect_timeout", "pool_timeout"):
            assert isinstance(params[name].default, DefaultValue), (method, name)


def test_odv_input_is_a_generic_alias() -> None:
    hint = ODVInput[float]
    assert "DefaultValue" in str(hint)


async def test_do_api_request_suggestion_is_silenced(harness: BotHarness) -> None:
    # PTB suggests Bot.sendMessage with this exact wording; replies.py silences only that.
    bot = harness.app.bot
    assert hasattr(Bot, "sendMessage")
    harness.core.private_chat(USER_ID)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        await bot.do_api_request("sendMessage", api_kwargs={"chat_id": USER_ID, "text": "x"})
    assert any(
        issubclass(w.category, PTBUserWarning) and "Please use 'Bot.sendMessage'" in str(w.message)
        for w in caught
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        silence_raw_send_suggestion()  # what build_application does
        await bot.do_api_request("sendMessage", api_kwargs={"chat_id": USER_ID, "text": "y"})
    assert [w for w in caught if issubclass(w.category, PTBUserWarning)] == []
    assert [m.text for m in harness.replies(USER_ID)][-2:] == ["x", "y"]
