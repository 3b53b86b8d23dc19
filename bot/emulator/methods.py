"""Bot API method handlers (messages, chats, commands); updates and dispatch live in core."""

from __future__ import annotations

import mimetypes
import struct
from typing import Any

from bot.emulator.chats import ChatMethods
from bot.emulator.state import (
    ApiError,
    ChatInfo,
    SentMessage,
    StoredFile,
    bad_request,
)
from bot.emulator.validation import (
    inline_markup,
    render_text,
    reply_target,
    require,
)

Files = dict[str, tuple[str, bytes]]

NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the "
    "same as a current content and reply markup of the message"
)


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


class Methods(ChatMethods):
    """The Bot API surface; each ``api_<name>`` answers the method of that name."""

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
