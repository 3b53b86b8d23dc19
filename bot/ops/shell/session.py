"""One shell session: who you are, where you are, and what each typed line does."""

from __future__ import annotations

import asyncio
import shlex
from datetime import timedelta
from pathlib import Path
from typing import Any

from rich.text import Text
from telegram import Update

from bot.emulator import BotApiCore
from bot.emulator.html import HtmlParseError, parse_html
from bot.ops.shell.clock import ShiftedClock, parse_shift
from bot.ops.shell.render import Press, Screen, indented, styled
from bot.services import SERVICES_KEY

MEMBER_ID = 100_001
ADMIN_ID = 100_002  # a bot administrator (added to the bot's admin ids for the session)
GROUP_ADMIN_ID = 100_003  # an administrator of the group and forum, not of the bot
GROUP_ID = -100_777_000
FORUM_ID = -100_888_000
TOPIC_ID = 5
MAX_FILE_BYTES = 20 * 1024 * 1024  # what a bot may download from Telegram

HELP = """\
Type what you would type in Telegram: /start, /help, /excerpt blockade, /facts ...
  1, 2, ...          press a numbered [button] of the messages shown since your last line
  :press M B         press button B (number or label) of message #M in this chat
  @words  or  @      an inline query (what typing @bot words in any chat shows)
  :choose N          send inline result N into this chat
  :reply M text      reply to message #M          :file PATH [caption]  send a file
  :private  :group  :topic       where you talk (a private chat, a group, a forum topic)
  :member  :admin  :groupadmin   who you are (a member, a bot admin, a group admin only)
  :clock  :clock +2h  :clock +1d what time the bot thinks it is; move it (reminders fire)
  :help   this help              :quit   leave (or Ctrl-D)"""

_ROLES = {"member": MEMBER_ID, "admin": ADMIN_ID, "groupadmin": GROUP_ADMIN_ID}
_NAMES = {MEMBER_ID: "You", ADMIN_ID: "Admin", GROUP_ADMIN_ID: "Group admin"}


class Shell:
    """Turns typed lines into updates for the bot and prints what the bot does."""

    def __init__(self, core: BotApiCore, app: Any, screen: Screen, clock: ShiftedClock) -> None:
        self.core = core
        self.app = app
        self.screen = screen
        self.clock = clock
        self.user_id = MEMBER_ID
        self.chat_id = MEMBER_ID
        self.thread_id: int | None = None
        self.inline_results: list[dict[str, Any]] = []
        for user_id, name in _NAMES.items():
            core.private_chat(user_id, name)
        core.group_chat(GROUP_ID, title="Solidarity group")
        core.group_chat(FORUM_ID, forum=True, title="Solidarity forum")
        for chat in (GROUP_ID, FORUM_ID):
            core.set_member(chat, ADMIN_ID, "administrator")
            core.set_member(chat, GROUP_ADMIN_ID, "administrator")
            core.set_member(chat, MEMBER_ID, "member")

    @property
    def here(self) -> tuple[int, int | None]:
        return self.chat_id, self.thread_id

    @property
    def where(self) -> str:
        place = {GROUP_ID: "group", FORUM_ID: "topic"}.get(self.chat_id, "private")
        who = {ADMIN_ID: "admin", GROUP_ADMIN_ID: "groupadmin"}.get(self.user_id, "member")
        return f"{who}@{place}"

    def say(self, text: str | Text, style: str | None = None) -> None:
        self.screen.say(text, style)

    async def handle_line(self, line: str) -> bool:
        """Act on one typed line; False means quit."""
        line = line.strip()
        pressable = self.screen.new_line()
        if not line:
            return True
        if line.startswith(":"):
            return await self._meta(line[1:].strip(), pressable)
        if line.isascii() and line.isdigit():
            await self._press_number(int(line), pressable)
        elif line.startswith("@"):
            await self._inline(line[1:].strip())
        else:
            await self._send(line)
        self.screen.show_new()
        return True

    async def _meta(self, command: str, pressable: list[Press]) -> bool:
        word, _, rest = command.partition(" ")
        word, rest = word.lower(), rest.strip()
        if word in ("quit", "exit", "q"):
            return False
        if word in ("private", "group", "topic"):
            self.chat_id = {"group": GROUP_ID, "topic": FORUM_ID}.get(word, self.user_id)
            self.thread_id = TOPIC_ID if word == "topic" else None
            self.say(f"now: {self.where}", "dim")
        elif word in _ROLES:
            was_private = self.chat_id == self.user_id
            self.user_id = _ROLES[word]
            if was_private:
                self.chat_id = self.user_id
            self.say(f"now: {self.where}", "dim")
        elif word == "help":
            self.say(HELP)
        elif word == "press":
            await self._press_named(rest)
        elif word in ("choose", "pick"):
            await self._choose(rest)
        elif word == "reply":
            await self._reply(rest)
        elif word == "file":
            await self._file(rest)
        elif word == "clock":
            await self._clock(rest)
        else:
            self.say(f"unknown shell command :{word} (:help lists them)", "red")
        self.screen.show_new()
        return True

    async def _process(self, update: dict[str, Any]) -> None:
        # Handled directly (no polling loop): the emulator still answers every bot call.
        self.core.pending.remove(update)
        await self.app.process_update(Update.de_json(update, self.app.bot))

    async def _send(
        self, text: str | None, *, reply_to: int | None = None, document: Any = None
    ) -> None:
        update = self.core.push_message(
            self.chat_id,
            self.user_id,
            text,
            thread_id=self.thread_id,
            reply_to_message_id=reply_to,
            document=document,
        )
        message_id = update["message"]["message_id"]
        if document is not None or not (text or "").startswith("/"):
            self.say(f"  (your message #{message_id})", "dim")
        await self._process(update)

    # -- buttons ------------------------------------------------------------------------------
    async def _press_number(self, number: int, pressable: list[Press]) -> None:
        if not 1 <= number <= len(pressable):
            self.say(
                f"no button {number} among the messages shown since your last line"
                " (:press MESSAGE BUTTON presses an older one; :choose N an inline result)",
                "red",
            )
            return
        await self._press(pressable[number - 1])

    async def _press_named(self, args: str) -> None:
        message_arg, _, button_arg = args.partition(" ")
        message_id = _number(message_arg)
        stored = self.core.find(self.chat_id, message_id) if message_id else None
        if stored is None or not stored.from_bot:
            self.say(f"no message #{message_arg} from the bot in this chat", "red")
            return
        buttons = stored.buttons()
        button_arg = button_arg.strip()
        wanted = button_arg.lower()
        chosen = [b for b in buttons if str(b.get("text", "")).lower() == wanted]
        if not chosen and wanted:  # "Send" for "📣 Send", when only one label has it
            partial = [b for b in buttons if wanted in str(b.get("text", "")).lower()]
            chosen = partial if len(partial) == 1 else []
        number = _number(button_arg)
        if not chosen and number and number <= len(buttons):
            chosen = [buttons[number - 1]]
        if not chosen:
            labels = ", ".join(f"{i} {b.get('text', '')}" for i, b in enumerate(buttons, 1))
            self.say(f"message #{message_id} has no button {button_arg!r} ({labels or 'none'})")
            return
        await self._press(Press(self.chat_id, stored.message_id, chosen[0]))

    async def _press(self, press: Press) -> None:
        button = press.button
        if "callback_data" in button:
            self.core.push_callback(
                press.chat_id, self.user_id, press.message_id, str(button["callback_data"])
            )
            await self._process(self.core.pending[-1])
        elif "url" in button:
            self.say(f"(a link: {button['url']})", "dim")
        else:
            self.say("(that button works only in the Telegram app)", "dim")

    # -- inline mode --------------------------------------------------------------------------
    async def _inline(self, query: str) -> None:
        query_id = self.core.push_inline_query(self.user_id, query)
        await self._process(self.core.pending[-1])
        self.inline_results = (self.core.inline_answers(query_id) or [])[:10]
        if not self.inline_results:
            self.say("(no inline results)", "dim")
        for i, result in enumerate(self.inline_results, 1):
            title, description = result.get("title", ""), result.get("description", "")
            self.say(Text(f"  @{i} ", style="green") + Text(f"{title} — {description}"))
        if self.inline_results:
            self.say("  (:choose N sends one into this chat)", "dim")

    async def _choose(self, arg: str) -> None:
        number = _number(arg)
        if not number or number > len(self.inline_results):
            self.say(f"no inline result {arg!r}: type @words first, then :choose N", "red")
            return
        content = self.inline_results[number - 1].get("input_message_content") or {}
        text = str(content.get("message_text", ""))
        try:
            plain, entities = (
                parse_html(text) if content.get("parse_mode") == "HTML" else (text, [])
            )
        except HtmlParseError as exc:
            self.say(f"  !! Telegram would refuse this result: {exc}", "red")
            return
        self.say(Text(f"you (via @{self.core.bot_username}):", style="bold"))
        self.say(indented(styled(plain, entities)))

    # -- replies, files, time -----------------------------------------------------------------
    async def _reply(self, args: str) -> None:
        target, _, text = args.partition(" ")
        message_id = _number(target)
        if not message_id or self.core.find(self.chat_id, message_id) is None:
            self.say(f"no message #{target} in this chat: :reply MESSAGE text", "red")
            return
        if not text.strip():
            self.say(":reply MESSAGE text (the text is missing)", "red")
            return
        await self._send(text.strip(), reply_to=message_id)

    async def _file(self, args: str) -> None:
        try:
            parts = shlex.split(args)
        except ValueError as exc:
            self.say(f":file PATH [caption]: {exc}", "red")
            return
        if not parts:
            self.say(":file PATH [caption] sends a document", "red")
            return
        read = await asyncio.to_thread(_read_document, parts[0])
        if isinstance(read, str):
            self.say(read, "red")
            return
        path, data = read
        caption = " ".join(parts[1:]) or None
        await self._send(caption, document=(path.name, data))

    async def _clock(self, arg: str) -> None:
        if arg:
            delta = parse_shift(arg)
            if delta is None:
                self.say(f"not a time shift: {arg!r} (like +2h, +1d, -30m, +1d12h)", "red")
                return
            self.clock.shift(delta)
        ahead = self.clock.offset
        moved = f"{'-' if ahead < timedelta(0) else '+'}{abs(ahead)}" if ahead else "real time"
        self.say(f"the bot's clock: {self.clock.now():%Y-%m-%d %H:%M} UTC ({moved})", "dim")
        if arg:
            await self._run_due()

    async def _run_due(self) -> None:
        """What the scheduler's wake-ups would do once the moved clock says it is time."""
        services = self.app.bot_data.get(SERVICES_KEY)
        for name, method in (("reminders", "tick"), ("demo_service", "flush")):
            run = getattr(getattr(services, name, None), method, None)
            if callable(run):
                await run()


def _read_document(name: str) -> tuple[Path, bytes] | str:
    """The file's bytes, or why it cannot be sent."""
    path = Path(name).expanduser()
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            return f"{path} is over {MAX_FILE_BYTES // 1024 // 1024} MB"
        return path, path.read_bytes()
    except OSError as exc:
        return f"cannot read {path}: {exc.strerror}"


def _number(text: str) -> int:
    text = text.strip().lstrip("#")
    return int(text) if text.isascii() and text.isdigit() else 0
