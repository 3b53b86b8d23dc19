"""`solidarity-bot shell`: the whole bot in a terminal, through the in-process emulator."""

from __future__ import annotations

import asyncio
import dataclasses
import sys
from collections.abc import Awaitable, Callable
from typing import Any, TextIO

from telegram import Update

from bot.app import OFFLINE_TOKEN, build_application, start_application, stop_application
from bot.config import Settings
from bot.emulator import BotApiCore, EmulatorRequest
from bot.emulator.html import parse_html
from bot.emulator.state import ApiCall

MEMBER_ID = 100_001
ADMIN_ID = 100_002
GROUP_ID = -100_777_000
FORUM_ID = -100_888_000
TOPIC_ID = 5

HELP = """\
Type what you would type in Telegram: /start, /help, /excerpt blockade, /facts ...
  1, 2, ...     press the numbered [button] under the bot's last message
  @words        an inline query (what typing @bot words in any chat shows)
  :private      talk to the bot in a private chat (default)
  :group        talk in a group chat          :topic   in a forum topic
  :admin        act as a bot administrator    :member  act as an ordinary member
  :help         this help                     :quit    leave (or Ctrl-D)"""

InputFn = Callable[[str], Awaitable[str | None]]


async def _stdin_input(prompt: str) -> str | None:
    try:
        return await asyncio.get_running_loop().run_in_executor(None, input, prompt)
    except EOFError:
        return None


class Shell:
    """State of one shell session: who you are, where you are, what you can press."""

    def __init__(self, core: BotApiCore, app: Any, out: TextIO) -> None:
        self.core = core
        self.app = app
        self.out = out
        self.user_id = MEMBER_ID
        self.chat_id = MEMBER_ID
        self.thread_id: int | None = None
        self.seen = 0
        self.buttons: list[tuple[int, int, dict[str, Any]]] = []
        core.private_chat(MEMBER_ID, "You")
        core.private_chat(ADMIN_ID, "Admin")
        core.group_chat(GROUP_ID, title="Solidarity group")
        core.group_chat(FORUM_ID, forum=True, title="Solidarity forum")
        for chat in (GROUP_ID, FORUM_ID):
            core.set_member(chat, ADMIN_ID, "administrator")
            core.set_member(chat, MEMBER_ID, "member")

    @property
    def where(self) -> str:
        place = {GROUP_ID: "group", FORUM_ID: "topic"}.get(self.chat_id, "private")
        who = "admin" if self.user_id == ADMIN_ID else "member"
        return f"{who}@{place}"

    def say(self, text: str) -> None:
        print(text, file=self.out, flush=True)

    async def handle_line(self, line: str) -> bool:
        """Act on one typed line; False means quit."""
        line = line.strip()
        if not line:
            return True
        if line.startswith(":"):
            return self._meta(line[1:].strip().lower())
        if line.isascii() and line.isdigit():
            await self._press(int(line))
        elif line.startswith("@") and len(line) > 1:
            await self._inline(line[1:].strip())
        else:
            await self._process(
                self.core.push_message(self.chat_id, self.user_id, line, thread_id=self.thread_id)
            )
        self.show_new()
        return True

    def _meta(self, word: str) -> bool:
        if word in ("quit", "exit", "q"):
            return False
        if word == "private":
            self.chat_id, self.thread_id = self.user_id, None
        elif word == "group":
            self.chat_id, self.thread_id = GROUP_ID, None
        elif word == "topic":
            self.chat_id, self.thread_id = FORUM_ID, TOPIC_ID
        elif word in ("admin", "member"):
            was_private = self.chat_id == self.user_id
            self.user_id = ADMIN_ID if word == "admin" else MEMBER_ID
            if was_private:
                self.chat_id = self.user_id
        elif word != "help":
            self.say(f"unknown shell command :{word}")
        self.say(HELP if word == "help" else f"now: {self.where}")
        return True

    async def _process(self, update: dict[str, Any]) -> None:
        # Handled directly (no polling loop): the emulator still answers every bot call.
        self.core.pending.remove(update)
        await self.app.process_update(Update.de_json(update, self.app.bot))

    async def _press(self, number: int) -> None:
        if not 1 <= number <= len(self.buttons):
            self.say("no such button")
            return
        chat_id, message_id, button = self.buttons[number - 1]
        if "callback_data" in button:
            self.core.push_callback(chat_id, self.user_id, message_id, button["callback_data"])
            await self._process(self.core.pending[-1])
        elif "url" in button:
            self.say(f"(a link: {button['url']})")
        else:
            self.say("(that button works only in the Telegram app)")

    async def _inline(self, query: str) -> None:
        query_id = self.core.push_inline_query(self.user_id, query)
        await self._process(self.core.pending[-1])
        results = self.core.inline_answers(query_id) or []
        self.seen = len(self.core.calls)
        if not results:
            self.say("(no inline results)")
        for i, result in enumerate(results[:10], 1):
            self.say(f"  {i}. {result.get('title', '')} — {result.get('description', '')}")

    def show_new(self) -> None:
        """Print what the bot did since last time, as a person would see it."""
        calls = self.core.calls[self.seen :]
        self.seen = len(self.core.calls)
        for call in calls:
            self._show(call)

    def _show(self, call: ApiCall) -> None:
        params, result = call.params, call.result_or_error
        if not call.ok:
            self.say(f"  !! {call.method} refused: {result.get('description', '')}")
            return
        if call.method == "answerCallbackQuery" and params.get("text"):
            self.say(f"  (popup) {params['text']}")
        if call.method not in {
            "sendMessage",
            "editMessageText",
            "editMessageReplyMarkup",
            "sendPhoto",
            "sendDocument",
            "copyMessage",
        }:
            return
        chat_id = int(params.get("chat_id", self.chat_id))
        label = {GROUP_ID: "group", FORUM_ID: "topic"}.get(chat_id, f"chat {chat_id}")
        if chat_id == self.chat_id:
            label = "bot"
        edited = " (edited)" if call.method.startswith("edit") else ""
        text = params.get("text") or params.get("caption") or ""
        if params.get("parse_mode") == "HTML" and text:
            text = parse_html(text)[0]
        if call.method == "sendPhoto":
            text = f"[picture] {text}"
        elif call.method == "sendDocument":
            doc = result.get("document", {}) if isinstance(result, dict) else {}
            text = f"[file {doc.get('file_name', '')}] {text}"
        if text:
            self.say(f"{label}{edited}:\n" + "\n".join("  " + ln for ln in text.splitlines()))
        markup = params.get("reply_markup") or {}
        rows = markup.get("inline_keyboard") if isinstance(markup, dict) else None
        if rows and isinstance(result, dict):
            message_id = int(result.get("message_id", params.get("message_id", 0)))
            self.buttons = []
            labels = []
            for row in rows:
                for button in row:
                    self.buttons.append((chat_id, message_id, button))
                    labels.append(f"[{len(self.buttons)} {button.get('text', '')}]")
            self.say("  " + " ".join(labels))


async def run_shell(
    settings: Settings, *, input_fn: InputFn | None = None, out: TextIO | None = None
) -> int:
    """Run the interactive shell until :quit or end of input."""
    out = out or sys.stdout
    core = BotApiCore(token=OFFLINE_TOKEN)
    shell_settings = dataclasses.replace(
        settings, token=None, admin_ids=settings.admin_ids | {ADMIN_ID}
    )
    app = build_application(
        shell_settings, request=EmulatorRequest(core), get_updates_request=EmulatorRequest(core)
    )
    await start_application(app, polling=False)
    shell = Shell(core, app, out)
    shell.seen = len(core.calls)
    shell.say(f"Solidarity Bot shell — offline, database {settings.db_path}\n{HELP}")
    read = input_fn or _stdin_input
    try:
        while True:
            shell.show_new()  # anything sent in the background (reminders, broadcasts)
            line = await read(f"{shell.where}> ")
            if line is None or not await shell.handle_line(line):
                break
    finally:
        await stop_application(app)
    return 0
