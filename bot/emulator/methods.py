"""Bot API method handlers (messages, chats, commands); updates and dispatch live in core."""

from __future__ import annotations

import json
import mimetypes
import struct
from typing import Any

from bot.emulator.state import (
    ApiError,
    ChatInfo,
    SentMessage,
    State,
    StoredFile,
    bad_request,
    member_dict,
)
from bot.emulator.validation import (
    inline_markup,
    render_text,
    reply_target,
    require,
    validate_commands,
)

Files = dict[str, tuple[str, bytes]]

NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the "
    "same as a current content and reply markup of the message"
)
QUERY_TOO_OLD = "query is too old and response timeout expired or query ID is invalid"


def _png_size(data: bytes) -> tuple[int, int]:
    if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return int(width), int(height)
    return 320, 320


def _mime(name: str, data: bytes) -> str:
    if data.startswith(b"\x89PNG"):
        return "image/png"
    if data.startswith(b"\xff\xd8"):
        return "image/jpeg"
    return mimetypes.guess_type(name)[0] or "application/octet-stream"


class Methods(State):
    """The Bot API surface; each ``api_<name>`` answers the method of that name."""

    def _init_methods(self) -> None:
        self.commands: dict[str, list[dict[str, str]]] = {}
        self.webhook_url = ""
        self.open_callback_queries: dict[str, dict[str, Any]] = {}
        self.open_inline_queries: dict[str, dict[str, Any]] = {}
        self.callback_answer_log: dict[str, dict[str, Any]] = {}
        self.inline_answer_log: dict[str, dict[str, Any]] = {}

    # -- helpers ------------------------------------------------------------------------------
    def _target_chat(self, params: dict[str, Any], key: str = "chat_id") -> ChatInfo:
        chat = self.chat(require(params, key))
        if chat.migrated_to is not None:
            raise ApiError(
                400,
                "Bad Request: group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": chat.migrated_to},
            )
        status = self.status(chat.id, self.bot_id)
        kind = "supergroup chat" if chat.type == "supergroup" else f"{chat.type} chat"
        if status == "kicked":
            if chat.type == "private":
                raise ApiError(403, "Forbidden: bot was blocked by the user")
            raise ApiError(403, f"Forbidden: bot was kicked from the {kind}")
        if status == "left" and chat.type != "private":
            raise ApiError(403, f"Forbidden: bot is not a member of the {kind}")
        return chat

    def _new_message(
        self, chat: ChatInfo, params: dict[str, Any], method: str, body: dict[str, Any]
    ) -> SentMessage:
        thread_id = params.get("message_thread_id")
        if thread_id == 1:
            raise bad_request("message thread not found")
        markup = inline_markup(params.get("reply_markup"))
        reply_to = reply_target(params)
        message_id = self.next_message_id(chat.id)
        raw: dict[str, Any] = {
            "message_id": message_id,
            "from": self.bot_user,
            "date": self.now(),
            "chat": chat.to_dict(),
            **body,
        }
        if thread_id is not None:
            raw["message_thread_id"] = thread_id
            if chat.is_forum:
                raw["is_topic_message"] = True
        if reply_to is not None:
            target = self.find(chat.id, reply_to)
            if target is not None:
                raw["reply_to_message"] = dict(target.raw)
            elif not (params.get("reply_parameters") or {}).get("allow_sending_without_reply"):
                raise bad_request("message to be replied not found")
        if markup is not None:
            raw["reply_markup"] = markup
        return SentMessage(chat.id, message_id, raw, from_bot=True, method=method)

    def _upload(self, params: dict[str, Any], files: Files, field: str, folder: str) -> StoredFile:
        ref = params.get(field)
        key = ref[9:] if isinstance(ref, str) and ref.startswith("attach://") else field
        if key in files:
            name, data = files[key]
            return self.add_file(name, data, _mime(name, data), folder)
        if isinstance(ref, str) and ref in self.files:
            return self.files[ref]
        if isinstance(ref, str) and ref.startswith(("http://", "https://")):
            return self.add_file(ref.rsplit("/", 1)[-1] or "file", b"", "", folder)
        if not ref:
            raise bad_request(f"there is no {field} in the request")
        raise bad_request("wrong file identifier/HTTP URL specified")

    def _caption(self, params: dict[str, Any]) -> dict[str, Any]:
        plain, entities = render_text(
            params.get("caption"),
            params.get("parse_mode"),
            params.get("caption_entities"),
            caption=True,
        )
        body: dict[str, Any] = {}
        if plain:
            body["caption"] = plain
        if entities:
            body["caption_entities"] = entities
        return body

    def _editable(self, params: dict[str, Any]) -> SentMessage | None:
        if params.get("inline_message_id"):
            return None
        chat = self.chat(require(params, "chat_id"))
        found = self.find(chat.id, int(require(params, "message_id")))
        if found is None:
            raise bad_request("message to edit not found")
        return found

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

    # -- sending ------------------------------------------------------------------------------
    async def api_sendMessage(self, p: dict[str, Any], f: Files) -> Any:
        chat = self._target_chat(p)
        plain, entities = render_text(p.get("text"), p.get("parse_mode"), p.get("entities"))
        body: dict[str, Any] = {"text": plain}
        if entities:
            body["entities"] = entities
        message = self._new_message(chat, p, "sendMessage", body)
        message.source_text, message.parse_mode = str(p["text"]), p.get("parse_mode")
        return self.store(message).raw

    async def api_sendPhoto(self, p: dict[str, Any], f: Files) -> Any:
        chat = self._target_chat(p)
        body = self._caption(p)
        stored = self._upload(p, f, "photo", "photos")
        width, height = _png_size(stored.data)
        size = {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id}
        body["photo"] = [{**size, "width": width, "height": height, "file_size": stored.size}]
        message = self._new_message(chat, p, "sendPhoto", body)
        message.files.append(stored)
        message.source_text, message.parse_mode = p.get("caption"), p.get("parse_mode")
        return self.store(message).raw

    async def api_sendDocument(self, p: dict[str, Any], f: Files) -> Any:
        chat = self._target_chat(p)
        body = self._caption(p)
        stored = self._upload(p, f, "document", "documents")
        body["document"] = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_name": stored.file_name,
            "mime_type": stored.mime_type,
            "file_size": stored.size,
        }
        message = self._new_message(chat, p, "sendDocument", body)
        message.files.append(stored)
        message.source_text, message.parse_mode = p.get("caption"), p.get("parse_mode")
        return self.store(message).raw

    def _source(self, p: dict[str, Any]) -> SentMessage:
        source_chat = self.chat(require(p, "from_chat_id"))
        source = self.find(source_chat.id, int(require(p, "message_id")))
        if source is None:
            raise bad_request("message to copy not found")
        return source

    async def api_copyMessage(self, p: dict[str, Any], f: Files) -> Any:
        chat = self._target_chat(p)
        source = self._source(p)
        keep = ("text", "entities", "caption", "caption_entities", "photo", "document")
        body = {k: v for k, v in source.raw.items() if k in keep}
        if "caption" in p:
            body.pop("caption", None)
            body.pop("caption_entities", None)
            body.update(self._caption(p))
        message = self._new_message(chat, p, "copyMessage", body)
        message.files = list(source.files)
        self.store(message)
        return {"message_id": message.message_id}

    async def api_forwardMessage(self, p: dict[str, Any], f: Files) -> Any:
        chat = self._target_chat(p)
        source = self._source(p)
        keep = ("text", "entities", "caption", "caption_entities", "photo", "document")
        body = {k: v for k, v in source.raw.items() if k in keep}
        origin_user = source.raw.get("from", self.bot_user)
        body["forward_origin"] = {
            "type": "user",
            "sender_user": origin_user,
            "date": source.raw.get("date", self.now()),
        }
        p = {k: v for k, v in p.items() if k != "reply_markup"}
        message = self._new_message(chat, p, "forwardMessage", body)
        message.files = list(source.files)
        return self.store(message).raw

    async def api_sendChatAction(self, p: dict[str, Any], f: Files) -> Any:
        self._target_chat(p)
        if not p.get("action"):
            raise bad_request("wrong parameter action in request")
        return True

    # -- editing ------------------------------------------------------------------------------
    async def api_editMessageText(self, p: dict[str, Any], f: Files) -> Any:
        plain, entities = render_text(p.get("text"), p.get("parse_mode"), p.get("entities"))
        markup = inline_markup(p.get("reply_markup"))
        message = self._editable(p)
        if message is None:
            return True
        if "text" not in message.raw:
            raise bad_request("there is no text in the message to edit")
        same_text = message.raw.get("text") == plain and message.entities == entities
        if same_text and message.reply_markup == markup:
            raise bad_request(NOT_MODIFIED)
        message.raw["text"] = plain
        message.raw.pop("entities", None)
        if entities:
            message.raw["entities"] = entities
        self._set_markup(message, markup)
        message.source_text, message.parse_mode = str(p["text"]), p.get("parse_mode")
        return message.raw

    async def api_editMessageReplyMarkup(self, p: dict[str, Any], f: Files) -> Any:
        markup = inline_markup(p.get("reply_markup"))
        message = self._editable(p)
        if message is None:
            return True
        if message.reply_markup == markup:
            raise bad_request(NOT_MODIFIED)
        self._set_markup(message, markup)
        return message.raw

    def _set_markup(self, message: SentMessage, markup: dict[str, Any] | None) -> None:
        message.raw.pop("reply_markup", None)
        if markup is not None:
            message.raw["reply_markup"] = markup
        message.raw["edit_date"] = self.now()
        message.edits += 1

    async def api_deleteMessage(self, p: dict[str, Any], f: Files) -> Any:
        chat = self.chat(require(p, "chat_id"))
        message = self.find(chat.id, int(require(p, "message_id")))
        if message is None:
            raise bad_request("message to delete not found")
        message.deleted = True
        return True

    # -- queries ------------------------------------------------------------------------------
    async def api_answerCallbackQuery(self, p: dict[str, Any], f: Files) -> Any:
        text = p.get("text")
        if isinstance(text, str) and len(text) > 200:
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
