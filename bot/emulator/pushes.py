"""Test helpers that declare chats and push incoming updates into the emulator."""

from __future__ import annotations

import itertools
import mimetypes
from collections import deque
from typing import Any

from bot.emulator.methods import Methods
from bot.emulator.state import ChatInfo, ChatType, MemberStatus, Notifier, SentMessage, member_dict


class Pushes(Methods):
    """Registries of chats plus the queue of pending updates read by ``getUpdates``."""

    def _init_pushes(self) -> None:
        self.pending: deque[dict[str, Any]] = deque()
        self._update_ids = itertools.count(1)
        self._query_ids = itertools.count(1)
        #: Fires on every recorded call and push (what ``wait_for`` waits on).
        self.changed = Notifier()
        #: Fires on pushes, competing polls and shutdown (what long polls wait on).
        self.updates_changed = Notifier()

    # -- declaring chats ----------------------------------------------------------------------
    def private_chat(
        self,
        user_id: int,
        first_name: str = "Ann",
        language_code: str | None = "en",
        *,
        username: str | None = None,
    ) -> ChatInfo:
        """Declare a user and the private chat with them (chat id == user id)."""
        user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
        if language_code:
            user["language_code"] = language_code
        if username:
            user["username"] = username
        self.users[user_id] = user
        chat = ChatInfo(user_id, "private", first_name=first_name, username=username)
        self.chats[user_id] = chat
        return chat

    def group_chat(
        self,
        chat_id: int,
        *,
        forum: bool = False,
        supergroup: bool = True,
        title: str | None = None,
        username: str | None = None,
    ) -> ChatInfo:
        """Declare a group (``supergroup`` by default); the bot is a member of it."""
        kind: ChatType = "supergroup" if supergroup or forum else "group"
        chat = ChatInfo(chat_id, kind, title=title, username=username, is_forum=forum)
        self.chats[chat_id] = chat
        self.members.setdefault((chat_id, self.bot_id), "member")
        return chat

    def set_member(self, chat_id: int, user_id: int, status: MemberStatus) -> None:
        """Set a member's status; for ``user_id == bot_id`` this is the bot's own status."""
        self.members[(chat_id, user_id)] = status

    def block(self, user_id: int) -> None:
        """The user blocked the bot: sends to them answer 403."""
        self.members[(user_id, self.bot_id)] = "kicked"

    def _ensure(self, chat_id: int, user_id: int) -> ChatInfo:
        if user_id not in self.users and user_id != self.bot_id:
            self.users[user_id] = {"id": user_id, "is_bot": False, "first_name": f"User{user_id}"}
        if chat_id not in self.chats:
            if chat_id > 0:
                self.private_chat(chat_id)
            else:
                self.group_chat(chat_id)
        if chat_id != user_id:
            self.members.setdefault((chat_id, user_id), "member")
        return self.chats[chat_id]

    # -- pushing updates ----------------------------------------------------------------------
    def push_update(self, raw: dict[str, Any]) -> dict[str, Any]:
        """Queue a raw update (an ``update_id`` is assigned if missing) and wake pollers."""
        update = dict(raw)
        update.setdefault("update_id", next(self._update_ids))
        self.pending.append(update)
        self.updates_changed.notify()
        self.changed.notify()
        return update

    def push_message(
        self,
        chat_id: int,
        user_id: int,
        text: str | None = None,
        *,
        thread_id: int | None = None,
        reply_to_message_id: int | None = None,
        forward: bool = False,
        edited: bool = False,
        sender_chat_id: int | None = None,
        document: tuple[str, bytes] | dict[str, Any] | None = None,
        message_id: int | None = None,
    ) -> dict[str, Any]:
        """Push a user's message (or its edit with ``edited=True, message_id=N``).

        Chats and users are declared on the fly. A text starting with ``/`` gets a
        ``bot_command`` entity. ``document`` is ``(file_name, bytes)`` or a raw Document.
        """
        chat = self._ensure(chat_id, user_id)
        mid = message_id if message_id is not None else self.next_message_id(chat_id)
        raw: dict[str, Any] = {
            "message_id": mid,
            "from": self.user(user_id),
            "date": self.now(),
            "chat": chat.to_dict(),
        }
        key = "caption" if document is not None else "text"
        if text is not None:
            raw[key] = text
            if text.startswith("/"):
                command = text.split()[0]
                raw[f"{key}_entities" if key == "caption" else "entities"] = [
                    {"type": "bot_command", "offset": 0, "length": len(command)}
                ]
        if thread_id is not None:
            raw["message_thread_id"] = thread_id
            if chat.is_forum:
                raw["is_topic_message"] = True
        if reply_to_message_id is not None:
            target = self.find(chat_id, reply_to_message_id)
            raw["reply_to_message"] = (
                dict(target.raw)
                if target
                else {"message_id": reply_to_message_id, "date": self.now(), "chat": raw["chat"]}
            )
        if forward:
            raw["forward_origin"] = {"type": "hidden_user", "sender_user_name": "Someone"}
            raw["forward_origin"]["date"] = self.now()
        if sender_chat_id is not None:
            raw["sender_chat"] = {"id": sender_chat_id, "type": "channel", "title": "Channel"}
        if isinstance(document, tuple):
            name, data = document
            mime = mimetypes.guess_type(name)[0] or "application/octet-stream"
            stored = self.add_file(name, data, mime, "documents")
            raw["document"] = {
                "file_id": stored.file_id,
                "file_unique_id": stored.file_unique_id,
                "file_name": name,
                "mime_type": mime,
                "file_size": stored.size,
            }
        elif document is not None:
            raw["document"] = document
        if edited:
            raw["edit_date"] = self.now()
        self.store(SentMessage(chat_id, mid, raw, from_bot=False, source_text=text))
        return self.push_update({"edited_message" if edited else "message": raw})

    def push_command(
        self, chat_id: int, user_id: int, command: str, **kwargs: Any
    ) -> dict[str, Any]:
        """Alias of :meth:`push_message`; ``command`` gets a leading ``/`` if missing."""
        text = command if command.startswith("/") else f"/{command}"
        return self.push_message(chat_id, user_id, text, **kwargs)

    def push_callback(self, chat_id: int, user_id: int, message_id: int, data: str) -> str:
        """Push a button press on a message; returns the callback query id."""
        chat = self._ensure(chat_id, user_id)
        query_id = f"cbq{next(self._query_ids)}"
        target = self.messages.get(chat_id, {}).get(message_id)
        message = (
            dict(target.raw)
            if target
            else {"message_id": message_id, "date": 0, "chat": chat.to_dict()}
        )
        self.open_callback_queries[query_id] = {"chat_id": chat_id, "data": data}
        self.push_update(
            {
                "callback_query": {
                    "id": query_id,
                    "from": self.user(user_id),
                    "message": message,
                    "chat_instance": f"ci{chat_id}",
                    "data": data,
                }
            }
        )
        return query_id

    def push_inline_query(self, user_id: int, query: str, *, offset: str = "") -> str:
        """Push an inline query; returns its id."""
        if user_id not in self.users:
            self.private_chat(user_id)
        query_id = f"iq{next(self._query_ids)}"
        self.open_inline_queries[query_id] = {"user_id": user_id, "query": query}
        self.push_update(
            {
                "inline_query": {
                    "id": query_id,
                    "from": self.user(user_id),
                    "query": query,
                    "offset": offset,
                }
            }
        )
        return query_id

    def push_my_chat_member(
        self, chat_id: int, user_id: int, old_status: MemberStatus, new_status: MemberStatus
    ) -> dict[str, Any]:
        """``user_id`` changed the bot's status in the chat (added, blocked, kicked...)."""
        chat = self._ensure(chat_id, user_id)
        self.members[(chat_id, self.bot_id)] = new_status
        return self.push_update(
            {
                "my_chat_member": {
                    "chat": chat.to_dict(),
                    "from": self.user(user_id),
                    "date": self.now(),
                    "old_chat_member": member_dict(self.bot_user, old_status),
                    "new_chat_member": member_dict(self.bot_user, new_status),
                }
            }
        )

    def push_migration(self, old_chat_id: int, new_chat_id: int) -> dict[str, Any]:
        """The group became a supergroup: service messages in both chats, old id answers 400."""
        old = self._ensure(old_chat_id, self.bot_id)
        old.type = "group"
        new = self.group_chat(new_chat_id, title=old.title)
        self.members[(new_chat_id, self.bot_id)] = self.status(old_chat_id, self.bot_id)
        raw = {
            "message_id": self.next_message_id(old_chat_id),
            "from": self.bot_user,
            "date": self.now(),
            "chat": old.to_dict(),
            "migrate_to_chat_id": new_chat_id,
        }
        update = self.push_update({"message": raw})
        old.migrated_to = new_chat_id
        self.push_update(
            {
                "message": {
                    "message_id": self.next_message_id(new_chat_id),
                    "from": self.bot_user,
                    "date": self.now(),
                    "chat": new.to_dict(),
                    "migrate_from_chat_id": old_chat_id,
                }
            }
        )
        return update
