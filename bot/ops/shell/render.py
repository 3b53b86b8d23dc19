"""What the shell prints: the bot's messages with their formatting, and numbered buttons."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rich.console import Console
from rich.style import Style
from rich.text import Text

from bot.emulator import BotApiCore
from bot.emulator.state import ApiCall

# Telegram entity type -> how a terminal shows it.
_STYLES = {
    "bold": Style(bold=True),
    "italic": Style(italic=True),
    "underline": Style(underline=True),
    "strikethrough": Style(strike=True),
    "spoiler": Style(reverse=True),
    "code": Style(color="cyan"),
    "pre": Style(color="cyan"),
    "blockquote": Style(italic=True, dim=True),
    "url": Style(underline=True, color="blue"),
    "mention": Style(color="blue"),
    "hashtag": Style(color="blue"),
}
_SHOWN = frozenset(
    {
        "sendMessage",
        "editMessageText",
        "editMessageCaption",
        "editMessageReplyMarkup",
        "sendPhoto",
        "sendDocument",
        "copyMessage",
    }
)


@dataclass(frozen=True)
class Press:
    """One button the shell can press: where its message is and what the button is."""

    chat_id: int
    message_id: int
    button: dict[str, Any]


def _utf16_index(text: str) -> list[int]:
    """For each UTF-16 offset, the str index it falls in (Telegram counts in UTF-16)."""
    index: list[int] = []
    for i, char in enumerate(text):
        index.extend([i] * (2 if ord(char) > 0xFFFF else 1))
    index.append(len(text))
    return index


def styled(text: str, entities: list[dict[str, Any]]) -> Text:
    """Plain text and Telegram entities as rich Text; a link's address follows its label."""
    out = Text(text)
    index = _utf16_index(text)
    links: list[tuple[int, str]] = []
    for entity in entities:
        offset, length = int(entity.get("offset", 0)), int(entity.get("length", 0))
        if offset < 0 or length <= 0 or offset + length >= len(index):
            continue  # outside the text: the emulator never makes one, but never crash on it
        start, end = index[offset], index[offset + length]
        kind = entity.get("type")
        if kind == "text_link" and entity.get("url"):
            url = str(entity["url"])
            out.stylize(Style(underline=True, color="blue", link=url), start, end)
            if url != text[start:end]:
                links.append((end, url))
        elif kind in _STYLES:
            out.stylize(_STYLES[str(kind)], start, end)
    for end, url in sorted(links, reverse=True):
        out = out[:end] + Text(f" <{url}>", style="dim") + out[end:]
    return out


def message_body(raw: dict[str, Any]) -> Text:
    """A Bot API Message as a person would read it (text or caption, picture, file)."""
    text = raw.get("text", raw.get("caption")) or ""
    entities = raw.get("entities", raw.get("caption_entities")) or []
    body = styled(str(text), list(entities))
    if "photo" in raw:
        body = Text("[picture] ", style="yellow") + body
    document = raw.get("document")
    if isinstance(document, dict):
        label = f"[file {document.get('file_name', '')}, {document.get('file_size', 0)} bytes] "
        body = Text(label, style="yellow") + body
    return body


def indented(body: Text, prefix: str = "  ") -> Text:
    return Text("\n").join(Text(prefix) + line for line in body.split("\n", allow_blank=True))


class Screen:
    """Prints what the bot did since last time and numbers the buttons one may press.

    Numbers go only to buttons of messages in the chat you are in, and only until your next
    line: what you see numbered is what a number presses.
    """

    def __init__(
        self, core: BotApiCore, console: Console, here: Callable[[], tuple[int, int | None]]
    ) -> None:
        self.core = core
        self.console = console
        self.here = here  # (chat id, forum topic) you are in
        self.seen = len(core.calls)
        self.numbered: list[Press] = []

    def say(self, text: str | Text, style: str | None = None) -> None:
        self.console.print(text, style=style, markup=False, highlight=False, soft_wrap=True)

    def new_line(self) -> list[Press]:
        """You typed a line: hand back what numbers pressed until now, and start afresh."""
        pressable, self.numbered = self.numbered, []
        return pressable

    def show_new(self) -> None:
        calls = self.core.calls[self.seen :]
        self.seen = len(self.core.calls)
        for call in calls:
            try:
                self._show(call)
            except Exception as exc:  # one odd call must not stop the screen for good
                self.say(f"  !! the shell could not show a {call.method}: {exc!r}", "red")

    def chat_label(self, chat_id: int, thread_id: int | None) -> str:
        chat = self.core.chats.get(chat_id)
        if chat is None:
            return f"chat {chat_id}"
        if chat.type == "private":
            return f"{chat.first_name}'s private chat"
        name = chat.title or f"chat {chat_id}"
        return f"{name}, topic {thread_id}" if thread_id is not None else name

    def _is_here(self, chat_id: int, thread_id: int | None) -> bool:
        here_chat, here_thread = self.here()
        return chat_id == here_chat and (here_thread is None or thread_id == here_thread)

    def _show(self, call: ApiCall) -> None:
        params, result = call.params, call.result_or_error
        if not call.ok:
            description = result.get("description", "") if isinstance(result, dict) else ""
            self.say(f"  !! {call.method} refused: {description}", "red")
            return
        if call.method == "answerCallbackQuery" and params.get("text"):
            kind = "alert" if params.get("show_alert") else "popup"
            self.say(Text(f"  ({kind}) ", style="dim") + Text(str(params["text"])))
        elif call.method == "deleteMessage":
            self.say(f"  (the bot deleted message #{params.get('message_id')})", "dim")
        elif call.method in _SHOWN:
            self._show_message(call.method, params, result)

    def _show_message(self, method: str, params: dict[str, Any], result: Any) -> None:
        if not isinstance(result, dict):
            return  # an inline message (sent by a person via the bot): not in any chat shown
        message_id = int(result.get("message_id", params.get("message_id", 0)))
        raw: dict[str, Any] = result if "chat" in result else {}
        if raw:
            chat_id = int(raw["chat"]["id"])
        else:  # copyMessage answers only the new message's id
            chat_id = self.core.chat(params.get("chat_id")).id
            stored = self.core.find(chat_id, message_id)
            raw = stored.raw if stored is not None else {}
        thread_id = raw.get("message_thread_id")
        here = self._is_here(chat_id, thread_id if isinstance(thread_id, int) else None)
        who = "bot" if here else f"bot in {self.chat_label(chat_id, thread_id)}"
        edited = " (edited)" if method.startswith("edit") else ""
        head = Text(who, style="bold cyan" if here else "bold magenta")
        lines = [head + Text(f" #{message_id}{edited}:", style="dim")]
        body = message_body(raw)
        if body.plain:
            lines.append(indented(body))
        rows = (raw.get("reply_markup") or {}).get("inline_keyboard") or []
        for row in rows:  # one line per keyboard row, as Telegram lays them out
            labels: list[Text] = []
            for button in row:
                if here:
                    self.numbered.append(Press(chat_id, message_id, button))
                    tag = f"[{len(self.numbered)} {button.get('text', '')}]"
                else:
                    tag = f"[{button.get('text', '')}]"
                labels.append(Text(tag, style="green" if here else "dim"))
            lines.append(Text("  ") + Text(" ").join(labels))
        self.say(Text("\n").join(lines))  # one write: the prompt is redrawn once, below it
