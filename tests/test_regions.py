"""Regions end to end: the known list as buttons, "did you mean", multi-word names in /settings
and /announce, and a malformed region= refused rather than sent to everyone."""

from __future__ import annotations

import pytest

from bot.demos.regions import match_region, region_key, split_region_prefix
from bot.demos.timeparse import InputError
from bot.emulator import SentMessage
from tests.harness import ADMIN_ID, USER_ID, BotHarness, add_demo, texts_of
from tests.outbox_helpers import SleepRecorder, subscribe


def labels(message: SentMessage) -> dict[str, str]:
    return {str(b["text"]): str(b.get("callback_data", "")) for b in message.buttons()}


async def _count_broadcasts(h: BotHarness) -> int:
    cur = await h.services.db.conn.execute("SELECT count(*) FROM broadcasts")
    row = await cur.fetchone()
    return int(row[0]) if row else 0


def test_region_keys_and_matching() -> None:
    assert region_key("North-West") == region_key(" north_west ") == "north west"
    assert match_region("North-West", ["north west"]).region == "north west"
    typo = match_region("londn", ["london", "leeds"])
    assert not typo.known and typo.suggestions == ("london",)
    assert match_region("north", ["north west", "leeds"]).suggestions == ("north west",)
    assert match_region("kyiv", ["kharkiv"]).suggestions == ()
    assert match_region("off", ["london"]).region is None


@pytest.mark.parametrize(
    ("text", "region", "rest"),
    [
        ("region=london Hi", "london", " Hi"),
        ("region=north-west Hi", "north west", " Hi"),
        ("region=North_West Hi", "north west", " Hi"),
        ("region=&quot;north west&quot; Hi", "north west", " Hi"),
        ("region=“north west” Hi", "north west", " Hi"),
        ("Hi all", None, "Hi all"),
    ],
)
def test_region_prefix(text: str, region: str | None, rest: str) -> None:
    assert split_region_prefix(text) == (region, rest)


@pytest.mark.parametrize(
    "text", ["region= hi", "region=", "region=&quot;north west hi", "region=&quot;&quot; hi"]
)
def test_malformed_region_prefix_is_refused(text: str) -> None:
    with pytest.raises(InputError):
        split_region_prefix(text)


async def test_settings_region_typo_gets_did_you_mean(
    fast: SleepRecorder, harness: BotHarness
) -> None:
    await add_demo(harness, 30, region="london")
    await harness.send(USER_ID, USER_ID, "/settings region londn")
    reply = harness.last(USER_ID)
    assert "Did you mean “london”?" in (reply.text or "")
    chat = await harness.services.chats.get(USER_ID)
    assert chat is None or chat.region is None  # the typo is not stored
    buttons = labels(reply)
    assert buttons["📍 london"] == "set:region:london"
    await harness.press(USER_ID, USER_ID, reply.message_id, "set:region:london")
    chat = await harness.services.chats.get(USER_ID)
    assert chat is not None and chat.region == "london"


async def test_settings_region_alone_shows_the_known_regions(
    fast: SleepRecorder, harness: BotHarness
) -> None:
    await add_demo(harness, 30, region="london")
    await add_demo(harness, 40, region="north west")
    await harness.send(USER_ID, USER_ID, "/settings region")
    reply = harness.last(USER_ID)
    assert "I don't know that setting" not in (reply.text or "")
    buttons = labels(reply)
    assert buttons["📍 london"] == "set:region:london"
    assert buttons["📍 north west"] == "set:region:north west"
    await harness.press(USER_ID, USER_ID, reply.message_id, "set:region:north west")
    chat = await harness.services.chats.get(USER_ID)
    assert chat is not None and chat.region == "north west"


@pytest.mark.parametrize("typed", ["north-west", '"north west"', "north west"])
async def test_settings_multi_word_region(
    fast: SleepRecorder, harness: BotHarness, typed: str
) -> None:
    await add_demo(harness, 30, region="north west")
    await harness.send(USER_ID, USER_ID, f"/settings region {typed}")
    chat = await harness.services.chats.get(USER_ID)
    assert chat is not None and chat.region == "north west"


@pytest.mark.parametrize(
    "command",
    [
        '/announce region="north west" March on Saturday',
        "/announce region=north-west March on Saturday",
        "/announce region=“north west” March on Saturday",
    ],
)
async def test_announce_to_a_multi_word_region(
    fast: SleepRecorder, harness: BotHarness, command: str
) -> None:
    await subscribe(harness, [7001], region="north west")
    await subscribe(harness, [7002], region="north")
    await subscribe(harness, [7003])
    await harness.send(ADMIN_ID, ADMIN_ID, command)
    preview, confirm = harness.replies(ADMIN_ID)[-2:]
    assert preview.text == "March on Saturday"
    assert "Send it to 1 subscribed chat in region north west?" in (confirm.text or "")


@pytest.mark.parametrize(
    "command",
    ["/announce region= hi everyone", '/announce region="north west hi', "/announce region="],
)
async def test_malformed_region_is_refused_never_sent_to_everyone(
    fast: SleepRecorder, harness: BotHarness, command: str
) -> None:
    await subscribe(harness, [7001, 7002])
    await harness.send(ADMIN_ID, ADMIN_ID, command)
    assert "I can't read that region=" in texts_of(harness, ADMIN_ID)[-1]
    assert await _count_broadcasts(harness) == 0


async def test_announce_region_typo_gets_did_you_mean(
    fast: SleepRecorder, harness: BotHarness
) -> None:
    await subscribe(harness, [7001], region="london")
    await harness.send(ADMIN_ID, ADMIN_ID, "/announce region=londn Hi")
    assert "Did you mean “london”?" in texts_of(harness, ADMIN_ID)[-1]
    assert await _count_broadcasts(harness) == 0


async def test_one_stored_form_for_a_region_in_every_command(
    fast: SleepRecorder, harness: BotHarness
) -> None:
    """A demo added for "North-West" is seen by a chat that chose "north west", and a feed's
    region is stored the same way."""
    line = (
        "/adddemo 2026-12-05 14:00 | Piccadilly Gardens | Vigil | https://example.org | North-West"
    )
    await harness.send(ADMIN_ID, ADMIN_ID, line)
    preview = harness.last(ADMIN_ID)
    save = next(b["callback_data"] for b in preview.buttons() if ":save:" in b["callback_data"])
    await harness.press(ADMIN_ID, ADMIN_ID, preview.message_id, save)
    await harness.send(USER_ID, USER_ID, "/settings region north west")
    chat = await harness.services.chats.get(USER_ID)
    assert chat is not None and chat.region == "north west"
    await harness.send(USER_ID, USER_ID, "/demos")
    assert "Vigil" in texts_of(harness, USER_ID)[-1]
    await harness.send(USER_ID, USER_ID, "/settings region")
    assert [b["text"] for b in harness.last(USER_ID).buttons()].count("📍 north west") == 1


async def test_adddemo_preview_warns_of_a_region_typo(
    fast: SleepRecorder, harness: BotHarness
) -> None:
    await add_demo(harness, 30, region="london")
    line = "/adddemo 2026-12-05 14:00 | Parliament Square | March | https://example.org | londn"
    await harness.send(ADMIN_ID, ADMIN_ID, line)
    preview = texts_of(harness, ADMIN_ID)[-1]
    assert "⚠️ I don't know the region “londn”. Did you mean “london”?" in preview
    await harness.send(ADMIN_ID, ADMIN_ID, line.replace("londn", "london"))
    assert "⚠️" not in texts_of(harness, ADMIN_ID)[-1]


async def test_announce_unquoted_multi_word_region_is_not_sent_to_a_part_of_it(
    fast: SleepRecorder, harness: BotHarness
) -> None:
    """The issue's case: `/announce region=north west …` targeted "north"."""
    await subscribe(harness, [7001], region="north west")
    await harness.send(ADMIN_ID, ADMIN_ID, "/announce region=north west March on Saturday")
    assert "Did you mean “north west”?" in texts_of(harness, ADMIN_ID)[-1]
    assert await _count_broadcasts(harness) == 0
