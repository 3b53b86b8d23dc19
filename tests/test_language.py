"""/language end to end, and the default language taken from the user's Telegram settings."""

from __future__ import annotations

from bot.i18n import texts
from bot.i18n.translate import t
from tests.harness import ADMIN_ID, GROUP_ID, OTHER_ID, USER_ID, BotHarness


def _buttons(harness: BotHarness, chat_id: int) -> dict[str, str]:
    markup = harness.last(chat_id).reply_markup or {}
    return {b["callback_data"]: b["text"] for row in markup.get("inline_keyboard", []) for b in row}


async def test_default_language_from_telegram(harness: BotHarness) -> None:
    harness.core.private_chat(USER_ID, language_code="uk")
    await harness.send(USER_ID, USER_ID, "/start")
    text = harness.last(USER_ID).text or ""
    assert "Від України до Палестини окупація — це злочин" in text
    assert "Надішліть /help" in text


async def test_unsupported_telegram_language_falls_back_to_english(harness: BotHarness) -> None:
    harness.core.private_chat(USER_ID, language_code="pt-br")
    await harness.send(USER_ID, USER_ID, "/start")
    assert "From Ukraine to Palestine" in (harness.last(USER_ID).text or "")


async def test_choose_language_in_private_chat(harness: BotHarness) -> None:
    harness.core.private_chat(USER_ID, language_code="en")
    await harness.send(USER_ID, USER_ID, "/language")
    menu = harness.last(USER_ID)
    assert "English" in (menu.text or "")
    buttons = _buttons(harness, USER_ID)
    assert set(buttons) == {
        "lang:set:en",
        "lang:set:uk",
        "lang:set:fr",
        "lang:set:de",
        "lang:set:es",
        "lang:set:ar",
        "lang:set:auto",
    }
    assert buttons["lang:set:ar"].endswith("العربية")

    query = await harness.press(USER_ID, USER_ID, menu.message_id, "lang:set:fr")
    assert harness.core.callback_answers(query) is not None
    edited = harness.core.message(USER_ID, menu.message_id)
    assert edited.text == t("fr", texts.LANGUAGE_SET)
    chat = await harness.services.chats.get(USER_ID)
    assert chat is not None and chat.language == "fr"

    await harness.send(USER_ID, USER_ID, "/help")
    assert "Ce que je sais faire" in (harness.last(USER_ID).text or "")

    # Automatic: back to the person's Telegram language (English here).
    await harness.send(USER_ID, USER_ID, "/language")
    menu = harness.last(USER_ID)
    assert "Français" in (menu.text or "")
    await harness.press(USER_ID, USER_ID, menu.message_id, "lang:set:auto")
    chat = await harness.services.chats.get(USER_ID)
    assert chat is not None and chat.language is None
    assert harness.core.message(USER_ID, menu.message_id).text == t("en", texts.LANGUAGE_AUTO_SET)


async def test_arabic_choice_applies_to_later_replies(harness: BotHarness) -> None:
    await harness.send(USER_ID, USER_ID, "/language")
    menu = harness.last(USER_ID)
    await harness.press(USER_ID, USER_ID, menu.message_id, "lang:set:ar")
    await harness.send(USER_ID, USER_ID, "/start")
    assert "من أوكرانيا إلى فلسطين، الاحتلال جريمة" in (harness.last(USER_ID).text or "")


async def test_group_language_only_for_group_admins(harness: BotHarness) -> None:
    harness.core.group_chat(GROUP_ID)
    harness.core.set_member(GROUP_ID, OTHER_ID, "administrator")
    harness.core.set_member(GROUP_ID, USER_ID, "member")

    await harness.send(GROUP_ID, USER_ID, "/language")
    assert harness.last(GROUP_ID).text == t("en", texts.NOT_GROUP_ADMIN)

    await harness.send(GROUP_ID, OTHER_ID, "/language")
    menu = harness.last(GROUP_ID)
    assert menu.reply_markup is not None

    # A member pressing the admin's buttons is refused with an alert; nothing changes.
    query = await harness.press(GROUP_ID, USER_ID, menu.message_id, "lang:set:de")
    answer = harness.core.callback_answers(query) or {}
    assert answer.get("show_alert") is True
    chat = await harness.services.chats.get(GROUP_ID)
    assert chat is None or chat.language is None

    await harness.press(GROUP_ID, OTHER_ID, menu.message_id, "lang:set:de")
    chat = await harness.services.chats.get(GROUP_ID)
    assert chat is not None and chat.language == "de"
    assert harness.core.message(GROUP_ID, menu.message_id).text == t("de", texts.LANGUAGE_SET)

    # Everyone in the group now gets German, whatever their own Telegram language.
    await harness.send(GROUP_ID, USER_ID, "/help")
    assert "Was ich kann" in (harness.last(GROUP_ID).text or "")


async def test_bot_admin_may_change_group_language(harness: BotHarness) -> None:
    harness.core.group_chat(GROUP_ID)
    await harness.send(GROUP_ID, ADMIN_ID, "/language")
    menu = harness.last(GROUP_ID)
    await harness.press(GROUP_ID, ADMIN_ID, menu.message_id, "lang:set:es")
    chat = await harness.services.chats.get(GROUP_ID)
    assert chat is not None and chat.language == "es"


async def test_forged_language_button_is_refused(harness: BotHarness) -> None:
    await harness.send(USER_ID, USER_ID, "/language")
    menu = harness.last(USER_ID)
    query = await harness.press(USER_ID, USER_ID, menu.message_id, "lang:set:xx")
    assert (harness.core.callback_answers(query) or {}).get("show_alert") is True
    chat = await harness.services.chats.get(USER_ID)
    assert chat is None or chat.language is None
