"""/start and /help end to end, in a private chat, a group (also /cmd@bot) and a forum topic."""

from __future__ import annotations

from tests.harness import ADMIN_ID, FORUM_ID, GROUP_ID, USER_ID, BotHarness


async def test_start_private(harness: BotHarness) -> None:
    await harness.send(USER_ID, USER_ID, "/start")
    reply = harness.last(USER_ID)
    assert reply.text is not None
    assert "From Ukraine to Palestine, occupation is a crime" in reply.text
    assert reply.parse_mode == "HTML"
    chat = await harness.services.chats.get(USER_ID)
    assert chat is not None and chat.kind == "private" and not chat.subscribed


async def test_help_hides_admin_commands_from_members(harness: BotHarness) -> None:
    await harness.send(USER_ID, USER_ID, "/help")
    member_help = harness.last(USER_ID).text or ""
    assert "/excerpt" in member_help
    assert "/addstatement" not in member_help
    await harness.send(ADMIN_ID, ADMIN_ID, "/help")
    admin_help = harness.last(ADMIN_ID).text or ""
    assert "/addstatement" in admin_help


async def test_help_in_group_with_bot_username(harness: BotHarness) -> None:
    harness.core.group_chat(GROUP_ID)
    username = harness.core.bot_username
    await harness.send(GROUP_ID, USER_ID, f"/help@{username}")
    assert "/excerpt" in (harness.last(GROUP_ID).text or "")


async def test_forum_topic_reply_goes_to_same_thread(harness: BotHarness) -> None:
    harness.core.group_chat(FORUM_ID, forum=True)
    await harness.send(FORUM_ID, USER_ID, "/start", thread_id=42)
    assert harness.last(FORUM_ID).raw.get("message_thread_id") == 42


async def test_unknown_command_in_private_gets_hint_but_group_stays_quiet(
    harness: BotHarness,
) -> None:
    await harness.send(USER_ID, USER_ID, "/nonsense")
    assert "/help" in (harness.last(USER_ID).text or "")
    harness.core.group_chat(GROUP_ID)
    await harness.send(GROUP_ID, USER_ID, "/nonsense")
    assert harness.replies(GROUP_ID) == []


async def test_menus_registered_with_scopes(harness: BotHarness) -> None:
    await harness.core.wait_for(
        lambda: len(harness.core.calls_for("setMyCommands")) >= 3, what="menus published"
    )
    scopes = {str(c.params.get("scope")) for c in harness.core.calls_for("setMyCommands")}
    assert any("all_private_chats" in s for s in scopes)
    assert any("all_group_chats" in s for s in scopes)
    assert any("all_chat_administrators" in s for s in scopes)
