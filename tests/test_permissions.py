"""Who may do what, as one table over every administrative action.

Refused: ordinary members in private chats, groups and forum topics; anyone pressing a button
that is not theirs; edited messages; forwarded commands; forged callback data. On every refusal
the whole database (every table) is unchanged and the error handler never ran. Allowed: bot
administrators, and for per-group actions that group's administrators, anonymous ones included
(sender_chat == the group).

One bot serves the whole module (its database accumulates, every check compares before/after).
"""

from __future__ import annotations

import importlib.util
import re
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from bot.i18n import texts
from bot.i18n.translate import t
from tests.harness import (
    ADMIN_ID,
    FORUM_ID,
    GROUP_ID,
    OTHER_ID,
    USER_ID,
    BotHarness,
    ErrorLog,
    error_log,
    snapshot,
)

pytestmark = pytest.mark.asyncio(loop_scope="module")

GROUP_ADMIN = 3001
ANONYMOUS = 1087968824  # GroupAnonymousBot: anonymous administrators post as it
TOPIC = 7


@dataclass(frozen=True)
class Action:
    name: str
    command: str
    scope: str  # "bot": bot administrators only; "group": the chat's administrators

    def __str__(self) -> str:
        return self.name


ACTIONS = [
    Action("announce", "/announce Hello everyone", "bot"),
    Action("adddemo", "/adddemo 2026-12-05 14:00 | Square | March", "bot"),
    Action("adddemo-guided", "/adddemo", "bot"),
    Action("editdemo", "/editdemo 1 place New square", "bot"),
    Action("canceldemo", "/canceldemo 2 rain", "bot"),
    Action("stopbroadcast", "/stopbroadcast 1", "bot"),
    Action("broadcasts", "/broadcasts", "bot"),
    Action("stats", "/stats", "bot"),
    Action("addstatement", "/addstatement", "bot"),
    Action("removestatement", "/removestatement some-slug", "bot"),
    Action("settings-tz", "/settings tz Europe/Kyiv", "group"),
    Action("settings-leads", "/settings leads 1d 2h", "group"),
    Action("settings-region", "/settings region kyiv", "group"),
    Action("subscribe", "/subscribe", "group"),
    Action("unsubscribe", "/unsubscribe", "group"),
    Action("language", "/language", "group"),
    Action("forget", "/forget", "group"),
]
HAVE_FEEDS = importlib.util.find_spec("handlers.feeds") is not None  # lands with issue 6
if HAVE_FEEDS:
    ACTIONS += [
        Action("feed-list", "/feed list", "bot"),
        Action("feed-remove", "/feed remove 1", "bot"),
    ]
BOT_ACTIONS = [a for a in ACTIONS if a.scope == "bot"]
GROUP_ACTIONS = [a for a in ACTIONS if a.scope == "group"]
PLACES = {"private": (USER_ID, None), "group": (GROUP_ID, None), "forum": (FORUM_ID, TOPIC)}

REFUSALS = {
    t("en", texts.NOT_ADMIN),
    t("en", texts.NOT_GROUP_ADMIN),
    t("en", texts.NOT_YOUR_BUTTON),
    t("en", texts.BUTTON_EXPIRED),
}
# Buttons anyone may press by design (reading, RSVP, calendar file).
PUBLIC_BUTTONS = ("demo:rsvp:", "demo:ics:", "demo:page:", "st:", "ex:", "fa:")


@pytest.fixture(scope="module")
def errors() -> Iterator[ErrorLog]:
    with error_log() as log:
        yield log


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def bot(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[BotHarness]:
    h = BotHarness(db_path=Path(tmp_path_factory.mktemp("perm")) / "bot.sqlite3")
    h.core.users[ANONYMOUS] = {"id": ANONYMOUS, "is_bot": True, "first_name": "Group"}
    await h.start()
    try:
        await _seed(h)
        yield h
    finally:
        await h.close()


async def _seed(h: BotHarness) -> None:
    now = h.clock.now().isoformat()
    async with h.services.db.transaction() as conn:
        for i in (1, 2, 3):
            await conn.execute(
                "INSERT INTO demos (id, uid, starts_at, place, title, created_by, created_at,"
                " updated_at) VALUES (?, ?, '2026-12-20T12:00:00+00:00', 'Square', 'March',"
                " ?, ?, ?)",
                (i, f"uid-{i}", ADMIN_ID, now, now),
            )
        for chat_id in (GROUP_ID, FORUM_ID):
            await conn.execute(
                "INSERT INTO chats (chat_id, kind, subscribed, created_at, updated_at)"
                " VALUES (?, 'supergroup', 1, ?, ?)",
                (chat_id, now, now),
            )
        await conn.execute(
            "INSERT INTO chats (chat_id, kind, subscribed, created_at, updated_at)"
            " VALUES (?, 'private', 1, ?, ?)",
            (USER_ID, now, now),
        )
        await conn.execute(
            "INSERT INTO broadcasts (id, kind, payload, status, created_by, created_at)"
            " VALUES (1, 'announce', '{\"html\": \"hi\", \"region\": null}', 'draft', ?, ?)",
            (ADMIN_ID, now),
        )
        if HAVE_FEEDS:
            await conn.execute(
                "INSERT INTO feeds (id, url, created_by, created_at, updated_at)"
                " VALUES (1, 'https://example.org/cal.ics', ?, ?, ?)",
                (ADMIN_ID, now, now),
            )
    h.core.group_chat(GROUP_ID, title="Group")
    h.core.group_chat(FORUM_ID, forum=True, title="Forum")
    for chat_id in (GROUP_ID, FORUM_ID):
        h.core.set_member(chat_id, GROUP_ADMIN, "administrator")
        h.core.set_member(chat_id, USER_ID, "member")
        h.core.set_member(chat_id, OTHER_ID, "member")
        h.core.set_member(chat_id, ADMIN_ID, "member")  # a bot admin, not a group admin


def registered(h: BotHarness) -> set[str]:
    """Commands some handler of the running Application answers (entry points included)."""
    found: set[str] = set()
    for handlers in h.app.handlers.values():
        for handler in handlers:
            for inner in [handler, *getattr(handler, "entry_points", [])]:
                found |= set(getattr(inner, "commands", ()))
    return found


def button_handled(h: BotHarness, data: str) -> bool:
    for handlers in h.app.handlers.values():
        for handler in handlers:
            pattern = getattr(handler, "pattern", None)
            if pattern is not None and re.match(pattern, data):
                return True
    return False


def need(h: BotHarness, *actions: Action) -> None:
    """Skip while a feature's handlers are not registered yet (they land separately)."""
    missing = [a.command.split()[0][1:] for a in actions]
    missing = [c for c in missing if c not in registered(h)]
    if missing:
        pytest.skip(f"not registered yet: {missing}")


def new_texts(h: BotHarness, chat_id: int, before: int) -> list[str]:
    return [m.text or m.raw.get("caption") or "" for m in h.replies(chat_id)[before:]]


async def act(
    h: BotHarness, chat_id: int, who: int, text: str, thread: int | None = None, **kw: Any
) -> list[str]:
    before = len(h.replies(chat_id))
    await h.send(chat_id, who, text, thread_id=thread, **kw)
    answers = new_texts(h, chat_id, before)
    await h.send(chat_id, who, "/cancel", thread_id=thread)  # leave any conversation
    return answers


async def expect_refused(
    h: BotHarness,
    errors: ErrorLog,
    chat_id: int,
    who: int,
    text: str,
    thread: int | None = None,
    **kw: Any,
) -> list[str]:
    errors.records.clear()
    calls = len(h.core.calls)
    before = await snapshot(h)
    answers = await act(h, chat_id, who, text, thread, **kw)
    after = await snapshot(h)
    changed = [k for k in before if before[k] != after.get(k)]
    assert not changed, f"{text!r} by {who} in {chat_id} changed {changed}"
    assert not errors.records, [r.getMessage() for r in errors.records]
    assert all(c.ok for c in h.core.calls[calls:]), "a Bot API call failed"
    return answers


# --- ordinary members ------------------------------------------------------------------------
CASES = [
    (a, place)
    for a in ACTIONS
    for place in PLACES
    if not (a.scope == "group" and place == "private")  # a user manages their own chat
]


@pytest.mark.parametrize(("action", "place"), CASES, ids=[f"{a}-{p}" for a, p in CASES])
async def test_refused_for_ordinary_members(
    bot: BotHarness, errors: ErrorLog, action: Action, place: str
) -> None:
    need(bot, action)
    chat_id, thread = PLACES[place]
    answers = await expect_refused(bot, errors, chat_id, USER_ID, action.command, thread)
    assert answers, f"{action} refused in silence"
    assert all(a in REFUSALS for a in answers), answers


# --- edited and forwarded commands never act, whoever sends them --------------------------------
def _authorized(action: Action) -> tuple[int, int, int | None]:
    """(chat, user, thread) of someone allowed to run the action."""
    return (ADMIN_ID, ADMIN_ID, None) if action.scope == "bot" else (GROUP_ID, GROUP_ADMIN, None)


@pytest.mark.parametrize("action", ACTIONS, ids=str)
async def test_edited_commands_never_act(bot: BotHarness, errors: ErrorLog, action: Action) -> None:
    need(bot, action)
    chat_id, who, thread = _authorized(action)
    sent = await bot.send(chat_id, who, "harmless text", thread_id=thread)
    mid = sent["message"]["message_id"]
    answers = await expect_refused(
        bot, errors, chat_id, who, action.command, thread, edited=True, message_id=mid
    )
    assert answers == []


@pytest.mark.parametrize("action", ACTIONS, ids=str)
async def test_forwarded_commands_never_act(
    bot: BotHarness, errors: ErrorLog, action: Action
) -> None:
    need(bot, action)
    chat_id, who, thread = _authorized(action)
    answers = await expect_refused(bot, errors, chat_id, who, action.command, thread, forward=True)
    assert answers == []


# --- allowed ---------------------------------------------------------------------------------
@pytest.mark.parametrize("action", BOT_ACTIONS, ids=str)
async def test_bot_admins_may(bot: BotHarness, errors: ErrorLog, action: Action) -> None:
    need(bot, action)
    errors.records.clear()
    answers = await act(bot, ADMIN_ID, ADMIN_ID, action.command)
    assert answers and not set(answers) & REFUSALS, answers
    assert not errors.records


GROUP_PEOPLE = {
    "group-admin": (GROUP_ADMIN, None),
    "anonymous-admin": (ANONYMOUS, "self"),
    "bot-admin": (ADMIN_ID, None),
}
ALLOWED_GROUP = [(a, p, w) for a in GROUP_ACTIONS for p in ("group", "forum") for w in GROUP_PEOPLE]


@pytest.mark.parametrize(
    ("action", "place", "who"), ALLOWED_GROUP, ids=[f"{a}-{p}-{w}" for a, p, w in ALLOWED_GROUP]
)
async def test_group_admins_may(
    bot: BotHarness, errors: ErrorLog, action: Action, place: str, who: str
) -> None:
    need(bot, action)
    errors.records.clear()
    chat_id, thread = PLACES[place]
    user, sender = GROUP_PEOPLE[who]
    kw = {"sender_chat_id": chat_id} if sender == "self" else {}
    answers = await act(bot, chat_id, user, action.command, thread, **kw)
    assert answers and not set(answers) & REFUSALS, answers
    assert not errors.records


async def test_users_manage_their_own_private_chat(bot: BotHarness, errors: ErrorLog) -> None:
    need(bot, *GROUP_ACTIONS)
    errors.records.clear()
    for action in GROUP_ACTIONS:
        answers = await act(bot, OTHER_ID, OTHER_ID, action.command)
        assert answers and not set(answers) & REFUSALS, (action, answers)
    assert not errors.records


async def test_a_channel_posting_in_a_group_is_not_an_admin(
    bot: BotHarness, errors: ErrorLog
) -> None:
    """sender_chat must be the group itself; another chat (a channel) gets nothing."""
    need(bot, *GROUP_ACTIONS)
    for action in GROUP_ACTIONS:
        await expect_refused(
            bot, errors, GROUP_ID, ANONYMOUS, action.command, sender_chat_id=-100555000111
        )


# --- buttons pressed by someone else ----------------------------------------------------------
def _buttons(h: BotHarness, chat_id: int, before: int) -> list[tuple[int, str]]:
    out = []
    for msg in h.replies(chat_id)[before:]:
        for row in (msg.raw.get("reply_markup") or {}).get("inline_keyboard") or []:
            for button in row:
                data = button.get("callback_data")
                if data and not data.startswith(PUBLIC_BUTTONS):
                    out.append((msg.message_id, data))
    return out


BUTTON_CASES = [(a, p) for a in ACTIONS for p in ("group", "forum")]


@pytest.mark.parametrize(
    ("action", "place"), BUTTON_CASES, ids=[f"{a}-{p}" for a, p in BUTTON_CASES]
)
async def test_others_cannot_press_an_admins_buttons(
    bot: BotHarness, errors: ErrorLog, action: Action, place: str
) -> None:
    need(bot, action)
    chat_id, thread = PLACES[place]
    admin = ADMIN_ID if action.scope == "bot" else GROUP_ADMIN
    before = len(bot.replies(chat_id))
    await bot.send(chat_id, admin, action.command, thread_id=thread)
    buttons = _buttons(bot, chat_id, before)
    await bot.send(chat_id, admin, "/cancel", thread_id=thread)
    for message_id, data in buttons:
        errors.records.clear()
        snap = await snapshot(bot)
        query = await bot.press(chat_id, USER_ID, message_id, data)
        answer = bot.core.callback_answers(query)
        assert answer is not None and answer.get("text") in REFUSALS, (data, answer)
        assert await snapshot(bot) == snap, f"{data!r} pressed by a member changed the database"
        assert not errors.records


async def test_admin_private_buttons_cannot_be_pressed_elsewhere(
    bot: BotHarness, errors: ErrorLog
) -> None:
    """The buttons of every administrative answer, replayed by an ordinary user in their own
    chat (a modified client can send any callback data on any message of the bot)."""
    before = len(bot.replies(ADMIN_ID))
    for action in BOT_ACTIONS:
        await bot.send(ADMIN_ID, ADMIN_ID, action.command)
        await bot.send(ADMIN_ID, ADMIN_ID, "/cancel")
    buttons = _buttons(bot, ADMIN_ID, before)
    assert buttons  # announce's Send/Cancel at least
    await bot.send(USER_ID, USER_ID, "/start")
    target = bot.last(USER_ID).message_id
    for _, data in buttons:
        errors.records.clear()
        snap = await snapshot(bot)
        query = await bot.press(USER_ID, USER_ID, target, data)
        answer = bot.core.callback_answers(query)
        assert answer is not None and answer.get("text") in REFUSALS, (data, answer)
        assert await snapshot(bot) == snap, f"{data!r} replayed by a user changed the database"
        assert not errors.records


# --- forged callback data ------------------------------------------------------------------------
FORGED = [
    # another chat's action
    ("private", f"forget:yes:{GROUP_ID}"),
    ("private", f"forget:yes:{OTHER_ID}"),
    ("group", f"forget:yes:{FORUM_ID}"),
    ("group", f"forget:yes:{USER_ID}"),
    ("group", f"forget:yes:{GROUP_ID}"),
    ("group", "set:tz:Europe/Kyiv"),
    ("group", "set:lead:1440-120"),
    ("group", "set:region:off"),
    ("group", "lang:set:de"),
    ("group", "lang:set:auto"),
    ("group", "sub:on"),
    # another person's or an administrator's action
    ("private", "ann:send:1"),
    ("private", "ann:cancel:1"),
    ("private", "ann:stop:1"),
    ("group", "ann:send:1"),
    ("private", "demo:save:deadbeef"),
    ("private", "demo:drop:deadbeef"),
    ("private", f"rm:y:{ADMIN_ID}:some-slug"),
    ("private", f"rm:n:{USER_ID}:some-slug"),
    # nonexistent ids, garbage, junk
    ("private", "ann:send:999999"),
    ("private", "ann:send:99999999999999999999999999"),
    ("private", "demo:rsvp:999999"),
    ("private", "demo:ics:999999"),
    ("private", "demo:page:99999999999999999999999"),
    ("private", "st:p:nope:99999999999999999999999"),
    ("private", "forget:yes:"),
    ("private", "forget:maybe:1"),
    ("private", "lang:set:xx"),
    ("private", "lang:set:../../etc"),
    ("private", "set:tz:Not/AZone"),
    ("private", "set:lead:0-0"),
    ("private", "set:lead:99999999999999999999-1"),
    ("private", "set:what:ever"),
    ("private", ":::"),
    ("private", ""),
    ("private", "\x00"),
    ("private", "<b>x</b>"),
    ("private", "ж" * 32),
    ("private", "x" * 64),
    ("private", "ann:" + "9" * 60),
]


@pytest.mark.parametrize(("place", "data"), FORGED, ids=[f"{p}-{d[:24]!r}" for p, d in FORGED])
async def test_forged_callback_data_is_refused(
    bot: BotHarness, errors: ErrorLog, place: str, data: str
) -> None:
    chat_id, thread = PLACES[place]
    await bot.send(chat_id, USER_ID, "/help", thread_id=thread)
    target = bot.last(chat_id).message_id
    errors.records.clear()
    calls = len(bot.core.calls)
    snap = await snapshot(bot)
    query = await bot.press(chat_id, USER_ID, target, data)
    after = await snapshot(bot)
    assert after == snap, f"{data!r} changed {[k for k in snap if snap[k] != after.get(k)]}"
    assert not errors.records, [r.getMessage() for r in errors.records]
    assert all(c.ok for c in bot.core.calls[calls:])
    answer = bot.core.callback_answers(query)
    if not button_handled(bot, data):
        return  # no feature claims it (yet): ignored, which is a refusal too
    if data.startswith(("ann:", "forget:", "set:", "lang:", "sub:", "rm:", "demo:save", "demo:d")):
        assert answer is not None and answer.get("text") in REFUSALS | {t("en", texts.DEMO_OVER)}, (
            answer
        )
