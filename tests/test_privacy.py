"""Logs never carry names, usernames, message texts or the bot token, even at DEBUG."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.harness import ADMIN_ID, GROUP_ID, TOKEN, BotHarness

FIRST_NAME = "Zebulonia"
LAST_NAME = "Quillfeatherby"
USERNAME = "quux_secret_user"
ADMIN_NAME = "Adalbertina"
ADMIN_USERNAME = "adalbert_secret_admin"
GROUP_TITLE = "Marmoset Collective"
SECRET_WORDS = ["marmalade-fjord", "xylophone-quasar", "gribblefrost"]
PERSON = 31415926

# Everything a full session sends: every command of every feature, with secret arguments.
SESSION = [
    "/start",
    "/help",
    "/statements",
    "/excerpt marmalade-fjord occupation",
    "/quote xylophone-quasar",
    "/facts",
    "/compare gribblefrost",
    "/table",
    "/language",
    "/subscribe",
    "/settings",
    "/settings tz Europe/Kyiv",
    "/settings leads 1h marmalade-fjord",
    "/settings region gribblefrost",
    "/demos",
    "/demo 1",
    "/calendar",
    "/unsubscribe",
    "marmalade-fjord free text xylophone-quasar",
    "/nonsense gribblefrost",
    "/forget",
]
ADMIN_SESSION = [
    "/adddemo 2026-12-01 18:00 | gribblefrost square | xylophone-quasar march",
    "/editdemo 1 place marmalade-fjord",
    "/announce marmalade-fjord news for everyone",
    "/broadcasts",
    "/stats",
    "/feed list",
    "/feed add https://gribblefrost.example/cal.ics",
    "/canceldemo 1 xylophone-quasar",
]
SECRETS = [FIRST_NAME, LAST_NAME, USERNAME, ADMIN_NAME, ADMIN_USERNAME, GROUP_TITLE, TOKEN]
SECRETS += [*SECRET_WORDS, TOKEN.split(":")[1]]


class Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.records: list[logging.LogRecord] = []
        self.formatter_ = logging.Formatter("%(name)s %(levelname)s %(message)s")

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def lines(self) -> list[str]:
        out = []
        for r in self.records:
            text = self.formatter_.format(r)
            if r.exc_info:
                text += self.formatter_.formatException(r.exc_info)
            out.append(text)
        return out


@pytest.fixture
def capture() -> Iterator[Capture]:
    handler = Capture()
    root = logging.getLogger()
    old_level = root.level
    names = [
        "telegram",
        "aiohttp",
        "httpx",
        "httpcore",
        "apscheduler",
        "bot",
        "handlers",
        "storage",
    ]
    old = {n: logging.getLogger(n).level for n in names}
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    for n in names:
        logging.getLogger(n).setLevel(logging.DEBUG)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)
        for n, level in old.items():
            logging.getLogger(n).setLevel(level)


async def test_no_personal_data_or_token_in_any_log_record(
    tmp_path: Path, capture: Capture
) -> None:
    h = BotHarness(db_path=tmp_path / "bot.sqlite3")
    h.core.private_chat(PERSON, FIRST_NAME, "en", username=USERNAME)
    h.core.users[PERSON]["last_name"] = LAST_NAME
    h.core.private_chat(ADMIN_ID, ADMIN_NAME, "en", username=ADMIN_USERNAME)
    h.core.group_chat(GROUP_ID, title=GROUP_TITLE)
    await h.start()
    try:
        for text in SESSION:
            await h.send(PERSON, PERSON, text)
            await h.send(GROUP_ID, PERSON, text)
        for text in ADMIN_SESSION:
            await h.send(ADMIN_ID, ADMIN_ID, text)
        # press every button the bot showed
        for chat in (PERSON, ADMIN_ID, GROUP_ID):
            for msg in list(h.replies(chat)):
                markup = (msg.raw.get("reply_markup") or {}).get("inline_keyboard") or []
                for row in markup:
                    for button in row:
                        if "callback_data" in button:
                            await h.press(chat, PERSON, msg.message_id, button["callback_data"])
        await h.inline(PERSON, "marmalade-fjord occupation")
        await h.inline(PERSON, "")
        # The transport (aiohttp) logs no URLs; a library that does is masked all the same.
        url = f"{h.settings.bot_base_url}{TOKEN}/sendMessage"
        logging.getLogger("aiohttp.client").warning("request to %s failed", url)
    finally:
        await h.close()
    lines = capture.lines()
    assert len(lines) > 50  # DEBUG really was captured (PTB and httpx talk a lot)
    assert any(line.startswith("telegram.") and " DEBUG " in line for line in lines)
    assert any(line.startswith("aiohttp.client ") and "<token>" in line for line in lines)
    leaks = [(s, line[:300]) for line in lines for s in SECRETS if s.lower() in line.lower()]
    assert not leaks, "\n".join(f"{s!r} in: {line}" for s, line in leaks[:20])
