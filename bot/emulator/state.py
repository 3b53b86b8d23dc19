"""Data kept by the emulator: chats, users, members, messages, files, recorded calls."""

from __future__ import annotations

import asyncio
import json
import mimetypes
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

MemberStatus = Literal["creator", "administrator", "member", "restricted", "left", "kicked"]
ChatType = Literal["private", "group", "supergroup", "channel"]

_ADMIN_RIGHTS = (
    "can_manage_chat",
    "can_delete_messages",
    "can_manage_video_chats",
    "can_restrict_members",
    "can_promote_members",
    "can_change_info",
    "can_invite_users",
    "can_post_stories",
    "can_edit_stories",
    "can_delete_stories",
    "can_pin_messages",
    "can_manage_topics",
)

_RESTRICTED_RIGHTS = (
    "can_change_info",
    "can_invite_users",
    "can_pin_messages",
    "can_send_messages",
    "can_send_polls",
    "can_send_other_messages",
    "can_add_web_page_previews",
    "can_manage_topics",
    "can_send_audios",
    "can_send_documents",
    "can_send_photos",
    "can_send_videos",
    "can_send_video_notes",
    "can_send_voice_notes",
    "can_edit_tag",
    "can_react_to_messages",
)


class ApiError(Exception):
    """Raised inside method handlers; becomes ``{"ok": false, ...}`` with this HTTP status."""

    def __init__(self, code: int, description: str, parameters: dict[str, Any] | None = None):
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.code,
            "description": self.description,
        }
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(what: str) -> ApiError:
    return ApiError(400, f"Bad Request: {what}")


@dataclass(frozen=True)
class ApiCall:
    """One answered Bot API call. ``result_or_error`` is ``result`` or the whole error body."""

    method: str
    params: dict[str, Any]
    result_or_error: Any
    at: float
    ok: bool = True
    status: int = 200


@dataclass
class ChatInfo:
    id: int
    type: ChatType
    title: str | None = None
    first_name: str | None = None
    username: str | None = None
    is_forum: bool = False
    migrated_to: int | None = None

    def to_dict(self) -> dict[str, Any]:
        chat: dict[str, Any] = {"id": self.id, "type": self.type}
        if self.type == "private":
            chat["first_name"] = self.first_name or "User"
        else:
            chat["title"] = self.title or f"Chat {self.id}"
        if self.username:
            chat["username"] = self.username
        if self.is_forum:
            chat["is_forum"] = True
        return chat


@dataclass
class StoredFile:
    file_id: str
    file_unique_id: str
    file_name: str
    mime_type: str
    data: bytes
    file_path: str

    @property
    def size(self) -> int:
        return len(self.data)


@dataclass
class SentMessage:
    """A message the emulator knows; ``raw`` is the current Bot API Message object.

    Edits are applied to ``raw``; ``source_text`` keeps what the bot sent (HTML included).
    """

    chat_id: int
    message_id: int
    raw: dict[str, Any]
    from_bot: bool
    method: str = ""
    source_text: str | None = None
    parse_mode: str | None = None
    deleted: bool = False
    edits: int = 0
    files: list[StoredFile] = field(default_factory=list)

    @property
    def text(self) -> str | None:
        """Plain text (after HTML parsing) or caption."""
        value = self.raw.get("text", self.raw.get("caption"))
        return value if isinstance(value, str) else None

    @property
    def reply_markup(self) -> dict[str, Any] | None:
        markup = self.raw.get("reply_markup")
        return markup if isinstance(markup, dict) else None

    @property
    def thread_id(self) -> int | None:
        value = self.raw.get("message_thread_id")
        return value if isinstance(value, int) else None

    @property
    def entities(self) -> list[dict[str, Any]]:
        value = self.raw.get("entities", self.raw.get("caption_entities", []))
        return list(value) if isinstance(value, list) else []

    def buttons(self) -> list[dict[str, Any]]:
        """All inline keyboard buttons, row by row."""
        rows = (self.reply_markup or {}).get("inline_keyboard", [])
        return [button for row in rows for button in row]


class Notifier:
    """Wakes every waiter whenever ``notify`` is called; usable from sync code."""

    def __init__(self) -> None:
        self._waiters: set[asyncio.Future[None]] = set()

    def notify(self) -> None:
        waiters, self._waiters = self._waiters, set()
        for fut in waiters:
            if not fut.done():
                fut.set_result(None)

    async def wait_until(self, predicate: Callable[[], bool], within: float | None) -> bool:
        """Wait until ``predicate()`` holds (True) or ``within`` seconds pass (False)."""
        loop = asyncio.get_running_loop()
        deadline = None if within is None else loop.time() + within
        while not predicate():
            remaining = None if deadline is None else deadline - loop.time()
            if remaining is not None and remaining <= 0:
                return False
            fut: asyncio.Future[None] = loop.create_future()
            self._waiters.add(fut)
            try:
                await asyncio.wait({fut}, timeout=remaining)
            finally:
                self._waiters.discard(fut)
        return True


def member_dict(user: dict[str, Any], status: str) -> dict[str, Any]:
    """A ChatMember object PTB can de_json for each status."""
    member: dict[str, Any] = {"status": status, "user": user}
    if status == "creator":
        member["is_anonymous"] = False
    elif status == "administrator":
        member.update({"can_be_edited": False, "is_anonymous": False})
        member.update(dict.fromkeys(_ADMIN_RIGHTS, True))
    elif status == "kicked":
        member["until_date"] = 0
    elif status == "restricted":
        member.update({"is_member": True, "until_date": 0})
        member.update(dict.fromkeys(_RESTRICTED_RIGHTS, False))
    return member


class State:
    """Registries shared by the method handlers and the test helpers."""

    def __init__(self, *, bot_id: int, bot_username: str, now_fn: Callable[[], float]) -> None:
        self.bot_id = bot_id
        self.bot_username = bot_username
        self.now_fn = now_fn
        self.chats: dict[int, ChatInfo] = {}
        self.users: dict[int, dict[str, Any]] = {}
        self.members: dict[tuple[int, int], str] = {}
        self.messages: dict[int, dict[int, SentMessage]] = {}
        self.files: dict[str, StoredFile] = {}
        self.calls: list[ApiCall] = []
        self._next_message_id: dict[int, int] = {}
        self._file_seq = 0
        self.bot_user: dict[str, Any] = {
            "id": bot_id,
            "is_bot": True,
            "first_name": "Solidarity Test Bot",
            "username": bot_username,
        }

    def now(self) -> int:
        return int(self.now_fn())

    def next_message_id(self, chat_id: int) -> int:
        value = self._next_message_id.get(chat_id, 0) + 1
        self._next_message_id[chat_id] = value
        return value

    def user(self, user_id: int) -> dict[str, Any]:
        return self.users.get(user_id) or {
            "id": user_id,
            "is_bot": user_id == self.bot_id,
            "first_name": f"User{user_id}",
        }

    def chat(self, chat_id: Any) -> ChatInfo:
        """Look a chat up by id or ``@username``; unknown -> 400 chat not found."""
        if isinstance(chat_id, str):
            for info in self.chats.values():
                if info.username and f"@{info.username}".lower() == chat_id.lower():
                    return info
            raise bad_request("chat not found")
        found = self.chats.get(chat_id) if isinstance(chat_id, int) else None
        if found is None:
            raise bad_request("chat not found")
        return found

    def status(self, chat_id: int, user_id: int) -> str:
        default = "member" if chat_id == user_id or user_id == self.bot_id else "left"
        return self.members.get((chat_id, user_id), default)

    def store(self, message: SentMessage) -> SentMessage:
        self.messages.setdefault(message.chat_id, {})[message.message_id] = message
        return message

    def find(self, chat_id: int, message_id: int) -> SentMessage | None:
        found = self.messages.get(chat_id, {}).get(message_id)
        return None if found is None or found.deleted else found

    def add_file(self, name: str, data: bytes, mime_type: str, folder: str) -> StoredFile:
        self._file_seq += 1
        seq = self._file_seq
        ext = (mimetypes.guess_extension(mime_type) or "").lstrip(".")
        if not ext or mime_type == "application/octet-stream":
            ext = name.rsplit(".", 1)[-1] if "." in name else "bin"
        stored = StoredFile(
            file_id=f"EMU{folder[:3].upper()}{seq:08d}{'x' * 20}",
            file_unique_id=f"U{seq:07d}",
            file_name=name,
            mime_type=mime_type,
            data=data,
            file_path=f"{folder}/file_{seq}.{ext}",
        )
        self.files[stored.file_id] = stored
        return stored


def dumps(obj: Any) -> bytes:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode()
