"""Bot API methods about the bot itself, webhook, commands, queries, chats and members."""

from __future__ import annotations

import json
from typing import Any

from bot.emulator.html import utf16_len
from bot.emulator.state import State, bad_request, member_dict
from bot.emulator.validation import (
    MAX_CALLBACK_ANSWER,
    require,
    validate_commands,
    validate_inline_result,
)

Files = dict[str, tuple[str, bytes]]

QUERY_TOO_OLD = "query is too old and response timeout expired or query ID is invalid"


class ChatMethods(State):
    """``api_<name>`` handlers that do not send or edit messages."""

    def _init_methods(self) -> None:
        self.commands: dict[str, list[dict[str, str]]] = {}
        self.webhook_url = ""
        self.open_callback_queries: dict[str, dict[str, Any]] = {}
        self.open_inline_queries: dict[str, dict[str, Any]] = {}
        self.callback_answer_log: dict[str, dict[str, Any]] = {}
        self.inline_answer_log: dict[str, dict[str, Any]] = {}

    # -- identity, webhook, commands ----------------------------------------------------------
    async def api_getMe(self, p: dict[str, Any], f: Files) -> Any:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": True,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def api_setWebhook(self, p: dict[str, Any], f: Files) -> Any:
        self.webhook_url = str(p.get("url") or "")
        return True

    async def api_deleteWebhook(self, p: dict[str, Any], f: Files) -> Any:
        self.webhook_url = ""
        if p.get("drop_pending_updates"):
            self.drop_pending_updates()
        return True

    def drop_pending_updates(self) -> None:  # overridden by the core
        """Forget queued updates."""

    async def api_getWebhookInfo(self, p: dict[str, Any], f: Files) -> Any:
        return {"url": self.webhook_url, "has_custom_certificate": False, "pending_update_count": 0}

    @staticmethod
    def _commands_key(p: dict[str, Any]) -> str:
        scope = p.get("scope") or {"type": "default"}
        return json.dumps([scope, p.get("language_code") or ""], sort_keys=True)

    async def api_setMyCommands(self, p: dict[str, Any], f: Files) -> Any:
        self.commands[self._commands_key(p)] = validate_commands(p.get("commands"))
        return True

    async def api_getMyCommands(self, p: dict[str, Any], f: Files) -> Any:
        return self.commands.get(self._commands_key(p), [])

    async def api_deleteMyCommands(self, p: dict[str, Any], f: Files) -> Any:
        self.commands.pop(self._commands_key(p), None)
        return True

    async def api_close(self, p: dict[str, Any], f: Files) -> Any:
        return True

    async def api_logOut(self, p: dict[str, Any], f: Files) -> Any:
        return True

    # -- queries ------------------------------------------------------------------------------
    async def api_answerCallbackQuery(self, p: dict[str, Any], f: Files) -> Any:
        text = p.get("text")
        if isinstance(text, str) and utf16_len(text) > MAX_CALLBACK_ANSWER:
            raise bad_request("MESSAGE_TOO_LONG")
        query_id = str(require(p, "callback_query_id"))
        if query_id not in self.open_callback_queries:
            raise bad_request(QUERY_TOO_OLD)
        del self.open_callback_queries[query_id]
        self.callback_answer_log[query_id] = p
        return True

    async def api_answerInlineQuery(self, p: dict[str, Any], f: Files) -> Any:
        results = p.get("results")
        if not isinstance(results, list):
            raise bad_request("can't parse inline query results JSON object")
        if len(results) > 50:
            raise bad_request("RESULTS_TOO_MUCH")
        ids = [str(r.get("id")) for r in results if isinstance(r, dict)]
        if len(set(ids)) != len(ids):
            raise bad_request("RESULT_ID_DUPLICATE")
        if any(not 1 <= len(i.encode()) <= 64 for i in ids):
            raise bad_request("RESULT_ID_INVALID")
        for result in results:
            validate_inline_result(result)
        query_id = str(require(p, "inline_query_id"))
        if query_id not in self.open_inline_queries:
            raise bad_request(QUERY_TOO_OLD)
        del self.open_inline_queries[query_id]
        self.inline_answer_log[query_id] = p
        return True

    # -- chats and members --------------------------------------------------------------------
    async def api_getChat(self, p: dict[str, Any], f: Files) -> Any:
        chat = self.chat(require(p, "chat_id"))
        gifts = ("unlimited_gifts", "limited_gifts", "unique_gifts", "premium_subscription")
        return {
            **chat.to_dict(),
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {**dict.fromkeys(gifts, True), "gifts_from_channels": True},
        }

    async def api_getChatMember(self, p: dict[str, Any], f: Files) -> Any:
        chat = self.chat(require(p, "chat_id"))
        user_id = int(require(p, "user_id"))
        user = self.bot_user if user_id == self.bot_id else self.user(user_id)
        return member_dict(user, self.status(chat.id, user_id))

    async def api_getChatAdministrators(self, p: dict[str, Any], f: Files) -> Any:
        chat = self.chat(require(p, "chat_id"))
        if chat.type == "private":
            raise bad_request("there are no administrators in the private chat")
        return [
            member_dict(self.bot_user if uid == self.bot_id else self.user(uid), status)
            for (cid, uid), status in self.members.items()
            if cid == chat.id and status in ("creator", "administrator")
        ]

    async def api_leaveChat(self, p: dict[str, Any], f: Files) -> Any:
        chat = self.chat(require(p, "chat_id"))
        self.members[(chat.id, self.bot_id)] = "left"
        return True

    async def api_getFile(self, p: dict[str, Any], f: Files) -> Any:
        stored = self.files.get(str(require(p, "file_id")))
        if stored is None:
            raise bad_request("invalid file_id")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": stored.size,
            "file_path": stored.file_path,
        }
