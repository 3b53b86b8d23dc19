"""Calendar feeds: the careful fetcher and the parser against a real HTTP server on 127.0.0.1.

Only 127.0.0.1 is ever connected to: private/link-local targets must be refused before any
connection, which the tests check by recording every connection the fetcher makes.
"""

from __future__ import annotations

import ipaddress
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from icalendar import Calendar

from bot.config import ConfigError
from bot.feeds.addresses import AddressPolicy
from bot.feeds.errors import FeedError
from bot.feeds.fetch import FeedFetcher, check_url
from bot.feeds.parse import parse_feed
from bot.feeds.service import FeedSettings
from storage.demos import Demo
from tests.feedserver import FeedServer, Route, vcalendar, vevent
from tests.harness import ADMIN_ID, GROUP_ID, USER_ID, BotHarness

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
LOOPBACK_ONLY = AddressPolicy(allow_networks=(ipaddress.ip_network("127.0.0.0/8"),))

STATIC = vcalendar(
    vevent("march@example.org", ":20261205T140000Z", "National march"),
    vevent("vigil@example.org", ";TZID=Europe/Kyiv:20261210T180000", "Vigil", location="Kyiv"),
)


def fetcher(connects: list[tuple[str, int]] | None = None, **kw: object) -> FeedFetcher:
    log = connects if connects is not None else []
    return FeedFetcher(
        policy=LOOPBACK_ONLY,
        on_connect=lambda host, port: log.append((host, port)),
        **kw,  # type: ignore[arg-type]
    )


async def test_fetch_then_not_modified(server: FeedServer) -> None:
    server.routes["/a.ics"] = Route(body=STATIC, etag='"v1"', last_modified="Sat, 21 Nov 2026")
    f = fetcher()
    first = await f.fetch(server.url("/a.ics"))
    assert not first.not_modified and first.body == STATIC
    assert first.etag == '"v1"' and first.last_modified == "Sat, 21 Nov 2026"
    second = await f.fetch(server.url("/a.ics"), etag=first.etag, last_modified=first.last_modified)
    assert second.not_modified
    sent = server.requests[-1][1]
    assert sent["if-none-match"] == '"v1"'
    assert sent["if-modified-since"] == "Sat, 21 Nov 2026"


async def test_loopback_refused_by_default(server: FeedServer) -> None:
    server.routes["/a.ics"] = Route(body=STATIC)
    connects: list[tuple[str, int]] = []
    f = FeedFetcher(on_connect=lambda h, p: connects.append((h, p)))
    with pytest.raises(FeedError) as err:
        await f.fetch(server.url("/a.ics"))
    assert err.value.kind == "private"
    assert connects == [] and server.requests == []


async def test_allow_private_setting_admits_loopback(server: FeedServer) -> None:
    server.routes["/a.ics"] = Route(body=STATIC)
    f = FeedFetcher(policy=AddressPolicy(allow_private=True))
    assert (await f.fetch(server.url("/a.ics"))).body == STATIC


@pytest.mark.parametrize(
    "target",
    [
        "http://10.0.0.1/calendar.ics",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]:9/x.ics",
        "http://[::ffff:10.0.0.1]/x.ics",
        "http://0.0.0.0/x.ics",
        "http://100.64.0.1/x.ics",
    ],
)
async def test_redirect_to_private_address_refused_before_connecting(
    server: FeedServer, target: str
) -> None:
    server.routes["/go.ics"] = Route(location=target)
    connects: list[tuple[str, int]] = []
    f = fetcher(connects)
    with pytest.raises(FeedError) as err:
        await f.fetch(server.url("/go.ics"))
    assert err.value.kind == "private"
    # Only the test server itself was ever connected to.
    assert connects and all(host == "127.0.0.1" for host, _ in connects)
    assert server.hits("/go.ics") == 1


async def test_hostname_resolving_to_private_address_refused(server: FeedServer) -> None:
    async def resolver(host: str, port: int) -> list[str]:
        # One public and one private answer: any private address is enough to refuse.
        return ["93.184.215.14", "10.9.8.7"] if host == "calendar.example" else ["127.0.0.1"]

    server.routes["/go.ics"] = Route(location="http://calendar.example/demos.ics")
    connects: list[tuple[str, int]] = []
    f = FeedFetcher(
        policy=LOOPBACK_ONLY, resolver=resolver, on_connect=lambda h, p: connects.append((h, p))
    )
    with pytest.raises(FeedError) as err:
        await f.fetch(server.url("/go.ics"))
    assert err.value.kind == "private"
    assert all(host == "127.0.0.1" for host, _ in connects)


async def test_redirects_followed_up_to_three(server: FeedServer) -> None:
    server.routes["/final.ics"] = Route(body=STATIC)
    server.routes["/r3"] = Route(location="/final.ics", status=301)
    server.routes["/r2"] = Route(location=server.url("/r3"), status=307)
    server.routes["/r1"] = Route(location="/r2", status=302)
    result = await fetcher().fetch(server.url("/r1"))
    assert result.body == STATIC and result.url.endswith("/final.ics")
    server.routes["/r0"] = Route(location="/r1")
    with pytest.raises(FeedError) as err:
        await fetcher().fetch(server.url("/r0"))
    assert err.value.kind == "redirects"
    assert server.hits("/final.ics") == 1  # the fourth redirect was never followed


async def test_redirect_to_other_scheme_refused(server: FeedServer) -> None:
    server.routes["/ftp"] = Route(location="ftp://127.0.0.1/x.ics")
    with pytest.raises(FeedError) as err:
        await fetcher().fetch(server.url("/ftp"))
    assert err.value.kind == "scheme"
    server.routes["/file"] = Route(location="file:///etc/passwd")
    with pytest.raises(FeedError):
        await fetcher().fetch(server.url("/file"))


@pytest.mark.parametrize("chunked", [False, True])
async def test_oversized_file_aborted(server: FeedServer, chunked: bool) -> None:
    big = STATIC + b"X-FILLER:" + b"x" * (3 * 1024 * 1024)
    server.routes["/big.ics"] = Route(body=big, chunked=chunked)
    with pytest.raises(FeedError) as err:
        await fetcher(max_bytes=2 * 1024 * 1024).fetch(server.url("/big.ics"))
    assert err.value.kind == "too_large"


async def test_slow_server_times_out(server: FeedServer) -> None:
    server.routes["/slow.ics"] = Route(body=STATIC, delay=5.0)
    with pytest.raises(FeedError) as err:
        await fetcher(timeout=0.3).fetch(server.url("/slow.ics"))
    assert err.value.kind == "timeout"


async def test_http_errors(server: FeedServer) -> None:
    server.routes["/gone.ics"] = Route(status=410)
    with pytest.raises(FeedError) as err:
        await fetcher().fetch(server.url("/gone.ics"))
    assert (err.value.kind, err.value.status) == ("http", 410)
    with pytest.raises(FeedError) as err:
        await fetcher().fetch(server.url("/missing.ics"))
    assert (err.value.kind, err.value.status) == ("http", 404)


def test_settings_from_env() -> None:
    assert FeedSettings.from_env({}) == FeedSettings(timedelta(minutes=30), allow_private=False)
    on = FeedSettings.from_env({"BOT_FEEDS_ALLOW_PRIVATE": "1", "BOT_FEEDS_INTERVAL_MINUTES": "15"})
    assert on == FeedSettings(timedelta(minutes=15), allow_private=True)
    # A bad value is refused (naming the variable), never quietly replaced by the default.
    for bad in ("2", "²", "-5", "99999999999999999999", "soon", "abc"):
        with pytest.raises(ConfigError, match="BOT_FEEDS_INTERVAL_MINUTES"):
            FeedSettings.from_env({"BOT_FEEDS_INTERVAL_MINUTES": bad})


def test_check_url() -> None:
    assert check_url(" https://example.org/a.ics ") == "https://example.org/a.ics"
    for bad in ("ftp://example.org/a.ics", "javascript:alert(1)", "https://", "example.org/a"):
        with pytest.raises(FeedError):
            check_url(bad)
    with pytest.raises(FeedError):
        check_url("https://user:secret@example.org/a.ics")


# --- parsing -----------------------------------------------------------------------------------


def test_parse_timezones_and_fields() -> None:
    data = vcalendar(
        vevent(
            "m@x",
            ";TZID=Europe/London:20260701T140000",
            "Summer march",
            extra="DESCRIPTION:Bring water\\nand a friend\nURL:https://example.org/m\nSTATUS:CONFIRMED",
        ),
        vevent("k@x", ";TZID=Europe/Kyiv:20261210T180000", "Vigil"),
        vevent("u@x", ":20261205T140000Z", "UTC one"),
        vevent("f@x", ":20261206T140000", "Floating"),
        vevent("past@x", ":20261101T140000Z", "Already over"),
    )
    now = datetime(2026, 5, 1, tzinfo=UTC)
    events = {
        e.uid: e
        for e in parse_feed(
            data, now=now, default_timezone="Europe/Paris", horizon=timedelta(days=400)
        ).events
    }
    assert events["m@x"].starts_at == datetime(2026, 7, 1, 13, 0, tzinfo=UTC)  # BST
    assert events["m@x"].description == "Bring water\nand a friend"
    assert events["m@x"].link == "https://example.org/m"
    assert events["k@x"].starts_at == datetime(2026, 12, 10, 16, 0, tzinfo=UTC)
    assert events["u@x"].starts_at == datetime(2026, 12, 5, 14, 0, tzinfo=UTC)
    assert events["f@x"].starts_at == datetime(2026, 12, 6, 13, 0, tzinfo=UTC)  # Paris
    assert "past@x" not in events or now < events["past@x"].starts_at


def test_parse_recurring_all_day_and_cancelled() -> None:
    data = vcalendar(
        vevent(
            "weekly@x",
            ";TZID=Europe/London:20261128T140000",
            "Weekly vigil",
            extra="RRULE:FREQ=WEEKLY;COUNT=30",
        ),
        vevent(
            "weekly@x",
            ";TZID=Europe/London:20261205T150000",
            "Weekly vigil (later)",
            extra="RECURRENCE-ID;TZID=Europe/London:20261205T140000",
        ),
        vevent("day@x", ";VALUE=DATE:20261210", "Day of action"),
        vevent("off@x", ":20261212T120000Z", "Called off", extra="STATUS:CANCELLED"),
    )
    events = parse_feed(data, now=NOW, default_timezone="Europe/London", region="London").events
    by_uid = {e.uid: e for e in events}
    weekly = sorted(e.uid for e in events if e.uid.startswith("weekly@x#"))
    # Within 90 days of 21 Nov 2026: 28 Nov ... 13 Feb = 12 Saturdays.
    assert len(weekly) == 12
    assert weekly[0] == "weekly@x#20261128T140000Z"
    moved = by_uid["weekly@x#20261205T140000Z"]  # keeps the slot's uid, has the new time
    assert moved.starts_at == datetime(2026, 12, 5, 15, 0, tzinfo=UTC)
    assert moved.title == "Weekly vigil (later)"
    assert by_uid["day@x"].starts_at == datetime(2026, 12, 10, 0, 0, tzinfo=UTC)
    assert by_uid["off@x"].cancelled
    assert all(e.region == "london" for e in events)
    # Stable: parsing again gives the same UIDs.
    again = parse_feed(data, now=NOW, default_timezone="UTC").events
    assert {e.uid for e in again} == set(by_uid)


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"<html><body>Not a calendar</body></html>",
        b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:garbage\r\n",
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:x\r\nDTSTART:2026XX05\r\n"
        b"SUMMARY:x\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
    ],
)
def test_parse_malformed(data: bytes) -> None:
    with pytest.raises(FeedError) as err:
        parse_feed(data, now=NOW, default_timezone="UTC")
    assert err.value.kind == "invalid"


async def test_dns_rebinding_refused_at_connect_time(server: FeedServer) -> None:
    """The check is repeated when connecting: an answer that changes to private is refused."""
    answers = iter([["127.0.0.1"], ["10.0.0.1"]])

    async def flipping(host: str, port: int) -> list[str]:
        return next(answers, ["10.0.0.1"])

    server.routes["/a.ics"] = Route(body=STATIC)
    connects: list[tuple[str, int]] = []
    f = FeedFetcher(
        policy=LOOPBACK_ONLY, resolver=flipping, on_connect=lambda h, p: connects.append((h, p))
    )
    with pytest.raises(FeedError) as err:
        await f.fetch(f"http://feeds.example:{server.port}/a.ics")
    assert err.value.kind == "private"
    assert connects == [] and server.requests == []


# --- end to end: /feed, the schedule, notices, /calendar -----------------------------------------


def _writer(harness: BotHarness) -> Any:
    """The demos write path: the bot's ReminderService (built here if not wired yet)."""
    services = harness.services
    reminders = getattr(services, "reminders", None)
    if reminders is None:
        from bot.reminders.service import ReminderService
        from storage.demos import DemoRepo

        reminders = ReminderService(
            db=services.db,
            chats=services.chats,
            demos=DemoRepo(services.db),
            outbox=services.outbox,
            clock=harness.clock,
            default_timezone="UTC",
        )
    services.feeds.writer = reminders
    return reminders


@pytest.fixture
async def bot(harness: BotHarness, server: FeedServer) -> BotHarness:
    harness.services.feeds.fetcher.policy = LOOPBACK_ONLY
    _writer(harness)
    await harness.send(ADMIN_ID, ADMIN_ID, "/start")
    return harness


async def _demos(harness: BotHarness) -> dict[str, Demo]:
    cur = await harness.services.db.conn.execute("SELECT uid FROM demos")
    uids = [str(r[0]) for r in await cur.fetchall()]
    return await harness.services.feeds.repo.demos_by_uid(uids)


def _texts(harness: BotHarness, chat_id: int) -> list[str]:
    return [m.text or "" for m in harness.replies(chat_id)]


async def test_feed_add_sync_unchanged_changed_removed(bot: BotHarness, server: FeedServer) -> None:
    server.routes["/demos.ics"] = Route(body=STATIC, etag='"v1"')
    await bot.send(ADMIN_ID, ADMIN_ID, f"/feed add {server.url('/demos.ics')} London")
    replies = _texts(bot, ADMIN_ID)
    assert "Feed 1 added" in replies[-2]
    assert replies[-1] == "Feed 1: 2 new, 0 changed, 0 cancelled, 0 unchanged."
    demos = await _demos(bot)
    march = demos["march@example.org"]
    assert march.source == "feed" and march.feed_id == 1 and march.region == "london"
    assert march.starts_at == datetime(2026, 12, 5, 14, 0, tzinfo=UTC)
    assert demos["vigil@example.org"].starts_at == datetime(2026, 12, 10, 16, 0, tzinfo=UTC)

    # Not due yet: nothing fetched.
    assert await bot.services.feeds.tick() == []
    # 30 minutes later: a conditional request, answered 304.
    bot.clock.advance(timedelta(minutes=31))
    [result] = await bot.services.feeds.tick()
    assert result.not_modified and result.error is None
    assert server.requests[-1][1].get("if-none-match") == '"v1"'

    # The march moves by an hour and gets a new title; the vigil disappears.
    server.routes["/demos.ics"] = Route(
        body=vcalendar(
            vevent("march@example.org", ":20261205T150000Z", "National march (new time)")
        ),
        etag='"v2"',
    )
    bot.clock.advance(timedelta(minutes=31))
    [result] = await bot.services.feeds.tick()
    assert (result.added, result.updated, result.cancelled, result.kept) == (0, 1, 1, 0)
    demos = await _demos(bot)
    assert demos["march@example.org"].starts_at == datetime(2026, 12, 5, 15, 0, tzinfo=UTC)
    assert demos["march@example.org"].title == "National march (new time)"
    assert demos["vigil@example.org"].cancelled
    assert len(demos) == 2  # updated in place by UID, never duplicated

    # It comes back: scheduled again, same row.
    server.routes["/demos.ics"] = Route(body=STATIC, etag='"v3"')
    await bot.send(ADMIN_ID, ADMIN_ID, "/feed sync")
    assert _texts(bot, ADMIN_ID)[-1] == "Feed 1: 0 new, 2 changed, 0 cancelled, 0 unchanged."
    demos = await _demos(bot)
    assert not demos["vigil@example.org"].cancelled
    assert demos["vigil@example.org"].id == march.id + 1


async def test_recurring_feed_expanded_with_stable_uids(
    bot: BotHarness, server: FeedServer
) -> None:
    weekly = vcalendar(
        vevent(
            "weekly@example.org",
            ";TZID=Europe/London:20261128T140000",
            "Weekly vigil",
            extra="RRULE:FREQ=WEEKLY",
        )
    )
    server.routes["/weekly.ics"] = Route(body=weekly)  # no validators: always 200
    await bot.send(ADMIN_ID, ADMIN_ID, f"/feed add {server.url('/weekly.ics')}")
    assert _texts(bot, ADMIN_ID)[-1] == "Feed 1: 12 new, 0 changed, 0 cancelled, 0 unchanged."
    bot.clock.advance(timedelta(minutes=31))
    [result] = await bot.services.feeds.tick()
    assert (result.added, result.updated, result.cancelled, result.kept) == (0, 0, 0, 12)
    uids = sorted(await _demos(bot))
    assert uids[0] == "weekly@example.org#20261128T140000Z" and len(uids) == 12
    # A week later the window has moved: one more occurrence, nothing cancelled.
    bot.clock.advance(timedelta(days=7))
    [result] = await bot.services.feeds.tick()
    assert (result.added, result.cancelled) == (1, 0)


async def test_removed_event_cancelled_with_notice_to_reminded_chat(
    bot: BotHarness, server: FeedServer
) -> None:
    server.routes["/demos.ics"] = Route(body=STATIC)
    bot.core.group_chat(GROUP_ID)
    now = bot.clock.now()
    await bot.services.chats.ensure(GROUP_ID, "supergroup", now)
    await bot.services.chats.set_subscribed(GROUP_ID, True, now)
    await bot.send(ADMIN_ID, ADMIN_ID, f"/feed add {server.url('/demos.ics')}")
    reminders = _writer(bot)
    # The day before the march, the group is reminded.
    bot.clock.set(datetime(2026, 12, 4, 14, 0, 30, tzinfo=UTC))
    await reminders.tick()
    await bot.core.wait_for(
        lambda: any("Reminder" in t for t in _texts(bot, GROUP_ID)), what="reminder"
    )
    # The march moves to another time and place: one "changed" notice, with both.
    server.routes["/demos.ics"] = Route(
        body=vcalendar(
            vevent(
                "march@example.org", ":20261205T160000Z", "National march", location="Hyde Park"
            ),
            vevent("vigil@example.org", ":20261210T160000Z", "Vigil", location="Kyiv"),
        )
    )
    [result] = await bot.services.feeds.sync_all()
    assert (result.updated, result.kept) == (1, 1)
    await bot.core.wait_for(
        lambda: any("Changed" in t for t in _texts(bot, GROUP_ID)), what="changed notice"
    )
    changed = [t for t in _texts(bot, GROUP_ID) if "Changed" in t]
    assert len(changed) == 1 and "Hyde Park" in changed[0]
    # Then the march disappears from the feed: cancelled, and the group is told.
    server.routes["/demos.ics"] = Route(
        body=vcalendar(vevent("vigil@example.org", ":20261210T160000Z", "Vigil"))
    )
    [result] = await bot.services.feeds.sync_all()
    assert result.cancelled == 1
    await bot.core.wait_for(
        lambda: any("Cancelled" in t for t in _texts(bot, GROUP_ID)), what="cancel notice"
    )
    assert (await _demos(bot))["march@example.org"].cancelled


async def test_failing_feed_reported_once_and_others_untouched(
    bot: BotHarness, server: FeedServer
) -> None:
    from storage.demos import DemoRepo, NewDemo

    admin_demo = await DemoRepo(bot.services.db).add(
        NewDemo(datetime(2026, 12, 20, 12, 0, tzinfo=UTC), "Trafalgar Square", "Admin's demo"),
        bot.clock.now(),
    )
    server.routes["/good.ics"] = Route(body=STATIC)
    server.routes["/bad.ics"] = Route(body=b"BEGIN:VCALENDAR\r\nthis is not a calendar")
    await bot.send(ADMIN_ID, ADMIN_ID, f"/feed add {server.url('/good.ics')}")
    await bot.send(ADMIN_ID, ADMIN_ID, f"/feed add {server.url('/bad.ics')}")
    texts_now = _texts(bot, ADMIN_ID)
    assert texts_now[-1] == (
        "Feed 2 could not be fetched: the file is not a valid iCalendar (.ics) file"
    )
    # The admin who added it reads the failure in the reply: no second report as an alert.
    assert [t for t in texts_now if t.startswith("⚠️")] == []

    # Retried later, still failing: no second alert; the other feed syncs as usual.
    for _ in range(3):
        bot.clock.advance(timedelta(minutes=31))
        results = await bot.services.feeds.tick()
        assert {r.feed_id for r in results} == {1, 2}
    assert len([t for t in _texts(bot, ADMIN_ID) if t.startswith("⚠️")]) == 0
    demos = await _demos(bot)
    assert all(not d.cancelled for d in demos.values())
    assert (await DemoRepo(bot.services.db).get(admin_demo)) is not None

    # Fixed: synced, and the admins hear it works again (once).
    server.routes["/bad.ics"] = Route(
        body=vcalendar(vevent("other@example.org", ":20261211T100000Z", "Picket"))
    )
    bot.clock.advance(timedelta(minutes=31))
    await bot.services.feeds.tick()
    recovered = [t for t in _texts(bot, ADMIN_ID) if t.startswith("✅ Calendar feed 2")]
    assert len(recovered) == 1
    await bot.send(ADMIN_ID, ADMIN_ID, "/feed list")
    listing = _texts(bot, ADMIN_ID)[-1]
    assert "1 upcoming demonstration" in listing and "failing" not in listing


async def test_feed_cannot_take_over_other_demos(bot: BotHarness, server: FeedServer) -> None:
    from storage.demos import DemoRepo, NewDemo

    repo = DemoRepo(bot.services.db)
    demo_id = await repo.add(
        NewDemo(datetime(2026, 12, 20, 12, 0, tzinfo=UTC), "Trafalgar Square", "Admin's demo"),
        bot.clock.now(),
    )
    demo = await repo.get(demo_id)
    assert demo is not None
    hostile = vcalendar(vevent(demo.uid, ":20261220T120000Z", "Hijacked", extra="STATUS:CANCELLED"))
    server.routes["/hostile.ics"] = Route(body=hostile)
    await bot.send(ADMIN_ID, ADMIN_ID, f"/feed add {server.url('/hostile.ics')}")
    after = await repo.get(demo_id)
    assert after == demo


async def test_timeout_and_oversize_through_the_service(
    bot: BotHarness, server: FeedServer
) -> None:
    bot.services.feeds.fetcher.timeout = 0.3
    server.routes["/slow.ics"] = Route(body=STATIC, delay=5.0)
    server.routes["/big.ics"] = Route(body=b"x" * (3 * 1024 * 1024), chunked=True)
    await bot.send(ADMIN_ID, ADMIN_ID, f"/feed add {server.url('/slow.ics')}")
    assert _texts(bot, ADMIN_ID)[-1].endswith("the server took too long to answer")
    bot.services.feeds.fetcher.timeout = 20.0  # streaming 2 MB may take longer on a busy machine
    await bot.send(ADMIN_ID, ADMIN_ID, f"/feed add {server.url('/big.ics')}")
    assert _texts(bot, ADMIN_ID)[-1].endswith("the file is larger than 2 MB")
    assert await _demos(bot) == {}


async def test_private_feed_refused_without_setting(
    harness: BotHarness, server: FeedServer
) -> None:
    server.routes["/demos.ics"] = Route(body=STATIC)
    await harness.send(ADMIN_ID, ADMIN_ID, "/start")
    await harness.send(ADMIN_ID, ADMIN_ID, f"/feed add {server.url('/demos.ics')}")
    assert _texts(harness, ADMIN_ID)[-1] == (
        "Feed not added: the address points to a private or local network, which is not allowed."
    )
    assert server.requests == []
    assert await harness.services.feeds.repo.all() == []  # nothing saved that cannot work


async def test_feed_commands_for_admins_only_and_usage(bot: BotHarness, server: FeedServer) -> None:
    await bot.send(USER_ID, USER_ID, "/feed list")
    assert _texts(bot, USER_ID)[-1] == "Sorry, only the bot's administrators can do that."
    await bot.send(ADMIN_ID, ADMIN_ID, "/feed")
    assert "/feed add" in _texts(bot, ADMIN_ID)[-1]
    await bot.send(ADMIN_ID, ADMIN_ID, "/feed add ftp://example.org/x.ics")
    assert "is not a calendar address" in _texts(bot, ADMIN_ID)[-1]
    await bot.send(ADMIN_ID, ADMIN_ID, "/feed list")
    assert _texts(bot, ADMIN_ID)[-1].startswith("No calendar feeds yet")
    server.routes["/demos.ics"] = Route(body=STATIC)
    await bot.send(ADMIN_ID, ADMIN_ID, f"/feed add {server.url('/demos.ics')}")
    await bot.send(ADMIN_ID, ADMIN_ID, f"/feed add {server.url('/demos.ics')}")
    assert _texts(bot, ADMIN_ID)[-1] == "That feed is already there as number 1."
    await bot.send(ADMIN_ID, ADMIN_ID, "/feed remove 7")
    assert _texts(bot, ADMIN_ID)[-1].startswith("There is no feed number 7")
    await bot.send(ADMIN_ID, ADMIN_ID, "/feed remove 1")
    assert _texts(bot, ADMIN_ID)[-1].startswith("🗑 Feed 1 removed")
    # Its demonstrations stay; the same feed added again adopts them instead of duplicating.
    await bot.send(ADMIN_ID, ADMIN_ID, f"/feed add {server.url('/demos.ics')}")
    assert _texts(bot, ADMIN_ID)[-1] == "Feed 2: 0 new, 0 changed, 0 cancelled, 2 unchanged."
    assert {d.feed_id for d in (await _demos(bot)).values()} == {2}


async def test_calendar_file(bot: BotHarness, server: FeedServer) -> None:
    await bot.send(USER_ID, USER_ID, "/calendar")
    assert _texts(bot, USER_ID)[-1].startswith("There are no upcoming demonstrations")
    server.routes["/demos.ics"] = Route(body=STATIC)
    server.routes["/kyiv.ics"] = Route(
        body=vcalendar(vevent("kyiv@example.org", ":20261212T100000Z", "Kyiv rally"))
    )
    await bot.send(ADMIN_ID, ADMIN_ID, f"/feed add {server.url('/demos.ics')} london")
    await bot.send(ADMIN_ID, ADMIN_ID, f"/feed add {server.url('/kyiv.ics')} kyiv")
    vigil = (await _demos(bot))["vigil@example.org"]
    await _writer(bot).cancel_demo(vigil, None)

    await bot.send(USER_ID, USER_ID, "/calendar")
    sent = bot.last(USER_ID)
    assert sent.text == "📅 2 upcoming demonstrations. Open the file to add them to your calendar."
    assert sent.files[0].file_name == "demonstrations.ics"
    cal = Calendar.from_ical(sent.files[0].data)
    events = {str(e["UID"]): e for e in cal.walk("VEVENT")}
    assert set(events) == {"march@example.org", "vigil@example.org", "kyiv@example.org"}
    assert str(events["vigil@example.org"]["STATUS"]) == "CANCELLED"
    assert str(events["march@example.org"]["STATUS"]) == "CONFIRMED"

    # A chat with a region filter gets its region's (and national) demonstrations only.
    await bot.services.chats.ensure(USER_ID, "private", bot.clock.now())
    await bot.services.chats.set_region(USER_ID, "kyiv", bot.clock.now())
    await bot.services.chats.set_language(USER_ID, "uk", bot.clock.now())
    await bot.send(USER_ID, USER_ID, "/calendar")
    sent = bot.last(USER_ID)
    assert sent.text is not None and sent.text.startswith("📅 1 найближча демонстрація")
    cal = Calendar.from_ical(sent.files[0].data)
    assert [str(e["UID"]) for e in cal.walk("VEVENT")] == ["kyiv@example.org"]


def test_feed_links_follow_the_rule_of_every_entrance() -> None:
    """javascript: links and links with spaces used to be stored from feeds."""
    data = vcalendar(
        vevent("js@x", ":20261205T140000Z", "A", extra="URL:javascript:alert(1)"),
        vevent("sp@x", ":20261205T150000Z", "B", extra="URL:https://example.org/a b"),
        vevent("tg@x", ":20261205T160000Z", "C", extra="URL:tg://resolve?domain=abc"),
        vevent("ok@x", ":20261205T170000Z", "D", extra="URL:https://example.org/e"),
    )
    links = {e.uid: e.link for e in parse_feed(data, now=NOW, default_timezone="UTC").events}
    assert links == {
        "js@x": None,
        "sp@x": None,
        "tg@x": "tg://resolve?domain=abc",
        "ok@x": "https://example.org/e",
    }
