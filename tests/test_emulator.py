"""Tests of the Bot API emulator through PTB's own HTTPX transport and the in-process one."""

from __future__ import annotations

import asyncio
import datetime as dt
import struct
import zlib
from collections.abc import AsyncIterator

import httpx
import pytest
from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    Update,
)
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TimedOut,
)
from telegram.ext import Application, CommandHandler, ContextTypes

from bot.emulator import (
    BotApiCore,
    EmulatorRequest,
    FakeBotApiServer,
    HtmlParseError,
    RateLimits,
    parse_html,
)

pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")

USER = 42
GROUP = -1001234567890


def png(width: int, height: int) -> bytes:
    """A tiny valid PNG (grey pixels)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def keyboard(data: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton("Go", callback_data=data)]])


@pytest.fixture
def core() -> BotApiCore:
    core = BotApiCore()
    core.private_chat(USER, "Ann")
    core.group_chat(GROUP, forum=True)
    return core


@pytest.fixture
async def server(core: BotApiCore) -> AsyncIterator[FakeBotApiServer]:
    server = FakeBotApiServer(core)
    await server.start()
    yield server
    await server.stop()


@pytest.fixture(params=["http", "inprocess"])
async def bot(request: pytest.FixtureRequest, core: BotApiCore) -> AsyncIterator[Bot]:
    """The same tests run through HTTP (PTB's HTTPXRequest) and through EmulatorRequest."""
    if request.param == "http":
        server = FakeBotApiServer(core)
        url = await server.start()
        tg = Bot(core.token, base_url=url + "/bot", base_file_url=url + "/file/bot")
        async with tg:
            yield tg
        await server.stop()
    else:
        tg = Bot(
            core.token,
            request=EmulatorRequest(core, read_timeout=1.0),
            get_updates_request=EmulatorRequest(core, read_timeout=1.0),
        )
        async with tg:
            yield tg


async def test_get_me_and_send_edit(bot: Bot, core: BotApiCore) -> None:
    assert bot.username == "solidarity_test_bot"
    msg = await bot.send_message(
        USER, "<b>Hi</b> &amp; welcome", parse_mode="HTML", reply_markup=keyboard("a:1")
    )
    assert msg.text == "Hi & welcome"
    assert msg.entities[0].type == "bold" and msg.entities[0].length == 2
    assert msg.reply_markup == keyboard("a:1")
    assert msg.from_user is not None and msg.from_user.is_bot
    assert core.last_text(USER) == "Hi & welcome"
    assert core.sent_to(USER)[0].source_text == "<b>Hi</b> &amp; welcome"

    edited = await bot.edit_message_text("Bye", USER, msg.message_id, reply_markup=keyboard("b"))
    assert isinstance(edited, type(msg)) and edited.text == "Bye"
    assert core.last_text(USER) == "Bye"
    assert core.sent_to(USER)[0].buttons()[0]["callback_data"] == "b"
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_text("Bye", USER, msg.message_id, reply_markup=keyboard("b"))
    await bot.edit_message_reply_markup(USER, msg.message_id, reply_markup=None)
    assert core.sent_to(USER)[0].reply_markup is None
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await bot.edit_message_text("x", USER, 999)
    assert await bot.delete_message(USER, msg.message_id)
    assert core.last_text(USER) is None
    assert [c.method for c in core.calls_for("sendmessage")] == ["sendMessage"]


@pytest.mark.parametrize(
    "text",
    [
        "<br>",
        "<b>open",
        "1 < 2",
        "a &nbsp; b",
        "<b><i>x</b></i>",
        "</b>",
        '<span class="x">s</span>',
    ],
)
async def test_html_errors(bot: Bot, text: str) -> None:
    with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
        await bot.send_message(USER, text, parse_mode="HTML")


async def test_text_limits(bot: Bot) -> None:
    await bot.send_message(USER, "<b>" + "a" * 4096 + "</b>", parse_mode="HTML")
    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await bot.send_message(USER, "a" * 4097)
    with pytest.raises(BadRequest, match=r"(?i)message text is empty"):
        await bot.send_message(USER, "<b></b>", parse_mode="HTML")
    with pytest.raises(BadRequest, match=r"(?i)caption is too long"):
        await bot.send_photo(USER, png(1, 1), caption="c" * 1025)


def test_parse_html_entities() -> None:
    text, entities = parse_html(
        '🙂 <a href="https://x.org/?a=1&amp;b=2">link</a> <pre><code class="language-py">'
        "x</code></pre> <blockquote expandable>q</blockquote> &#x41;&#66; "
        "<tg-spoiler>s</tg-spoiler>"
    )
    assert text == "🙂 link x q AB s"
    assert entities[0] == {
        "offset": 3,
        "length": 4,
        "type": "text_link",
        "url": "https://x.org/?a=1&b=2",
    }
    assert {"offset": 8, "length": 1, "type": "pre", "language": "py"} in entities
    assert entities[2]["type"] == "expandable_blockquote"
    assert entities[3]["type"] == "spoiler"
    with pytest.raises(HtmlParseError, match=r"(?i)Unmatched end tag"):
        parse_html("<b><i>x</b></i>")


async def test_callback_data_limit(bot: Bot) -> None:
    await bot.send_message(USER, "ok", reply_markup=keyboard("é" * 32))  # 64 bytes
    with pytest.raises(BadRequest, match=r"(?i)BUTTON_DATA_INVALID"):
        await bot.send_message(USER, "no", reply_markup=keyboard("é" * 33))
    with pytest.raises(BadRequest, match=r"(?i)BUTTON_DATA_INVALID"):
        await bot.send_message(USER, "no", reply_markup=keyboard("x" * 65))


async def test_long_poll_wakes_on_push(bot: Bot, core: BotApiCore) -> None:
    loop = asyncio.get_running_loop()
    started = loop.time()
    poll = asyncio.create_task(bot.get_updates(timeout=10))
    await core.wait_for(lambda: core.polls_waiting == 1, timeout=1)
    core.push_message(USER, USER, "hello")
    updates = await asyncio.wait_for(poll, 2)
    assert loop.time() - started < 2
    assert updates[0].message is not None and updates[0].message.text == "hello"
    # Not confirmed yet: delivered again; confirmed with offset: gone.
    again = await bot.get_updates(timeout=0)
    assert [u.update_id for u in again] == [updates[0].update_id]
    assert await bot.get_updates(offset=updates[0].update_id + 1, timeout=0) == ()


async def test_upload_photo_and_document(bot: Bot, core: BotApiCore) -> None:
    image = png(3, 2)
    msg = await bot.send_photo(USER, image, caption="<i>poster</i>", parse_mode="HTML")
    assert msg.photo[-1].width == 3 and msg.caption == "poster"
    stored = core.sent_to(USER)[-1].files[0]
    assert stored.data == image
    file = await bot.get_file(msg.photo[-1].file_id)
    assert bytes(await file.download_as_bytearray()) == image

    ics = b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"
    doc = await bot.send_document(USER, ics, filename="event.ics")
    assert doc.document is not None and doc.document.file_name == "event.ics"
    assert core.file_bytes(doc.document.file_id) == ics
    assert doc.document.mime_type == "text/calendar"
    again = await bot.send_document(USER, doc.document.file_id)
    assert again.document is not None and again.document.file_id == doc.document.file_id


async def test_faults(bot: Bot, core: BotApiCore) -> None:
    core.faults.add("sendMessage", kind="429", retry_after=3)
    with pytest.raises(RetryAfter) as info:
        await bot.send_message(USER, "x")
    assert info.value.retry_after in (3, dt.timedelta(seconds=3))
    core.faults.add(chat_id=USER, kind="403")
    with pytest.raises(Forbidden):
        await bot.send_message(USER, "x")
    core.faults.add("sendMessage", kind="migrate", migrate_to=-100777)
    with pytest.raises(ChatMigrated) as migrated:
        await bot.send_message(USER, "x")
    assert migrated.value.new_chat_id == -100777
    core.faults.add("sendMessage", kind="500")
    with pytest.raises(NetworkError):
        await bot.send_message(USER, "x")
    core.faults.add("sendMessage", kind="drop")
    with pytest.raises(NetworkError):
        await bot.send_message(USER, "x")
    core.faults.add("sendMessage", kind="chat_not_found")
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.send_message(USER, "x")
    await bot.send_message(USER, "fine")
    assert core.stats.faults_injected == 6 and core.stats.too_many_requests == 1
    assert core.sent_to(USER)[-1].text == "fine"


async def test_timeout_fault(bot: Bot, core: BotApiCore) -> None:
    core.faults.add("sendMessage", kind="timeout", delay=0.2)
    with pytest.raises(TimedOut):
        await bot.send_message(USER, "slow", read_timeout=0.05)
    # The request was held, then handled: the message exists although the client gave up.
    await core.wait_for(lambda: core.last_text(USER) == "slow", timeout=2)


async def test_rate_limit(bot: Bot, core: BotApiCore) -> None:
    now = [1000.0]
    core.time_fn = lambda: now[0]
    core.limits = RateLimits(per_second_chat=1, per_minute_group=20)
    await bot.send_message(USER, "1")
    with pytest.raises(RetryAfter):
        await bot.send_message(USER, "2")
    now[0] += 1.0
    await bot.send_message(USER, "3")
    for i in range(20):
        now[0] += 1.0
        await bot.send_message(GROUP, str(i), message_thread_id=5)
    now[0] += 1.0
    with pytest.raises(RetryAfter):
        await bot.send_message(GROUP, "21st", message_thread_id=5)
    assert core.stats.too_many_requests == 2
    assert core.calls_for("sendMessage")[-1].status == 429


async def test_blocked_kicked_threads_members(bot: Bot, core: BotApiCore) -> None:
    msg = await bot.send_message(GROUP, "topic", message_thread_id=5)
    assert msg.message_thread_id == 5 and msg.is_topic_message
    with pytest.raises(BadRequest, match=r"(?i)message thread not found"):
        await bot.send_message(GROUP, "x", message_thread_id=1)
    core.set_member(GROUP, 7, "creator")
    core.set_member(GROUP, 8, "administrator")
    admins = await bot.get_chat_administrators(GROUP)
    assert sorted(a.user.id for a in admins) == [7, 8]
    member = await bot.get_chat_member(GROUP, 8)
    assert member.status == "administrator"
    chat = await bot.get_chat(GROUP)
    assert chat.is_forum
    core.block(USER)
    with pytest.raises(Forbidden, match=r"(?i)bot was blocked by the user"):
        await bot.send_message(USER, "x")
    core.push_my_chat_member(GROUP, 7, "member", "kicked")
    with pytest.raises(Forbidden, match=r"(?i)kicked from the supergroup chat"):
        await bot.send_message(GROUP, "x")


async def test_migration(bot: Bot, core: BotApiCore) -> None:
    core.group_chat(-555, supergroup=False)
    core.push_migration(-555, -100555)
    with pytest.raises(ChatMigrated) as info:
        await bot.send_message(-555, "x")
    assert info.value.new_chat_id == -100555
    await bot.send_message(-100555, "ok")
    updates = await bot.get_updates()
    assert updates[0].message is not None and updates[0].message.migrate_to_chat_id == -100555


async def test_callbacks_inline_commands(bot: Bot, core: BotApiCore) -> None:
    msg = await bot.send_message(USER, "pick", reply_markup=keyboard("p:1"))
    query_id = core.push_callback(USER, USER, msg.message_id, "p:1")
    updates = await bot.get_updates()
    assert updates[-1].callback_query is not None
    assert updates[-1].callback_query.message is not None
    with pytest.raises(BadRequest):
        await bot.answer_callback_query(query_id, text="x" * 201)
    await bot.answer_callback_query(query_id, text="done")
    assert core.callback_answers(query_id) is not None
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):
        await bot.answer_callback_query(query_id)

    inline_id = core.push_inline_query(USER, "vietnam")
    results = [
        InlineQueryResultArticle(str(i), "t", InputTextMessageContent("m")) for i in range(51)
    ]
    with pytest.raises(BadRequest, match=r"(?i)RESULTS_TOO_MUCH"):
        await bot.answer_inline_query(inline_id, results)
    with pytest.raises(BadRequest, match=r"(?i)RESULT_ID_DUPLICATE"):
        await bot.answer_inline_query(inline_id, [results[0], results[0]])
    await bot.answer_inline_query(inline_id, results[:3])
    assert [r["id"] for r in core.inline_answers(inline_id) or []] == ["0", "1", "2"]

    await bot.set_my_commands([("start", "Start"), ("help", "Help")])
    assert [c.command for c in await bot.get_my_commands()] == ["start", "help"]
    with pytest.raises(BadRequest):
        await bot.set_my_commands([("Bad-Command", "x")])
    await bot.delete_my_commands()
    assert await bot.get_my_commands() == ()
    copy = await bot.copy_message(GROUP, USER, msg.message_id, message_thread_id=5)
    assert core.message(GROUP, copy.message_id).text == "pick"
    fwd = await bot.forward_message(GROUP, USER, msg.message_id)
    assert fwd.forward_origin is not None
    assert await bot.send_chat_action(USER, "typing")
    assert await bot.delete_webhook()


async def test_http_token_and_unknown_method(server: FakeBotApiServer, core: BotApiCore) -> None:
    async with httpx.AsyncClient() as client:
        r = await client.post(f"{server.url}/bot{core.token}/noSuchMethod", json={})
        assert r.status_code == 404 and r.json()["description"] == "Not Found: method not found"
        r = await client.post(f"{server.url}/botWRONG/getMe")
        assert r.status_code == 401 and r.json()["description"] == "Unauthorized"
        r = await client.post(
            f"{server.url}/bot{core.token}/SENDMESSAGE", json={"chat_id": USER, "text": "json"}
        )
        assert r.json()["result"]["text"] == "json"
        r = await client.get(f"{server.url}/bot{core.token}/getMe")
        assert r.json()["result"]["id"] == core.bot_id
    with pytest.raises(InvalidToken):
        async with Bot("1:WRONG", base_url=server.bot_base_url):
            pass


async def test_wait_for_timeout_message(core: BotApiCore) -> None:
    with pytest.raises(TimeoutError, match=r"(?i)never"):
        await core.wait_for(lambda: False, timeout=0.05, what="never")


async def test_application_polling(server: FakeBotApiServer, core: BotApiCore) -> None:
    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_chat is not None
        await context.bot.send_message(
            update.effective_chat.id, "<b>Welcome</b>", parse_mode="HTML"
        )

    app = (
        Application.builder()
        .token(core.token)
        .base_url(server.bot_base_url)
        .base_file_url(server.file_base_url)
        .build()
    )
    app.add_handler(CommandHandler("start", start))
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=5)
        for _ in range(3):
            core.push_command(USER, USER, "/start")
        await core.wait_for(lambda: len(core.sent_to(USER)) == 3, timeout=5)
        await app.updater.stop()
        await app.stop()
    assert core.last_text(USER) == "Welcome"


async def test_pushed_updates_deserialize(bot: Bot, core: BotApiCore) -> None:
    first = core.push_message(GROUP, 7, "/start@solidarity_test_bot", thread_id=5)
    core.push_message(GROUP, 7, "fixed", edited=True, message_id=first["message"]["message_id"])
    core.push_message(USER, USER, "fwd", forward=True)
    core.push_message(GROUP, 8, "anon", sender_chat_id=-100999)
    core.push_message(USER, USER, "cal", document=("event.ics", b"BEGIN:VCALENDAR"))
    core.push_message(USER, USER, "re", reply_to_message_id=1)
    core.push_my_chat_member(USER, USER, "member", "kicked")
    updates = await bot.get_updates()
    assert len(updates) == 7
    start = updates[0].message
    assert start is not None and start.is_topic_message and start.message_thread_id == 5
    assert start.entities[0].type == "bot_command"
    assert updates[1].edited_message is not None and updates[1].edited_message.text == "fixed"
    assert updates[2].message is not None and updates[2].message.forward_origin is not None
    assert updates[3].message is not None and updates[3].message.sender_chat is not None
    doc = updates[4].message
    assert doc is not None and doc.document is not None and doc.caption == "cal"
    assert core.file_bytes(doc.document.file_id) == b"BEGIN:VCALENDAR"
    assert updates[5].message is not None and updates[5].message.reply_to_message is not None
    member = updates[6].my_chat_member
    assert member is not None and member.new_chat_member.status == "kicked"
    assert [m.text for m in core.messages_in(USER)] == ["fwd", "cal", "re"]


@pytest.mark.parametrize(
    "status", ["creator", "administrator", "member", "restricted", "left", "kicked"]
)
async def test_chat_member_statuses(bot: Bot, core: BotApiCore, status: str) -> None:
    core.set_member(GROUP, 9, status)  # type: ignore[arg-type]
    member = await bot.get_chat_member(GROUP, 9)
    assert member.status == status


async def test_allowed_updates_and_conflict(bot: Bot, core: BotApiCore) -> None:
    core.push_callback(USER, USER, 1, "x")
    core.push_message(USER, USER, "text")
    updates = await bot.get_updates(allowed_updates=["message"])
    assert [u.message.text for u in updates if u.message] == ["text"] and len(updates) == 1
    await bot.get_updates(offset=updates[-1].update_id + 1)
    assert not core.pending
    first = asyncio.create_task(bot.get_updates(timeout=5))
    await core.wait_for(lambda: core.polls_started >= 3 and core.polls_waiting == 1, timeout=1)
    # A second poller (another bot instance) terminates the first one, like Telegram.
    second = asyncio.create_task(core.call("getUpdates", {"timeout": "5"}))
    with pytest.raises(Conflict, match=r"(?i)terminated by other getUpdates"):
        await first
    core.push_message(USER, USER, "late")
    status, body = await second
    assert status == 200 and body["result"][0]["message"]["text"] == "late"


async def test_held_request_released_on_stop(core: BotApiCore) -> None:
    server = FakeBotApiServer(core)
    url = await server.start()
    core.faults.add("getMe", kind="timeout")
    async with httpx.AsyncClient() as client:
        call = asyncio.create_task(client.post(f"{url}/bot{core.token}/getMe"))
        await core.wait_for(lambda: core.stats.faults_injected == 1, timeout=1)
        await asyncio.sleep(0.05)
        assert not call.done()
        await server.stop()
        with pytest.raises(httpx.HTTPError):
            await call


async def test_inprocess_wrong_token(core: BotApiCore) -> None:
    with pytest.raises(InvalidToken):
        async with Bot("1:WRONG", request=EmulatorRequest(core)):
            pass


def test_parse_html_details() -> None:
    text, entities = parse_html("🎉<b>a<i>b</i></b> Tom & Jerry <a href='tg://user?id=5'>u</a>")
    assert text == "🎉ab Tom & Jerry u"
    assert entities[0] == {"offset": 2, "length": 2, "type": "bold"}
    assert entities[1] == {"offset": 3, "length": 1, "type": "italic"}
    assert entities[2]["type"] == "text_mention" and entities[2]["user"]["id"] == 5
    for bad in ("<b>", "<tg-emoji>x</tg-emoji>", "<b/>", "<a href=x", "&bogus;"):
        with pytest.raises(HtmlParseError):
            parse_html(bad)
